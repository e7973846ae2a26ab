#include "core/uuid.hpp"

#include <catch2/catch.hpp>

#include <string>

using vwo::core::to_canonical_string;
using vwo::core::uuid_bytes;
using vwo::core::uuid_v5;
using vwo::core::visitor_uuid_generator;

namespace {

// RFC 4122 appendix C.
constexpr uuid_bytes namespace_url{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
constexpr uuid_bytes namespace_dns{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

} // namespace

TEST_CASE("uuid_v5 matches well-known RFC 4122 v5 values", "[uuid]")
{
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    CHECK(to_canonical_string(uuid_v5(namespace_dns, "python.org")) == "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, "http://example.com")
    CHECK(to_canonical_string(uuid_v5(namespace_url, "http://example.com")) ==
          "8c9ddcb0-8084-5a7f-a988-1095ab18b5df");
}

TEST_CASE("uuid_v5 sets version 5 and the RFC 4122 variant", "[uuid]")
{
    for (const std::string_view name : {"", "a", "https://vwo.com", "\xF0\x9F\x98\x80"}) {
        const uuid_bytes id = uuid_v5(namespace_url, name);
        CHECK((id[6] >> 4) == 5);
        CHECK((id[8] & 0xC0) == 0x80);
    }
}

TEST_CASE("VWO namespace constants", "[uuid]")
{
    const uuid_bytes vwo_ns = uuid_v5(namespace_url, "https://vwo.com");
    CHECK(to_canonical_string(vwo_ns) == "11e13cd7-6c48-53ec-8679-7e9c752273c5");
    CHECK(to_canonical_string(uuid_v5(vwo_ns, "12345")) == "97d17ffc-0125-5425-b97d-fc90f848216a");
    CHECK(to_canonical_string(visitor_uuid_generator("12345").account_namespace()) ==
          "97d17ffc-0125-5425-b97d-fc90f848216a");
}

TEST_CASE("visitor UUIDs match every vector of the protocol spec", "[uuid]")
{
    struct vector_row {
        const char* account;
        const char* user;
        const char* expected;
    };
    const vector_row rows[] = {
        {"12345", "Varun", "C4D95C097902569F9A2D2E87CD3201C8"},
        {"12345", "Alice", "E3B732864F315FB6974BC3EF4E2FD920"},
        {"12345", "__123__", "50A5B167FB6356A796F91D8951E480EE"},
        {"12345", "We@#dcs3232.f3", "AAB4580A6BB3525FAA31DC341752D501"},
        {"123456", "user-1", "D8E56BFF89A75539B46C1FECD3C97D7C"},
        {"123456", "user 1", "67DBAFBF600B5C5F99DCD5CBBE8C0555"},
        {"123456", "user-2", "26249BAC74C55731BD5448046C947C96"},
        {"1", "u", "027E97ABB99E52E28296B5116305ECF9"},
        {"60781", "Ashley", "C13C4BA1CB0C53CDB32B51AF403B3352"},
        {"123456", "\xC3\x9Cn\xC3\xAF" "c\xC3\xB8" "d\xC3\xA9-\xE7\x94\xA8\xE6\x88\xB7",
         "95141D7CFD51519CA9AB5B11239A1042"}, // "Ünïcødé-用户"
        {"987654", "user@example.com", "C98A8E7DC7395826A7ECFECE38C9359C"},
    };
    for (const auto& row : rows) {
        INFO("account " << row.account << ", user " << row.user);
        CHECK(visitor_uuid_generator(row.account)(row.user) == row.expected);
    }
}

TEST_CASE("numeric and string account ids give the same visitor UUID", "[uuid]")
{
    // The settings parser renders a numeric accountId as its decimal text; a string id is used as is.
    const long long numeric = 123456;
    const visitor_uuid_generator from_number(std::to_string(numeric));
    const visitor_uuid_generator from_string("123456");
    CHECK(from_number("user-1") == from_string("user-1"));
    CHECK(from_number.account_namespace() == from_string.account_namespace());
    CHECK(from_number("user-1") == "D8E56BFF89A75539B46C1FECD3C97D7C");
}

TEST_CASE("visitor UUIDs are 32 upper-case hex digits and differ by account", "[uuid]")
{
    const std::string id = visitor_uuid_generator("1")("someone");
    REQUIRE(id.size() == 32);
    for (const char c : id) CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')));
    CHECK(visitor_uuid_generator("1")("someone") != visitor_uuid_generator("2")("someone"));
}
