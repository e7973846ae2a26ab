#include "core/json_writer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using vwo::core::append_json_string;

namespace {

std::string json_string(std::string_view text)
{
    std::string out;
    append_json_string(out, text);
    return out;
}

} // namespace

TEST_CASE("append_json_string escapes exactly like JSON.stringify", "[json]")
{
    CHECK(json_string("") == R"("")");
    CHECK(json_string("chrome") == R"("chrome")");
    CHECK(json_string("a\"b") == R"("a\"b")");
    CHECK(json_string("a\\b") == R"("a\\b")");
    CHECK(json_string("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(json_string(std::string_view("\0", 1)) == R"("\u0000")");
    CHECK(json_string("\x01\x1F") == R"("\u0001\u001f")"); // lower-case hex
    CHECK(json_string("\x0B") == R"("\u000b")");           // vertical tab has no short form
    CHECK(json_string("\x7F") == "\"\x7F\"");              // DEL is not escaped
    CHECK(json_string("a/b") == R"("a/b")");               // '/' stays
    CHECK(json_string("\xC3\xBC\xE7\x94\xA8\xF0\x9F\x98\x80") == "\"\xC3\xBC\xE7\x94\xA8\xF0\x9F\x98\x80\"");
    CHECK(json_string("\xE2\x80\xA8") == "\"\xE2\x80\xA8\""); // U+2028 stays raw, as in JSON.stringify
}

TEST_CASE("append_json_string appends to existing text", "[json]")
{
    std::string out = "{\"k\":";
    append_json_string(out, "v\n");
    out += '}';
    CHECK(out == R"({"k":"v\n"})");
}

TEST_CASE("append_json_string output round-trips through a JSON parser", "[json]")
{
    std::string every_control;
    for (int c = 0; c < 0x20; ++c) every_control += static_cast<char>(c);

    const std::string inputs[] = {
        every_control,
        "quote \" backslash \\ slash /",
        "\\\"\\\"",                   // escapes that look like escapes
        "\\u0041",                    // literal backslash-u text must stay literal
        "x/y \"z\" \xC3\xBC+%",
        "\xC3\x9Cn\xC3\xAF" "c\xC3\xB8" "d\xC3\xA9-\xE7\x94\xA8\xE6\x88\xB7",
        "\xF0\x9F\x98\x80\xF0\x9F\x8E\x89 4-byte \xF4\x8F\xBF\xBF",
        "mixed\x01\xE2\x82\xAC\t\"end",
    };
    for (const std::string& input : inputs) {
        INFO("input: " << input);
        const std::string text = "{\"k\":" + json_string(input) + "}";
        const auto parsed = nlohmann::json::parse(text);
        CHECK(parsed.at("k").get<std::string>() == input);
        // Non-ASCII is never escaped: the UTF-8 bytes appear verbatim.
        for (const char c : input) {
            if (static_cast<unsigned char>(c) >= 0x80) CHECK(text.find(c) != std::string::npos);
        }
    }
}

TEST_CASE("append_json_string agrees with nlohmann's serializer on every ASCII byte", "[json]")
{
    // nlohmann escapes the same set (\" \\ \b \f \n \r \t, \u00xx otherwise) with lower-case hex.
    for (int c = 0; c < 0x80; ++c) {
        const std::string input(1, static_cast<char>(c));
        INFO("byte " << c);
        CHECK(json_string(input) == nlohmann::json(input).dump());
    }
}

TEST_CASE("append_json_string replaces invalid UTF-8 with U+FFFD, so the body stays valid JSON", "[json][hostile]")
{
    const std::string replacement = "\xEF\xBF\xBD";
    std::string out;
    vwo::core::append_json_string(out, "ok \xC3\xA9 \xF0\x9F\x98\x80 bad \xC0\xAF \xED\xA0\x80 \xFF end \xE2\x82");
    CHECK(out == "\"ok \xC3\xA9 \xF0\x9F\x98\x80 bad " + replacement + replacement + " " + replacement + replacement +
                     replacement + " " + replacement + " end " + replacement + replacement + "\"");
    CHECK_NOTHROW(nlohmann::json::parse(out));
}
