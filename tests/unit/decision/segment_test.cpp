// The segmentation DSL (docs/decisions.md#segmentation). Expected values were printed by running
// vwo-node-sdk 1.73.0's own lib/core/SegmentEvaluator.js on the same trees and variables.

#include "core/decision/segment_parser.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace vwo::core::decision;
using json = nlohmann::ordered_json;

namespace {

attribute_map vars(const char* text)
{
    attribute_map out;
    const json parsed = json::parse(text);
    for (const auto& [key, value] : parsed.items()) {
        if (value.is_string()) out[key] = value.get<std::string>();
        else if (value.is_boolean()) out[key] = value.get<bool>();
        else if (value.is_number_integer()) out[key] = value.get<std::int64_t>();
        else out[key] = value.get<double>();
    }
    return out;
}

bool eval(const char* dsl, const char* variables)
{
    const segment s = compile_segment(json::parse(dsl));
    const attribute_map map = vars(variables);
    return s.evaluate(segment_input{&map, std::nullopt});
}

struct row {
    const char* name;
    const char* dsl;
    const char* variables;
    bool node; // Node's result (undefined/null counted as false)
};

const row rows[] = {
    {"eq", R"j({"custom_variable":{"browser":"chrome"}})j", R"j({"browser":"chrome"})j", true},
    {"eq-miss", R"j({"custom_variable":{"browser":"chrome"}})j", R"j({"browser":"Chrome"})j", false},
    {"absent (even regex(.*))", R"j({"custom_variable":{"browser":"regex(.*)"}})j", R"j({})j", false},
    {"lower", R"j({"custom_variable":{"browser":"lower(ChRome)"}})j", R"j({"browser":"CHROME"})j", true},
    {"lower unicode", R"j({"custom_variable":{"city":"lower(ÜBER)"}})j", R"j({"city":"über"})j", true},
    {"wildcard contains", R"j({"custom_variable":{"url":"wildcard(*vwo*)"}})j", R"j({"url":"https://vwo.com/x"})j", true},
    {"wildcard ends", R"j({"custom_variable":{"url":"wildcard(*.com)"}})j", R"j({"url":"a.com"})j", true},
    {"wildcard starts", R"j({"custom_variable":{"url":"wildcard(https*)"}})j", R"j({"url":"https://x"})j", true},
    {"wildcard without star is equality", R"j({"custom_variable":{"url":"wildcard(abc)"}})j", R"j({"url":"abc"})j", true},
    {"wildcard inner star is literal", R"j({"custom_variable":{"url":"wildcard(a*c)"}})j", R"j({"url":"abc"})j", false},
    {"wildcard inner star literal match", R"j({"custom_variable":{"url":"wildcard(a*c)"}})j", R"j({"url":"a*c"})j", true},
    {"wildcard(*) matches a present value", R"j({"custom_variable":{"url":"wildcard(*)"}})j", R"j({"url":""})j", true},
    {"regex", R"j({"custom_variable":{"email":"regex(^[a-z]+@vwo\\.com$)"}})j", R"j({"email":"ab@vwo.com"})j", true},
    {"regex numeric prefix (SEG_REGEX_NUMERIC_PREFIX)", R"j({"custom_variable":{"age":"regex(10|20|30)"}})j",
     R"j({"age":20})j", false},
    {"regex numeric prefix, non-numeric tag", R"j({"custom_variable":{"age":"regex(10|20|30)"}})j", R"j({"age":"x20"})j",
     true},
    {"regex invalid (SEG_REGEX_INVALID)", R"j({"custom_variable":{"x":"regex([)"}})j", R"j({"x":"["})j", false},
    {"gt", R"j({"custom_variable":{"age":"gt(30)"}})j", R"j({"age":31})j", true},
    {"gt equal", R"j({"custom_variable":{"age":"gt(30)"}})j", R"j({"age":30})j", false},
    {"gte", R"j({"custom_variable":{"age":"gte(30)"}})j", R"j({"age":30})j", true},
    {"lt", R"j({"custom_variable":{"price":"lt(18.5)"}})j", R"j({"price":"18.4"})j", true},
    {"lte .5", R"j({"custom_variable":{"price":"lte(.5)"}})j", R"j({"price":0.5})j", true},
    {"gt(-5) is literal equality", R"j({"custom_variable":{"t":"gt(-5)"}})j", R"j({"t":0})j", false},
    {"gt(-5) literal matches its text", R"j({"custom_variable":{"t":"gt(-5)"}})j", R"j({"t":"gt(-5)"})j", true},
    {"gt(5.)", R"j({"custom_variable":{"t":"gt(5.)"}})j", R"j({"t":6})j", true},
    {"numeric normalisation 99.90 (SEG_NUMERIC_EQ_NORMALISED)", R"j({"custom_variable":{"p":"99.90"}})j",
     R"j({"p":99.9})j", true},
    {"25.0 equals 25", R"j({"custom_variable":{"p":"25.0"}})j", R"j({"p":"25"})j", true},
    {"0 is not normalised (SEG_ZERO_NOT_NORMALISED)", R"j({"custom_variable":{"p":"0"}})j", R"j({"p":"0.0"})j", false},
    {"12abc equals 12", R"j({"custom_variable":{"p":"12"}})j", R"j({"p":"12abc"})j", true},
    {"boolean tag", R"j({"custom_variable":{"member":"true"}})j", R"j({"member":true})j", true},
    {"numeric operand equals through normalisation", R"j({"custom_variable":{"n":25}})j", R"j({"n":"25.0"})j", true},
    {"numeric operand, non-numeric tag", R"j({"custom_variable":{"n":25}})j", R"j({"n":"abc"})j", false},
    {"boolean operand never equals", R"j({"custom_variable":{"n":true}})j", R"j({"n":"true"})j", false},
    {"empty and (SEG_EMPTY_AND)", R"j({"and":[]})j", R"j({})j", true},
    {"empty or", R"j({"or":[]})j", R"j({})j", false},
    {"not", R"j({"not":{"custom_variable":{"a":"1"}}})j", R"j({"a":"2"})j", true},
    {"unknown operator (SEG_UNKNOWN_OPERATOR)", R"j({"foo":1})j", R"j({})j", false},
    {"not of unknown operator", R"j({"not":{"foo":1}})j", R"j({})j", true},
    {"only the first key (SEG_MULTI_KEY_OBJECT)", R"j({"custom_variable":{"browser":"chrome","country":"US"}})j",
     R"j({"browser":"chrome","country":"IN"})j", true},
    {"integer-like keys first", R"j({"custom_variable":{"browser":"chrome","1":"x"}})j", R"j({"browser":"chrome","1":"y"})j",
     false},
    {"user list, trimmed", R"j({"user":"a, b ,c"})j", R"j({"_vwoUserId":"b"})j", true},
    {"user against a number", R"j({"user":"1,2"})j", R"j({"_vwoUserId":2})j", false},
    {"user operand not a string throws", R"j({"user":5})j", R"j({"_vwoUserId":"5"})j", false},
    {"null node throws", R"j({"and":[null]})j", R"j({})j", false},
    {"empty object node throws, even inside or", R"j({"or":[{},{"custom_variable":{"a":"1"}}]})j", R"j({"a":"1"})j",
     false},
    {"and over an object", R"j({"and":{"x":1}})j", R"j({})j", true},
    {"and over a number", R"j({"and":5})j", R"j({})j", true},
    {"and over a string", R"j({"and":"abc"})j", R"j({})j", false},
    {"or over a string", R"j({"or":"abc"})j", R"j({})j", false},
    {"custom_variable with a string operand", R"j({"custom_variable":"abc"})j", R"j({"0":"a"})j", true},
    {"custom_variable with an array operand", R"j({"custom_variable":["x"]})j", R"j({"0":"x"})j", true},
    {"custom_variable null throws", R"j({"custom_variable":null})j", R"j({})j", false},
    {"lower() ignores trailing text", R"j({"custom_variable":{"b":"lower(X)yz"}})j", R"j({"b":"x"})j", true},
    {"regex() ignores trailing text", R"j({"custom_variable":{"b":"regex(^x$)tail"}})j", R"j({"b":"x"})j", true},
    {"lower(99.9) is numeric", R"j({"custom_variable":{"v":"lower(99.9)"}})j", R"j({"v":"99.90"})j", true},
    {"Infinity normalises to NaN on both sides", R"j({"custom_variable":{"v":"Infinity"}})j", R"j({"v":"Infinity"})j",
     true},
    {"1e21 normalises through parseInt", R"j({"custom_variable":{"v":"1e21"}})j", R"j({"v":"1000000000000000000000"})j",
     true},
    {"gt against 1e21 (parseInt gives 1)", R"j({"custom_variable":{"v":"gt(5)"}})j", R"j({"v":"1e21"})j", false},
    {"double tag", R"j({"custom_variable":{"v":"3.14"}})j", R"j({"v":3.14})j", true},
    {"integer tag", R"j({"custom_variable":{"v":"100"}})j", R"j({"v":100})j", true},
    {"regex . is one UTF-16 unit (BMP)", R"j({"custom_variable":{"v":"regex(^.$)"}})j", R"j({"v":"é"})j", true},
    {"regex . is one UTF-16 unit (astral: two)", R"j({"custom_variable":{"v":"regex(^.$)"}})j", R"j({"v":"😀"})j", false},
    {"regex .. matches an astral character", R"j({"custom_variable":{"v":"regex(^..$)"}})j", R"j({"v":"😀"})j", true},
    {"not null throws", R"j({"not":null})j", R"j({})j", false},
    {"nested", R"j({"and":[{"or":[{"custom_variable":{"a":"1"}},{"custom_variable":{"b":"2"}}]},{"not":{"custom_variable":{"c":"3"}}}]})j",
     R"j({"a":"0","b":"2","c":"4"})j", true},
};

} // namespace

TEST_CASE("Segment DSL evaluates as Node's SegmentEvaluator", "[decision][segment]")
{
    for (const auto& r : rows) {
        INFO(r.name << ": " << r.dsl << " with " << r.variables);
        CHECK(eval(r.dsl, r.variables) == r.node);
    }
}

TEST_CASE("Malformed trees compile with an error and evaluate to false", "[decision][segment]")
{
    for (const char* dsl : {R"j({"and":[null]})j", R"j({"or":[{}]})j", R"j({"user":5})j", R"j({"custom_variable":null})j",
                            R"j({"custom_variable":{}})j", R"j({"not":[]})j", R"j({"and":{"length":2}})j"}) {
        INFO(dsl);
        const segment s = compile_segment(json::parse(dsl));
        CHECK(s.shape() == segment::form::tree);
        CHECK_FALSE(s.error().empty());
        CHECK_FALSE(s.evaluate(segment_input{}));
    }
    const segment s = compile_segment(json::parse(R"j({"and":[{"custom_variable":{"a":"1"}},{"user":[1]}]})j"));
    CHECK(s.error() == "segment $.and[1].user: the operand is not a string");
}

TEST_CASE("Top-level forms: {} and non-objects mean no segmentation", "[decision][segment]")
{
    CHECK(compile_segment(json::parse("{}")).shape() == segment::form::empty_object);
    CHECK(compile_segment(json::parse("{}")).evaluate({}));
    for (const char* dsl : {"null", "[]", "[{\"foo\":1}]", "\"x\"", "5"}) {
        const segment s = compile_segment(json::parse(dsl));
        CHECK(s.shape() == segment::form::not_object);
        CHECK(s.evaluate({}));
    }
}

TEST_CASE("The injected _vwoUserId overrides the caller's", "[decision][segment]")
{
    const segment s = compile_segment(json::parse(R"j({"or":[{"user":"alice"},{"custom_variable":{"_vwoUserId":"bob"}}]})j"));
    const attribute_map map{{"_vwoUserId", std::string("alice")}};
    CHECK(s.evaluate(segment_input{&map, std::nullopt}));
    CHECK_FALSE(s.evaluate(segment_input{&map, std::string_view("carol")}));
    CHECK(s.evaluate(segment_input{&map, std::string_view("bob")}));
    CHECK(s.evaluate(segment_input{nullptr, std::string_view("alice")}));
}

TEST_CASE("Conditions precompute the operand side of normalisation", "[decision][segment]")
{
    const auto c = compile_condition("v", json("regex(10|20|30)"));
    CHECK(c.type == operand_type::regex);
    CHECK(c.value == "10|20|30");
    CHECK(c.numeric);
    CHECK(c.normalised == "10");
    const auto w = compile_condition("v", json("wildcard(**)"));
    CHECK(w.type == operand_type::contains);
    CHECK(w.value.empty());
    const auto g = compile_condition("v", json("gte(5)x"));
    CHECK(g.type == operand_type::gte);
    CHECK(g.value == "5");
    const auto l = compile_condition("v", json("lower(a\nb)"));
    CHECK(l.type == operand_type::equal); // `.` stops at the line break: no ')' on the first line
}

namespace {

bool regex_matches(const std::string& pattern, const std::string& value)
{
    json dsl;
    dsl["custom_variable"]["v"] = "regex(" + pattern + ")";
    const segment s = compile_segment(dsl);
    attribute_map map;
    map["v"] = value;
    return s.evaluate(segment_input{&map, std::nullopt});
}

} // namespace

TEST_CASE("regex patterns JavaScript rejects for stacked quantifiers are false, not a hang", "[decision][segment]")
{
    // SyntaxError "Nothing to repeat" in JavaScript (Node: false); libstdc++ would accept them and
    // backtrack exponentially (the fuzz_decisions regression stacked_quantifier_regex_backtracks_exponentially).
    for (const char* pattern : {"x**", "x+*", "x*+", ".???", "x{2}{3}", "x*?*", ".??????*u"})
        CHECK_FALSE(regex_matches(pattern, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    // Valid JavaScript: lazy quantifiers, escaped or bracketed quantifier characters, counted repeats.
    CHECK(regex_matches("x*?y", "xxy"));
    CHECK(regex_matches("x??y", "xy"));
    CHECK(regex_matches("a\\*\\*", "a**"));
    CHECK(regex_matches("[*+?]{2}", "*?"));
    CHECK(regex_matches("x{2}y", "xxy"));
}

TEST_CASE("regex conditions bound the value and the pattern they run on", "[decision][segment]")
{
    // libstdc++'s matcher recurses per character: a long value could overflow the caller's stack
    // (the fuzz_decisions regression regex_recursion_overflows_stack_on_10k_value).
    const std::string at_limit(max_regex_subject_units, 'x');
    CHECK(regex_matches("^x*$", at_limit));
    CHECK_FALSE(regex_matches("^x*$", at_limit + "x"));
    CHECK_FALSE(regex_matches("(((x|y)))*z", std::string(10000, 'x') + "z"));
    const std::string long_pattern(max_regex_pattern_units + 1, 'x');
    CHECK_FALSE(regex_matches(long_pattern, long_pattern));
    const std::string pattern_at_limit(max_regex_pattern_units, 'x');
    CHECK(regex_matches(pattern_at_limit, pattern_at_limit));
}
