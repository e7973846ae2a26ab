#include "core/url_encoding.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace vwo::core;

namespace {

std::string query_value(std::string_view text)
{
    std::string out;
    append_query_value(out, text);
    return out;
}

std::string all_bytes()
{
    std::string text;
    for (int c = 0; c < 256; ++c) text += static_cast<char>(c);
    return text;
}

} // namespace

TEST_CASE("encode_uri_component matches JavaScript's encodeURIComponent", "[url]")
{
    CHECK(encode_uri_component("") == "");
    CHECK(encode_uri_component("AZaz09-_.!~*'()") == "AZaz09-_.!~*'()");
    CHECK(encode_uri_component("a b&c=d") == "a%20b%26c%3Dd");
    CHECK(encode_uri_component("x/y \"z\" \xC3\xBC+%") == "x%2Fy%20%22z%22%20%C3%BC%2B%25");
    CHECK(encode_uri_component(R"({"u":{"browser":"chrome"}})") == "%7B%22u%22%3A%7B%22browser%22%3A%22chrome%22%7D%7D");
    CHECK(encode_uri_component("#$&+,/:;=?@[]") == "%23%24%26%2B%2C%2F%3A%3B%3D%3F%40%5B%5D");
    CHECK(encode_uri_component("\xF0\x9F\x98\x80") == "%F0%9F%98%80");
    CHECK(encode_uri_component(std::string_view("\0\n\x7F", 3)) == "%00%0A%7F");
}

TEST_CASE("append_encode_uri_component appends", "[url]")
{
    std::string out = "t=";
    append_encode_uri_component(out, "a b");
    CHECK(out == "t=a%20b");
}

TEST_CASE("append_query_value keeps only RFC 3986 unreserved characters", "[url]")
{
    CHECK(query_value("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(query_value("a+b") == "a%2Bb");
    CHECK(query_value("a b") == "a%20b");
    // encodeURIComponent's extra marks are sub-delims or reserved in a query: escape them too.
    CHECK(query_value("!*'()") == "%21%2A%27%28%29");
    CHECK(query_value("{\"u\":1}") == "%7B%22u%22%3A1%7D");
    CHECK(query_value("\xC3\xBC") == "%C3%BC");

    // Every byte: the output only ever holds unreserved characters and upper-case escapes.
    const std::string encoded = query_value(all_bytes());
    CHECK(encoded.size() == 66 + (256 - 66) * 3); // 66 unreserved bytes stay, the rest triple
    for (const char c : encoded) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '~' || c == '%';
        CHECK(ok);
    }
    CHECK(percent_decode(encoded) == all_bytes());
}

TEST_CASE("append_query_param joins parameters with '&'", "[url]")
{
    std::string target = "/p?";
    append_query_param(target, "a", "1");
    append_query_param(target, "b", "x y");
    append_query_param(target, "empty", "");
    CHECK(target == "/p?a=1&b=x%20y&empty=");

    std::string bare;
    append_query_param(bare, "a", "1");
    CHECK(bare == "a=1");
    append_query_param(bare, "c", "+");
    CHECK(bare == "a=1&c=%2B");
}

TEST_CASE("percent_decode", "[url]")
{
    CHECK(percent_decode("") == "");
    CHECK(percent_decode("plain") == "plain");
    CHECK(percent_decode("a%20b%2bc") == "a b+c"); // lower-case hex accepted
    CHECK(percent_decode("a+b") == "a+b");         // '+' is not a space here
    CHECK(percent_decode("%C3%BC") == "\xC3\xBC");
    CHECK(percent_decode("%00") == std::string(1, '\0'));
    CHECK_FALSE(percent_decode("%").has_value());
    CHECK_FALSE(percent_decode("%2").has_value());
    CHECK_FALSE(percent_decode("abc%4").has_value());
    CHECK_FALSE(percent_decode("%G0").has_value());
    CHECK_FALSE(percent_decode("%0G").has_value());
}

TEST_CASE("percent_decode inverts both encoders", "[url]")
{
    const std::string text = all_bytes();
    CHECK(percent_decode(encode_uri_component(text)) == text);
    CHECK(percent_decode(query_value(text)) == text);
}
