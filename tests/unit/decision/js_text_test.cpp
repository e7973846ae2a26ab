// The JavaScript conversions the decision core replicates (expected values printed by Node 20).

#include "core/decision/js_json.hpp"
#include "core/decision/js_lower_case.hpp"
#include "core/decision/js_text.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace vwo::core::decision;

namespace {

std::string js_string(double v) { return js::number_to_string(v); }
std::string str(double v) { return js::number_to_string(v); } // for NaN-aware comparisons of results

} // namespace

TEST_CASE("Number::toString matches JavaScript", "[decision][js]")
{
    CHECK(js_string(0) == "0");
    CHECK(js_string(-0.0) == "0");
    CHECK(js_string(1) == "1");
    CHECK(js_string(-1) == "-1");
    CHECK(js_string(99.9) == "99.9");
    CHECK(js_string(25.5) == "25.5");
    CHECK(js_string(1e21) == "1e+21");
    CHECK(js_string(1e-7) == "1e-7");
    CHECK(js_string(1.5e-7) == "1.5e-7");
    CHECK(js_string(123456789012345680000.0) == "123456789012345680000");
    CHECK(js_string(1e20) == "100000000000000000000");
    CHECK(js_string(0.1) == "0.1");
    CHECK(js_string(0.000001) == "0.000001");
    CHECK(js_string(1.7976931348623157e308) == "1.7976931348623157e+308");
    CHECK(js_string(5e-324) == "5e-324");
    CHECK(js_string(-123.456) == "-123.456");
    CHECK(js_string(9007199254740994.0) == "9007199254740994");
    CHECK(js_string(100.0 / 30) == "3.3333333333333335");
    CHECK(js_string(0.07 * 100) == "7.000000000000001");
    CHECK(js_string(33.34 * 100) == "3334.0000000000005");
    CHECK(js_string(std::nan("")) == "NaN");
    CHECK(js_string(std::numeric_limits<double>::infinity()) == "Infinity");
    CHECK(js_string(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("parseFloat, parseInt and Number match JavaScript", "[decision][js]")
{
    struct row {
        const char* text;
        const char* parse_float;
        const char* parse_int;
        const char* number;
    };
    // String(parseFloat(x)), String(parseInt(x, 10)), String(Number(x)) from Node.
    const row rows[] = {
        {"12abc", "12", "12", "NaN"},   {"  7 ", "7", "7", "7"},
        {"-0x10", "0", "0", "NaN"},     {"0x10", "0", "0", "16"},
        {".5", "0.5", "NaN", "0.5"},    {"5.", "5", "5", "5"},
        {"1e", "1", "1", "NaN"},        {"1e5x", "100000", "1", "NaN"},
        {"-.e5", "NaN", "NaN", "NaN"},  {"Infinity", "Infinity", "NaN", "Infinity"},
        {"-Infinity", "-Infinity", "NaN", "-Infinity"},
        {"+3.5", "3.5", "3", "3.5"},    {"abc", "NaN", "NaN", "NaN"},
        {"", "NaN", "NaN", "0"},        {"1.2.3", "1.2", "1", "NaN"},
        {"2.5e3", "2500", "2", "2500"}, {"1e400", "Infinity", "1", "Infinity"},
        {"-1e400", "-Infinity", "-1", "-Infinity"},
        {"1e-400", "0", "1", "0"},      {"\xC2\xA0" "12", "12", "12", "12"},
        {"\xEF\xBB\xBF" "3", "3", "3", "3"}, {"\xD9\xA3", "NaN", "NaN", "NaN"},
        {"0.0", "0", "0", "0"},         {"-0", "0", "0", "0"},
        {"00012", "12", "12", "12"},    {"99.90", "99.9", "99", "99.9"},
    };
    for (const auto& r : rows) {
        INFO("text '" << r.text << "'");
        CHECK(str(js::parse_float(r.text)) == r.parse_float);
        CHECK(str(js::parse_int(r.text)) == r.parse_int);
        CHECK(str(js::to_number(r.text)) == r.number);
    }
    CHECK(std::signbit(js::parse_int("-0")));
    CHECK(js::parse_int(std::string(400, '9')) == std::numeric_limits<double>::infinity());
}

TEST_CASE("trim removes JavaScript white space and line terminators", "[decision][js]")
{
    CHECK(js::trim("  a b  ") == "a b");
    CHECK(js::trim("\t\n\r\v\f x \xC2\xA0\xE3\x80\x80\xEF\xBB\xBF") == "x");
    CHECK(js::trim("\xE2\x80\xA8y\xE2\x80\xA9") == "y");
    CHECK(js::trim("") == "");
    CHECK(js::trim("   ") == "");
    CHECK(js::trim("\xC2\x85z") == "\xC2\x85z"); // U+0085 is not JS white space
}

TEST_CASE("toLowerCase is Unicode-aware, with the Final_Sigma rule", "[decision][js]")
{
    CHECK(js::to_lower_case("ChRoMe") == "chrome");
    CHECK(js::to_lower_case("\xC3\x9C" "BER") == "\xC3\xBC" "ber");                     // ÜBER → über
    CHECK(js::to_lower_case("\xC4\xB0") == "i\xCC\x87");                                // İ → i̇
    CHECK(js::to_lower_case("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3") == "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82"); // ΟΔΟΣ → οδος
    CHECK(js::to_lower_case("\xCE\xA3") == "\xCF\x83");                                 // Σ alone → σ
    CHECK(js::to_lower_case("A\xCE\xA3" "b") == "a\xCF\x83" "b");                       // AΣb → aσb
    CHECK(js::to_lower_case("\xD0\x9F\xD0\xA0\xD0\x98") == "\xD0\xBF\xD1\x80\xD0\xB8"); // ПРИ → при
    CHECK(js::to_lower_case("\xF0\x90\x90\x80") == "\xF0\x90\x90\xA8");                 // 𐐀 → 𐐨
    CHECK(js::simple_lower(U'\u212A') == U'k');                                         // KELVIN SIGN
}

TEST_CASE("JSON values as JavaScript sees them", "[decision][js]")
{
    using json = js::json;
    CHECK(js::string_of(json::parse("[1,null,[2,3],\"x\"]")) == "1,,2,3,x");
    CHECK(js::string_of(json::parse("{\"a\":1}")) == "[object Object]");
    CHECK(js::string_of(json::parse("1.0")) == "1");
    CHECK(js::string_of(json::parse("1e21")) == "1e+21");
    CHECK(js::truthy(json::parse("\"0\"")));
    CHECK_FALSE(js::truthy(json::parse("0.0")));
    CHECK_FALSE(js::truthy(json::parse("\"\"")));
    CHECK(js::truthy(json::parse("[]")));
    CHECK(js::truthy(json::parse("{}")));

    std::string key;
    const json* element = nullptr;
    // Integer-like keys come first in Object.keys, ascending; then insertion order.
    REQUIRE(js::first_entry(json::parse(R"({"browser":"x","10":"y","2":"z"})"), key, element));
    CHECK(key == "2");
    REQUIRE(js::first_entry(json::parse(R"({"browser":"x","country":"US"})"), key, element));
    CHECK(key == "browser");
    REQUIRE(js::first_entry(json::parse(R"({"01":"x","b":"y"})"), key, element));
    CHECK(key == "01"); // "01" is not an array index
    CHECK_FALSE(js::first_entry(json::parse("{}"), key, element));
    CHECK_FALSE(js::first_entry(json::parse("null"), key, element));
    CHECK_FALSE(js::first_entry(json::parse("5"), key, element));

    std::string out;
    js::append_stringified(out, json::parse(R"({"b":1.0,"a":[true,null,"\u00e9\n"],"3":1e21,"1":{}})"));
    CHECK(out == R"({"1":{},"3":1e+21,"b":1,"a":[true,null,"é\n"]})");
}
