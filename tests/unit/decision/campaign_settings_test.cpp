// The immutable campaign model (docs/decisions.md#settings-file-fields-the-decisions-read) and its validation messages.

#include "core/decision/campaign_settings.hpp"

#include "parse_campaigns.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace vwo::core::decision;
using vwo_test::parse_campaigns;
using vwo_test::parsed_campaigns;
using json = nlohmann::ordered_json;

namespace {

json base()
{
    return json::parse(R"({
      "accountId": 123456, "sdkKey": "k", "version": 1,
      "campaigns": [{
        "id": 101, "key": "AB_1", "name": "AB one", "type": "VISUAL_AB", "status": "RUNNING",
        "percentTraffic": 50, "segments": {}, "goals": [{"id": 7, "identifier": "buy", "type": "REVENUE_TRACKING",
        "revenueProp": "amount", "mca": -1}],
        "variations": [{"id": 1, "name": "Control", "weight": 33.34, "segments": {}},
                       {"id": "2", "name": "Variation-1", "weight": "33.33"},
                       {"id": 3, "name": "Variation-2", "weight": 33.33, "segments": {"user": "x"}}]
      }]
    })");
}

parsed_campaigns parse(const json& document) { return parse_campaigns(document.dump()); }

void require_error(const json& document, std::string_view part1, std::string_view part2 = {})
{
    const auto result = parse(document);
    INFO("error: " << result.error);
    REQUIRE(result.value == nullptr);
    CHECK(result.error.find(part1) != std::string::npos);
    CHECK(result.error.find(part2) != std::string::npos);
}

} // namespace

TEST_CASE("A campaign is parsed with ranges, plan, ids and goals", "[decision][settings]")
{
    const auto result = parse(base());
    INFO(result.error);
    REQUIRE(result.value);
    const campaign_settings& s = *result.value;
    CHECK(s.account_id() == "123456");
    CHECK_FALSE(s.is_nb());
    REQUIRE(s.campaigns().size() == 1);
    const campaign* c = s.find_campaign("AB_1");
    REQUIRE(c != nullptr);
    CHECK(s.find_campaign("ab_1") == nullptr);
    CHECK(c->id.text == "101");
    CHECK_FALSE(c->id.is_string);
    CHECK(c->type == campaign_type::visual_ab);
    CHECK(c->is_running);
    CHECK(c->name == "AB one");
    CHECK(c->percent_traffic == 50);
    CHECK(c->segments.shape() == segment::form::empty_object);
    CHECK(c->plan.seed == variation_seed::campaign_seed);
    CHECK(c->plan.multiplier == 2);
    CHECK(c->seed_prefix.empty());
    REQUIRE(c->variations.size() == 3);
    CHECK(c->variations[0].range.start == 1);
    CHECK(c->variations[0].range.end == 3335); // 33.34*100 = 3334.0000000000005
    CHECK(c->variations[1].range.start == 3336);
    CHECK(c->variations[1].range.end == 6668); // a string weight: "33.33" * 100
    CHECK(c->variations[1].id.is_string);
    CHECK(c->variations[1].weight_kind == weight_form::string);
    CHECK(c->variations[2].range.end == 10001);
    CHECK(c->variations[0].segments.shape() == segment::form::empty_object);
    CHECK(c->variations[1].segments.shape() == segment::form::not_object);
    CHECK(c->variations[2].segments.shape() == segment::form::tree);
    CHECK(c->control() == &c->variations[0]);
    REQUIRE(c->goals.size() == 1);
    CHECK(c->goals[0].identifier == "buy");
    CHECK(c->goals[0].revenue_prop == "amount");
    CHECK(c->goals[0].mca_is_minus_one);
}

TEST_CASE("Flags: isNB / isNBv2 / isOB by truthiness, schema booleans strictly", "[decision][settings]")
{
    auto doc = base();
    doc["isNB"] = 1;
    doc["campaigns"][0]["isOB"] = "yes";
    doc["campaigns"][0]["isBucketingSeedEnabled"] = true;
    doc["campaigns"][0]["isForcedVariationEnabled"] = nullptr; // null = absent
    auto result = parse(doc);
    REQUIRE(result.value);
    const campaign& c = result.value->campaigns()[0];
    CHECK(result.value->is_nb());
    CHECK(c.is_ob);
    CHECK(c.is_bucketing_seed_enabled);
    CHECK_FALSE(c.is_forced_variation_enabled);
    CHECK(c.plan.seeded);
    CHECK(c.seed_prefix == "101_");
    CHECK(c.plan.seed == variation_seed::campaign_seed); // isNB && isOB: case A

    doc["campaigns"][0]["isMAB"] = "true";
    require_error(doc, "campaign 'AB_1'", "isMAB must be a boolean");
}

TEST_CASE("Groups and campaignGroups", "[decision][settings]")
{
    auto doc = base();
    doc["campaignGroups"] = json::parse(R"({"101": 4})");
    doc["groups"] = json::parse(R"({"4": {"name": "G4", "campaigns": [101, 9999], "et": 2, "p": [101],
                                          "wt": {"101": 60}}})");
    const auto result = parse(doc);
    INFO(result.error);
    REQUIRE(result.value);
    const campaign& c = result.value->campaigns()[0];
    REQUIRE(c.group_index.has_value());
    const campaign_group& g = result.value->groups()[*c.group_index];
    CHECK(g.id == "4");
    CHECK(g.name == "G4");
    CHECK(g.campaign_ids == std::vector<std::string>{"101", "9999"});
    CHECK_FALSE(g.random_algorithm);
    REQUIRE(g.priority.size() == 1);
    CHECK(g.priority[0].text == "101");
    REQUIRE(g.weights.size() == 1);
    CHECK(g.weights[0].second == 60);

    doc["campaignGroups"] = json::parse(R"({"101": 5})");
    require_error(doc, "campaignGroups.101", "which groups does not define");
    doc["campaignGroups"] = json::parse(R"({"101": "4"})");
    require_error(doc, "campaignGroups.101 must be a number");
}

TEST_CASE("Feature variables are type-cast once, by their declared type", "[decision][settings]")
{
    auto doc = base();
    doc["campaigns"][0]["type"] = "FEATURE_ROLLOUT";
    doc["campaigns"][0]["variables"] = json::parse(R"([
      {"id": 1, "key": "i1", "type": "integer", "value": 123},
      {"id": 2, "key": "i2", "type": "integer", "value": "42abc"},
      {"id": 3, "key": "i3", "type": "integer", "value": " 7 "},
      {"id": 4, "key": "i4", "type": "integer", "value": 3.99},
      {"id": 5, "key": "i5", "type": "integer", "value": -0.5},
      {"id": 6, "key": "i6", "type": "integer", "value": "-0x10"},
      {"id": 7, "key": "i7", "type": "integer", "value": "abc"},
      {"id": 8, "key": "d1", "type": "double", "value": "2.5e3"},
      {"id": 9, "key": "d2", "type": "double", "value": ".5"},
      {"id": 10, "key": "d3", "type": "double", "value": "1.2.3"},
      {"id": 11, "key": "d4", "type": "double", "value": "abc"},
      {"id": 12, "key": "d5", "type": "double", "value": "1e400"},
      {"id": 13, "key": "b1", "type": "boolean", "value": false},
      {"id": 14, "key": "b2", "type": "boolean", "value": "true"},
      {"id": 15, "key": "j1", "type": "json", "value": {"b": 1.0, "a": [1, "x"]}},
      {"id": 16, "key": "j2", "type": "json", "value": "{\"a\":1}"},
      {"id": 17, "key": "j3", "type": "json", "value": [1]},
      {"id": 18, "key": "s1", "type": "string", "value": 123},
      {"id": 19, "key": "s2", "type": "string", "value": "hello"},
      {"id": 20, "key": "f1", "type": "float", "value": "1.25"},
      {"id": 21, "key": "f2", "type": "float", "value": 9},
      {"id": 22, "key": "n1", "type": "integer"}
    ])");
    const auto result = parse(doc);
    INFO(result.error);
    REQUIRE(result.value);
    const campaign& c = result.value->campaigns()[0];
    const auto value = [&](const char* key) { return c.find_variable(key)->value; };
    CHECK(value("i1") == variable_value(std::int64_t{123}));
    CHECK(value("i2") == variable_value(std::int64_t{42}));
    CHECK(value("i3") == variable_value(std::int64_t{7}));
    CHECK(value("i4") == variable_value(std::int64_t{3}));
    CHECK(value("i5") == variable_value(std::int64_t{0}));
    CHECK(value("i6") == variable_value(std::int64_t{0}));
    CHECK_FALSE(value("i7"));
    CHECK(c.find_variable("i7")->cast_error == R"(unable to cast value "abc" of variable 'i7' to type 'integer')");
    CHECK(value("d1") == variable_value(2500.0));
    CHECK(value("d2") == variable_value(0.5));
    CHECK(value("d3") == variable_value(1.2));
    CHECK_FALSE(value("d4"));
    CHECK(value("d5") == variable_value(std::numeric_limits<double>::infinity()));
    CHECK(value("b1") == variable_value(false));
    CHECK_FALSE(value("b2"));
    CHECK(value("j1") == variable_value(std::string(R"({"b":1,"a":[1,"x"]})")));
    CHECK_FALSE(value("j2"));
    CHECK_FALSE(value("j3"));
    CHECK(value("s1") == variable_value(std::int64_t{123})); // string type: no cast
    CHECK(value("s2") == variable_value(std::string("hello")));
    CHECK(value("f1") == variable_value(std::string("1.25")));
    CHECK(value("f2") == variable_value(std::int64_t{9}));
    CHECK_FALSE(value("n1"));
    CHECK(c.find_variable("n1")->cast_error == "unable to cast value undefined of variable 'n1' to type 'integer'");
}

TEST_CASE("Invalid settings fail with a message naming the campaign and the field", "[decision][settings]")
{
    require_error(json::parse("[]"), "top level must be a JSON object");
    auto doc = base();
    doc.erase("accountId");
    require_error(doc, "accountId is missing");
    doc = base();
    doc["campaigns"] = json::object();
    require_error(doc, "campaigns must be an array");
    doc = base();
    doc["campaigns"][0].erase("key");
    require_error(doc, "campaigns[0]", "key is missing");
    doc = base();
    doc["campaigns"][0]["percentTraffic"] = "50";
    require_error(doc, "campaign 'AB_1' (campaigns[0])", "percentTraffic must be a number");
    doc = base();
    doc["campaigns"][0].erase("segments");
    require_error(doc, "campaign 'AB_1'", "segments is missing");
    doc = base();
    doc["campaigns"][0]["status"] = 1;
    require_error(doc, "campaign 'AB_1'", "status must be a string");
    doc = base();
    doc["campaigns"][0]["variations"][1]["weight"] = json::object();
    require_error(doc, "campaign 'AB_1' (campaigns[0]) variations[1]", "weight must be a number or a string");
    doc = base();
    doc["campaigns"][0]["variations"][0]["name"] = "";
    require_error(doc, "variations[0]", "name must not be empty");
    doc = base();
    doc["campaigns"][0]["variations"] = json::object();
    require_error(doc, "campaign 'AB_1'", "variations must be an array");
    doc = base();
    doc["campaigns"][0]["goals"][0].erase("identifier");
    require_error(doc, "goals[0]", "identifier is missing");
    doc = base();
    doc["campaigns"][0]["variables"] = json::parse(R"([{"id": 1, "type": "string", "value": "x"}])");
    require_error(doc, "variables[0]", "key is missing");

    const auto malformed = parse_campaigns("{\"accountId\": 1,");
    REQUIRE(malformed.value == nullptr);
    CHECK(malformed.error.find("malformed JSON") != std::string::npos);
}

TEST_CASE("Node-accepted oddities that are kept", "[decision][settings]")
{
    auto doc = base();
    doc["campaigns"][0]["segments"] = json::array(); // superstruct's object() lets arrays through
    doc["campaigns"][0]["goals"] = json::object();    // an object: no goals
    doc["campaigns"][0]["variations"][0]["weight"] = "abc";
    doc["campaigns"].push_back(doc["campaigns"][0]);
    doc["campaigns"][1]["id"] = 202;
    const auto result = parse(doc);
    INFO(result.error);
    REQUIRE(result.value);
    const campaign& c = result.value->campaigns()[0];
    CHECK(c.segments.shape() == segment::form::not_object);
    CHECK(c.goals.empty());
    // "abc" poisons every later range (NaN total, docs/decisions.md#variation-ranges).
    CHECK(c.variations[0].range.start == -1);
    CHECK_FALSE(c.variations[1].range.contains(5000));
    CHECK_FALSE(c.variations[2].range.contains(9000));
    // Duplicate keys: the first campaign wins, as getCampaign's loop.
    CHECK(result.value->find_campaign("AB_1")->id.text == "101");
}
