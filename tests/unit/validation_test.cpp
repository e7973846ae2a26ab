#include "core/validation.hpp"

#include <vwo/error.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using vwo::core::dimension;
using vwo::core::dimensions;
using vwo::core::utf8_code_points;
using vwo::core::check_push;

namespace {

std::string repeat(std::string_view unit, std::size_t count)
{
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += unit;
    return out;
}

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

// check_push's message when it refuses the call (always with errc::invalid_argument), nullopt when it accepts.
std::optional<std::string> rejection(const dimensions& dims, std::string_view user_id)
{
    auto checked = check_push(dims, user_id);
    if (checked) return std::nullopt;
    CHECK(checked.error().code == vwo::errc::invalid_argument);
    return checked.error().message;
}

} // namespace

TEST_CASE("utf8_code_points counts code points of every encoded width", "[validation]")
{
    CHECK(utf8_code_points("") == 0u);
    CHECK(utf8_code_points("abc") == 3u);
    CHECK(utf8_code_points(std::string_view("a\0b", 3)) == 3u); // NUL is a code point like any other
    CHECK(utf8_code_points("\xC3\xA9") == 1u);                  // U+00E9
    CHECK(utf8_code_points("\xE2\x82\xAC") == 1u);              // U+20AC
    CHECK(utf8_code_points("\xF0\x9F\x98\x80") == 1u);          // U+1F600
    CHECK(utf8_code_points("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z") == 5u);
}

TEST_CASE("utf8_code_points accepts the boundaries of every range", "[validation]")
{
    CHECK(utf8_code_points("\x7F") == 1u);             // U+007F, last 1-byte
    CHECK(utf8_code_points("\xC2\x80") == 1u);         // U+0080, first 2-byte
    CHECK(utf8_code_points("\xDF\xBF") == 1u);         // U+07FF
    CHECK(utf8_code_points("\xE0\xA0\x80") == 1u);     // U+0800, first 3-byte
    CHECK(utf8_code_points("\xED\x9F\xBF") == 1u);     // U+D7FF, just below the surrogates
    CHECK(utf8_code_points("\xEE\x80\x80") == 1u);     // U+E000, just above them
    CHECK(utf8_code_points("\xEF\xBF\xBF") == 1u);     // U+FFFF
    CHECK(utf8_code_points("\xF0\x90\x80\x80") == 1u); // U+10000, first 4-byte
    CHECK(utf8_code_points("\xF4\x8F\xBF\xBF") == 1u); // U+10FFFF, the last code point
}

TEST_CASE("utf8_code_points rejects invalid UTF-8", "[validation]")
{
    const char* const invalid[] = {
        "\xC0\xAF",          // overlong '/' (2 bytes)
        "\xC1\xBF",          // overlong U+007F
        "\xE0\x80\xAF",      // overlong '/' (3 bytes)
        "\xE0\x9F\xBF",      // overlong U+07FF
        "\xF0\x80\x80\xAF",  // overlong '/' (4 bytes)
        "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
        "\xED\xA0\x80",      // U+D800, high surrogate
        "\xED\xBF\xBF",      // U+DFFF, low surrogate
        "\xED\xA0\xBD\xED\xB8\x80", // CESU-8 surrogate pair
        "\xF4\x90\x80\x80",  // U+110000
        "\xF5\x80\x80\x80",  // lead byte above F4
        "\xFF",              // never valid
        "\xC3",              // truncated 2-byte
        "\xE2\x82",          // truncated 3-byte
        "\xF0\x9F\x98",      // truncated 4-byte
        "abc\xF0\x9F",       // truncated at the end of a longer text
        "\x80",              // stray continuation
        "a\xBF\x62",         // stray continuation in the middle (then 'b')
        "\xC3\xA9\xA9",      // continuation after a complete sequence
        "\xE2\x28\xA1",      // second byte not a continuation
        "\xF0\x9F\x98\x28",  // fourth byte not a continuation
    };
    for (const char* text : invalid) {
        INFO("input bytes: " << text);
        CHECK_FALSE(utf8_code_points(text).has_value());
    }
}

TEST_CASE("check_push accepts keys and values of 1 and 255 code points of any width", "[validation]")
{
    for (const std::string_view unit : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
        for (const std::size_t length : {std::size_t{1}, std::size_t{255}}) {
            INFO("unit " << unit << " x " << length);
            const std::string text = repeat(unit, length);
            CHECK_FALSE(rejection({{text, "v"}}, "user-1").has_value());
            CHECK_FALSE(rejection({{"k", text}}, "user-1").has_value());
        }
    }
}

TEST_CASE("check_push rejects keys and values of 256 code points of any width", "[validation]")
{
    for (const std::string_view unit : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
        INFO("unit " << unit);
        const std::string text = repeat(unit, 256);

        const auto key_error = rejection({{text, "v"}}, "user-1");
        REQUIRE(key_error.has_value());
        // Quoted cut after 64 bytes, with the full size: a rejected key may be megabytes long.
        const std::size_t cut = 64 - 64 % unit.size(); // never inside a character
        CHECK(contains(*key_error, "key \"" + text.substr(0, cut) + "...(" + std::to_string(text.size()) + " bytes)\""));
        CHECK(vwo::core::utf8_code_points(*key_error).has_value());
        CHECK(contains(*key_error, "256 code points (at most 255 allowed)"));

        const auto value_error = rejection({{"price", text}}, "user-1");
        REQUIRE(value_error);
        CHECK(*value_error == "push rejected: value of key \"price\" has 256 code points (at most 255 allowed)");
    }
}

TEST_CASE("check_push counts code points, not bytes or UTF-16 units", "[validation]")
{
    // 255 four-byte characters: 1020 bytes and 510 UTF-16 units, yet within the limit.
    const std::string emoji = repeat("\xF0\x9F\x98\x80", 255);
    REQUIRE(emoji.size() == 1020);
    CHECK_FALSE(rejection({{"k", emoji}}, "u").has_value());
    // Mixed widths: 254 ASCII + one 4-byte = 255 code points.
    CHECK_FALSE(rejection({{"k", repeat("a", 254) + "\xF0\x9F\x98\x80"}}, "u").has_value());
    CHECK(rejection({{"k", repeat("a", 255) + "\xC3\xA9"}}, "u").has_value());
}

TEST_CASE("check_push rejects empty keys and values with the rule in the message", "[validation]")
{
    const auto empty_key = rejection({{"", "v"}}, "user-1");
    REQUIRE(empty_key);
    CHECK(*empty_key == "push rejected: key \"\" is empty (must be non-empty)");

    const auto empty_value = rejection({{"browser", ""}}, "user-1");
    REQUIRE(empty_value);
    CHECK(*empty_value == "push rejected: value of key \"browser\" is empty (must be non-empty)");
}

TEST_CASE("check_push rejects invalid UTF-8 in keys and values", "[validation]")
{
    const auto bad_value = rejection({{"browser", "chr\xC0\xAFme"}}, "user-1");
    REQUIRE(bad_value);
    CHECK(*bad_value == "push rejected: value of key \"browser\" is not valid UTF-8");

    const auto bad_key = rejection({{"bro\xED\xA0\x80wser", "chrome"}}, "user-1");
    REQUIRE(bad_key);
    // The key's bytes are escaped so the log line itself stays valid UTF-8.
    CHECK(*bad_key == "push rejected: key \"bro\\xED\\xA0\\x80wser\" is not valid UTF-8");
    CHECK(utf8_code_points(*bad_key).has_value());
}

TEST_CASE("check_push requires a user id and at least one pair", "[validation]")
{
    const auto no_user = rejection({{"k", "v"}}, "");
    REQUIRE(no_user);
    CHECK(contains(*no_user, "user id"));
    CHECK(contains(*no_user, "empty"));

    const auto no_pairs = rejection({}, "user-1");
    REQUIRE(no_pairs);
    CHECK(contains(*no_pairs, "at least one"));
}

TEST_CASE("check_push rejects the whole call when any pair is invalid", "[validation]")
{
    const dimensions dims{{"a", "1"}, {"b", "2"}, {"c", ""}, {"d", "4"}};
    const auto error = rejection(dims, "user-1");
    REQUIRE(error);
    CHECK(contains(*error, "key \"c\""));

    // The first failure is the one reported.
    const dimensions two_bad{{"x", ""}, {"", "y"}};
    const auto first = rejection(two_bad, "user-1");
    REQUIRE(first);
    CHECK(contains(*first, "value of key \"x\""));
}

TEST_CASE("check_push rejects duplicate keys", "[validation]")
{
    const auto error = rejection({{"x", "1"}, {"y", "2"}, {"x", "3"}}, "user-1");
    REQUIRE(error);
    CHECK(*error == "push rejected: key \"x\" appears twice (keys must be unique)");

    // Large maps take the sort-based path; it must find the same duplicate.
    dimensions many;
    for (int i = 0; i < 100; ++i) many.push_back({"key" + std::to_string(i), "v"});
    CHECK_FALSE(rejection(many, "user-1").has_value());
    many.push_back({"key42", "again"});
    const auto many_error = rejection(many, "user-1");
    REQUIRE(many_error);
    CHECK(contains(*many_error, "key \"key42\" appears twice"));

    // Keys differing only in case or bytes are distinct.
    CHECK_FALSE(rejection({{"X", "1"}, {"x", "2"}}, "u").has_value());
}

TEST_CASE("check_push accepts an ordinary multi-key call", "[validation]")
{
    CHECK_FALSE(rejection({{"browser", "chrome"}, {"price", "20"}}, "user-1").has_value());
    CHECK_FALSE(rejection({{"a b&c=d", "x/y \"z\" \xC3\xBC+%"}}, "user 1").has_value());
}

TEST_CASE("check_push quotes a key with control bytes escaped, on one line", "[validation]")
{
    const auto error = rejection({{std::string("a\nVWO-SDK - [ERROR]: forged\x1b[2J"), ""}}, "user-1");
    REQUIRE(error);
    CHECK_FALSE(contains(*error, "\n"));
    CHECK_FALSE(contains(*error, "\x1b"));
    CHECK(contains(*error, "a\\x0AVWO-SDK - [ERROR]: forged\\x1B[2J"));
}
