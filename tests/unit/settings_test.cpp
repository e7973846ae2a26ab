// The top-level fields of core::parse_account (core/account.hpp) and the limits it applies.

#include "core/account.hpp"
#include "core/json_limits.hpp"

#include <vwo/error.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <type_traits>

using vwo::core::account;
using vwo::core::parse_account;

namespace {

// parse_account's outcome as a pointer and a message, so each check reads "value" or "error".
struct parsed {
    std::shared_ptr<const account> value; ///< set on success
    std::string error;                    ///< the failure's message
};

parsed parse_text(std::string_view text)
{
    auto result = parse_account(text);
    if (result) return {*result, {}};
    CHECK(result.error().code == vwo::errc::invalid_settings);
    CHECK_FALSE(result.error().message.empty());
    return {nullptr, result.error().message};
}

// A campaign that passes every check of the campaign model.
nlohmann::json valid_campaign(int id)
{
    return {{"id", id}, {"key", "c" + std::to_string(id)}, {"type", "VISUAL_AB"}, {"status", "RUNNING"},
            {"percentTraffic", 100}, {"segments", nlohmann::json::object()}, {"goals", nlohmann::json::array()},
            {"variations", nlohmann::json::array()}};
}

nlohmann::json minimal()
{
    return nlohmann::json::parse(
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})");
}

parsed parse(const nlohmann::json& document)
{
    return parse_text(document.dump());
}

// Asserts failure and that the message names `field` and contains `problem`.
void require_error(const parsed& result, std::string_view field, std::string_view problem)
{
    INFO("error: " << result.error);
    REQUIRE(result.value == nullptr);
    CHECK(result.error.find(field) != std::string::npos);
    CHECK(result.error.find(problem) != std::string::npos);
}

} // namespace

TEST_CASE("parse_account reads a minimal file", "[settings]")
{
    const auto result = parse(minimal());
    REQUIRE(result.value != nullptr);
    CHECK(result.error.empty());
    const auto& s = *result.value;
    CHECK(s.account_id == "123456");
    CHECK(s.sdk_key == "abcdef0123456789abcdef0123456789");
    CHECK(s.version == "1");
    CHECK_FALSE(s.event_arch_enabled);
    CHECK(s.collection_prefix.empty());
    CHECK(s.campaign_count() == 0);
}

TEST_CASE("parse_account reads every optional field", "[settings]")
{
    auto doc = minimal();
    doc["isEventArchEnabled"] = true;
    doc["collectionPrefix"] = "eu01";
    doc["campaigns"] = nlohmann::json::array({valid_campaign(1), valid_campaign(2)});
    doc["unrelated"] = {{"nested", 1}};
    const auto result = parse(doc);
    REQUIRE(result.value);
    CHECK(result.value->event_arch_enabled);
    CHECK(result.value->collection_prefix == "eu01");
    CHECK(result.value->campaign_count() == 2);

    // null means "not set" for the optional fields.
    doc["isEventArchEnabled"] = nullptr;
    doc["collectionPrefix"] = nullptr;
    const auto nulls = parse(doc);
    REQUIRE(nulls.value);
    CHECK_FALSE(nulls.value->event_arch_enabled);
    CHECK(nulls.value->collection_prefix.empty());
}

TEST_CASE("parse_account: accountId as number or string", "[settings]")
{
    auto doc = minimal();
    doc["accountId"] = "60781";
    const auto text = parse(doc);
    REQUIRE(text.value);
    CHECK(text.value->account_id == "60781");

    doc["accountId"] = 0;
    CHECK(parse(doc).value->account_id == "0");
    doc["accountId"] = 18446744073709551615ULL;
    CHECK(parse(doc).value->account_id == "18446744073709551615");

    for (const auto& bad : {nlohmann::json(-1), nlohmann::json(1.5), nlohmann::json(""), nlohmann::json("12a"),
                            nlohmann::json("-5"), nlohmann::json(" 12"), nlohmann::json(true),
                            nlohmann::json::array({1}), nlohmann::json(nullptr)}) {
        doc["accountId"] = bad;
        INFO("accountId " << bad.dump());
        require_error(parse(doc), "accountId", "non-negative integer or a string of decimal digits");
    }
}

TEST_CASE("parse_account: every required field is reported when missing", "[settings]")
{
    for (const char* field : {"accountId", "sdkKey", "version", "campaigns"}) {
        auto doc = minimal();
        doc.erase(field);
        require_error(parse(doc), field, "is missing");
    }
}

TEST_CASE("parse_account: wrong types", "[settings]")
{
    auto doc = minimal();
    doc["sdkKey"] = 42;
    require_error(parse(doc), "sdkKey", "non-empty string");
    doc["sdkKey"] = "";
    require_error(parse(doc), "sdkKey", "non-empty string");

    doc = minimal();
    doc["version"] = "25";
    REQUIRE(parse(doc).value);
    CHECK(parse(doc).value->version == "25");
    doc["version"] = 2.5;
    CHECK(parse(doc).value->version == "2.5");
    doc["version"] = nlohmann::json::object();
    require_error(parse(doc), "version", "number or a string");
    doc["version"] = true;
    require_error(parse(doc), "version", "number or a string");

    doc = minimal();
    doc["campaigns"] = nlohmann::json::object();
    require_error(parse(doc), "campaigns", "must be an array");
    doc["campaigns"] = nullptr;
    require_error(parse(doc), "campaigns", "must be an array");

    doc = minimal();
    doc["isEventArchEnabled"] = "true";
    require_error(parse(doc), "isEventArchEnabled", "boolean");
    doc["isEventArchEnabled"] = 1;
    require_error(parse(doc), "isEventArchEnabled", "boolean");

    doc = minimal();
    doc["collectionPrefix"] = 7;
    require_error(parse(doc), "collectionPrefix", "must be a string");
}

TEST_CASE("parse_account: collectionPrefix must be one safe path segment", "[settings]")
{
    auto doc = minimal();
    for (const char* good : {"eu01", "a-b_c.d~e", "X"}) {
        doc["collectionPrefix"] = good;
        const auto result = parse(doc);
        REQUIRE(result.value);
        CHECK(result.value->collection_prefix == good);
    }
    // Empty is no prefix, as in Node (a falsy collectionPrefix is ignored there).
    doc["collectionPrefix"] = "";
    REQUIRE(parse(doc).value);
    CHECK(parse(doc).value->collection_prefix.empty());
    for (const char* bad : {"a/b", "/eu", "e u", "eu?x", "eu%2F", ".", "..", "\xC3\xBC"}) {
        doc["collectionPrefix"] = bad;
        INFO("prefix " << bad);
        require_error(parse(doc), "collectionPrefix", "path segment");
    }
}

TEST_CASE("parse_account: malformed JSON never throws", "[settings]")
{
    for (const char* text : {"", "{", "{\"accountId\":1,}", "not json", "{\"a\":\"\xC0\xAF\"}", "[1,2"}) {
        INFO("text " << text);
        parsed result;
        CHECK_NOTHROW(result = parse_text(text));
        REQUIRE_FALSE(result.value);
        CHECK(result.error.find("malformed JSON") != std::string::npos);
        CHECK(result.error.find("syntax error near byte") != std::string::npos);
        CHECK(result.error.find("parse error") == std::string::npos); // never the parser's own message
    }
    for (const char* text : {"[]", "123", "\"text\"", "null"}) {
        INFO("text " << text);
        require_error(parse_text(text), "top level", "object");
    }
}

TEST_CASE("parse_account: a truncated file's message never quotes its text (the SDK key)", "[settings][hostile]")
{
    const std::string key = "abcdef0123456789abcdef0123456789";
    const std::string full = R"({"accountId":123456,"sdkKey":")" + key + R"(","version":1,"campaigns":[]})";
    for (std::size_t cut : {std::size_t(40), std::size_t(40 + key.size()), full.size() - 1}) {
        INFO("cut at " << cut);
        const auto result = parse_text(std::string_view(full).substr(0, cut));
        REQUIRE_FALSE(result.value);
        CHECK(result.error.find("malformed JSON") != std::string::npos);
        CHECK(result.error.find(key.substr(0, 8)) == std::string::npos);
        CHECK(result.error.find("sdkKey") == std::string::npos);
    }
}

TEST_CASE("parse_account: nesting past the depth limit is refused, fast and without a crash", "[settings][hostile]")
{
    for (const char* open_close : {"[]", "{}"}) {
        const std::size_t depth = 100000;
        std::string text = R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[],"x":)";
        if (open_close[0] == '[') {
            text += std::string(depth, '[') + std::string(depth, ']');
        } else {
            for (std::size_t i = 0; i < depth; ++i) text += R"({"a":)";
            text += "1" + std::string(depth, '}');
        }
        text += "}";
        const auto result = parse_text(text);
        REQUIRE_FALSE(result.value);
        CHECK(result.error.find("nested deeper than 128 levels") != std::string::npos);
    }
    // At the limit it parses; brackets inside strings do not count.
    std::string ok = R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[],"s":"[[[[{{{{\"[[[","x":)";
    ok += std::string(126, '[') + std::string(126, ']') + "}";
    CHECK(parse_text(ok).value);
    CHECK_FALSE(vwo::core::json_too_deep_at(ok).has_value());
    CHECK(vwo::core::json_too_deep_at(std::string(129, '[')) == 128);
}

TEST_CASE("parse_account: an sdkKey that could inject a header is refused, and never quoted", "[settings][hostile]")
{
    auto doc = minimal();
    for (const std::string& bad : {std::string("key\r\nX-Injected: 1"), std::string("key\nGET / HTTP/1.1"),
                                  std::string("key with space"), std::string("k\x01y"), std::string("k\xC3\xA9y"),
                                  std::string(257, 'k')}) {
        doc["sdkKey"] = bad;
        INFO("sdkKey of " << bad.size() << " bytes");
        const auto result = parse(doc);
        REQUIRE_FALSE(result.value);
        CHECK(result.error.find("sdkKey") != std::string::npos);
        CHECK(result.error.find(bad.substr(0, 3) == "key" ? "key\r" : bad) == std::string::npos);
        CHECK(result.error.find("Injected") == std::string::npos);
    }
    doc["sdkKey"] = std::string(256, 'k');
    CHECK(parse(doc).value);
}

TEST_CASE("numbers past double's range read as JavaScript reads them: Infinity", "[settings][conformance]")
{
    using vwo::core::overflowing_numbers_as_strings;
    CHECK_FALSE(overflowing_numbers_as_strings(R"({"a":[1,2.5,-3e10,1e-400,"1e400"]})").has_value());
    const std::string digits400 = "1" + std::string(400, '0');
    const auto out = overflowing_numbers_as_strings("{\"a\":[1e400,-1E+999,\"x\\\"1e400\"," + digits400 + "],\"b\":1e400}");
    REQUIRE(out);
    CHECK(*out == R"({"a":["Infinity","-Infinity","x\"1e400","Infinity"],"b":"Infinity"})");
    // A settings file with such a number is accepted.
    std::string text = R"({"accountId":1,"sdkKey":"k","version":1e400,"campaigns":[]})";
    const auto parsed = parse_text(text);
    REQUIRE(parsed.value);
    CHECK(parsed.value->version == "Infinity");
}

TEST_CASE("parse_account: one parse gives the whole account, campaigns included", "[settings][account]")
{
    static_assert(std::is_same_v<decltype(parse_account("")),
                                 vwo::core::outcome<std::shared_ptr<const account>>>,
                  "an account is handed out only as a pointer to const: a snapshot to swap, never to change");
    static_assert(!std::is_copy_constructible_v<account> && !std::is_copy_assignable_v<account>);

    auto doc = minimal();
    doc["isNB"] = true;
    doc["campaigns"] = nlohmann::json::array({valid_campaign(7), valid_campaign(9)});
    const auto result = parse(doc);
    REQUIRE(result.value);
    const account& a = *result.value;
    CHECK(a.account_id == "123456");
    CHECK(a.campaigns.account_id() == "123456");
    CHECK(a.campaigns.is_nb());
    REQUIRE(a.campaign_count() == 2);
    REQUIRE(a.campaigns.find_campaign("c9") != nullptr);
    CHECK(a.campaigns.find_campaign("c9")->id.text == "9");

    // The campaigns alone share the account's lifetime.
    auto campaigns = vwo::core::campaigns_of(result.value);
    REQUIRE(campaigns.get() == &a.campaigns);
    CHECK(vwo::core::campaigns_of(nullptr) == nullptr);
}

TEST_CASE("parse_account: a campaign error fails the whole account", "[settings][account]")
{
    auto doc = minimal();
    auto broken = valid_campaign(3);
    broken.erase("status");
    doc["campaigns"] = nlohmann::json::array({valid_campaign(1), broken});
    require_error(parse(doc), "campaign 'c3' (campaigns[1])", "status is missing");
    // Top-level errors come before any campaign's.
    doc["sdkKey"] = "";
    require_error(parse(doc), "sdkKey", "non-empty string");
}

