// The decision pipeline for one campaign (docs/decisions.md#the-pipeline-for-one-campaign), with hand-checked
// bucket values (Node's numbers, docs/decisions.md#hash: Ashley 50/4986, 101_Ashley 8/706, 101_123456_Ashley →
// 9352).

#include "core/decision/api_gate.hpp"
#include "core/decision/decide.hpp"
#include "core/decision/feature.hpp"

#include "parse_campaigns.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>

using namespace vwo::core::decision;
using vwo_test::parse_campaigns;
using vwo_test::parsed_campaigns;
using json = nlohmann::ordered_json;

namespace {

json campaign_json(const char* type = "VISUAL_AB")
{
    json c = json::parse(R"({
        "id": 101, "key": "C", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100,
        "segments": {}, "goals": [],
        "variations": [{"id": 1, "name": "Control", "weight": 50}, {"id": 2, "name": "Variation-1", "weight": 50}]
    })");
    c["type"] = type;
    return c;
}

std::shared_ptr<const campaign_settings> settings_with(const json& campaign, const json& extra = json::object())
{
    json doc = {{"accountId", 123456}, {"sdkKey", "k"}, {"version", 1}, {"campaigns", json::array({campaign})}};
    for (auto it = extra.begin(); it != extra.end(); ++it) doc[it.key()] = it.value();
    auto result = parse_campaigns(doc.dump());
    INFO(result.error);
    REQUIRE(result.value);
    return result.value;
}

decision_result run(const campaign_settings& s, std::string_view user, const attribute_map* custom = nullptr,
                    const attribute_map* targeting = nullptr, bucketing_compat compat = bucketing_compat::standard)
{
    return decide(s, s.campaigns()[0], decision_input{user, custom, targeting, compat});
}

// Storage as a map of campaign key → variation name; usable only when the name exists (docs/decisions.md#contract).
// Thread-safety: none needed, one test thread.
class map_storage final : public storage_probe {
public:
    std::map<std::string, std::string, std::less<>> names;
    mutable int calls = 0;

    const variation* stored_variation(const campaign& c) const override
    {
        ++calls;
        const auto it = names.find(c.key);
        if (it == names.end()) return nullptr;
        for (const variation& v : c.variations) {
            if (v.name == it->second) return &v;
        }
        return nullptr;
    }
};

decision_result run_with(const campaign_settings& s, const campaign& c, std::string_view user,
                         const storage_probe* storage, bool allow_fresh_decision = true,
                         const attribute_map* targeting = nullptr)
{
    decision_input input{user, nullptr, targeting, bucketing_compat::standard};
    input.storage = storage;
    input.allow_fresh_decision = allow_fresh_decision;
    return decide(s, c, input);
}

} // namespace

TEST_CASE("Bucketing: no flags, traffic and variation from the user id", "[decision][decide]")
{
    const auto s = settings_with(campaign_json());
    const auto d = run(*s, "Ashley");
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.traffic_hash == 2141232222u);
    CHECK(d.traffic_bucket == 50);
    CHECK(d.variation_bucket == 4986);
    REQUIRE(d.chosen);
    CHECK(d.chosen->name == "Control");
    CHECK(is_user_part_of_campaign(s->campaigns()[0], "Ashley", bucketing_compat::standard));
    CHECK(bucket_to_variation(*s, s->campaigns()[0], "Ashley", bucketing_compat::standard) == d.chosen);
}

TEST_CASE("Traffic: bucket 50 is in at 50 %, out at 49 %", "[decision][decide]")
{
    auto c = campaign_json();
    c["percentTraffic"] = 50;
    const auto at_50 = settings_with(c); // decision_result points into it
    auto d = run(*at_50, "Ashley");
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.variation_bucket == 9972); // 4986 scaled by 10000/50/100 = 2
    CHECK(d.chosen->name == "Variation-1");
    c["percentTraffic"] = 49;
    const auto at_49 = settings_with(c); // decision_result points into it
    d = run(*at_49, "Ashley");
    CHECK(d.status == decision_status::not_in_traffic);
    CHECK_FALSE(d.chosen);
    c["percentTraffic"] = 0;
    const auto at_0 = settings_with(c); // decision_result points into it
    CHECK(run(*at_0, "Ashley").status == decision_status::not_in_traffic);
}

TEST_CASE("Seeds: isBucketingSeedEnabled, isNB (case B), isNBv2 (case C)", "[decision][decide]")
{
    auto c = campaign_json();
    c["isBucketingSeedEnabled"] = true;
    const auto seeded = settings_with(c); // decision_result points into it
    auto d = run(*seeded, "Ashley");
    CHECK(d.traffic_hash == 303069463u); // "101_Ashley"
    CHECK(d.traffic_bucket == 8);
    CHECK(d.variation_bucket == 706);

    const auto nb = settings_with(campaign_json(), json{{"isNB", true}}); // decision_result points into it
    d = run(*nb, "Ashley");
    CHECK(d.traffic_hash == 303069463u); // seeded by isNB
    CHECK(d.variation_hash == 2141232222u); // case B: the user id alone
    CHECK(d.variation_bucket == 4986);

    const auto nb_v2 = settings_with(campaign_json(), json{{"isNBv2", true}}); // decision_result points into it
    d = run(*nb_v2, "Ashley");
    CHECK(d.variation_hash == 4016370885u); // case C: "101_123456_Ashley"
    CHECK(d.variation_bucket == 9352);
    CHECK(d.chosen->name == "Variation-1");
}

TEST_CASE("Overflow above 10000 gives no variation", "[decision][decide]")
{
    auto c = campaign_json();
    c["percentTraffic"] = 33;
    const auto s = settings_with(c);
    const auto d = run(*s, "edge-ov-15762");
    CHECK(d.traffic_bucket == 33);
    CHECK(d.variation_bucket == 10002);
    CHECK(d.status == decision_status::no_variation_in_range);
    CHECK_FALSE(d.chosen);
}

TEST_CASE("Pre-segmentation runs before traffic and uses customVariables", "[decision][decide]")
{
    auto c = campaign_json();
    c["segments"] = json::parse(R"({"and":[{"custom_variable":{"plan":"enterprise"}}]})");
    const auto s = settings_with(c);
    const attribute_map good{{"plan", std::string("enterprise")}};
    const attribute_map bad{{"plan", std::string("free")}};
    CHECK(run(*s, "Ashley", &good).status == decision_status::bucketed);
    const auto d = run(*s, "Ashley", &bad);
    CHECK(d.status == decision_status::presegmentation_failed);
    CHECK(d.traffic_hash == 0); // traffic not evaluated
    CHECK(run(*s, "Ashley").status == decision_status::presegmentation_failed);
    // variationTargetingVariables are not used for pre-segmentation.
    CHECK(run(*s, "Ashley", nullptr, &good).status == decision_status::presegmentation_failed);

    c["segments"] = json::parse(R"({"or":[null]})");
    const auto broken_settings = settings_with(c); // segment_error views into the settings
    const auto broken = run(*broken_settings, "Ashley", &good);
    CHECK(broken.status == decision_status::presegmentation_failed);
    CHECK(broken.segment_error == "segment $.or[0]: a node is null");
}

TEST_CASE("Whitelisting: bypasses traffic and pre-segmentation, skips {}, re-buckets several", "[decision][decide]")
{
    auto c = campaign_json();
    c["percentTraffic"] = 0;
    c["segments"] = json::parse(R"({"custom_variable":{"plan":"enterprise"}})");
    c["isForcedVariationEnabled"] = true;
    c["variations"] = json::parse(R"([
        {"id": 1, "name": "Control", "weight": 0, "segments": {"custom_variable": {"tier": "gold"}}},
        {"id": 2, "name": "Variation-1", "weight": 50, "segments": {}},
        {"id": 3, "name": "Variation-2", "weight": 50, "segments": {"user": "Ashley, Bob"}}
    ])");
    const auto s = settings_with(c);
    const attribute_map gold{{"tier", std::string("gold")}};
    // One candidate: taken even with weight 0 (seen in Node: WL_ZERO_WEIGHT_MATCH).
    auto d = run(*s, "Carol", nullptr, &gold);
    CHECK(d.status == decision_status::whitelisted);
    CHECK(d.chosen->name == "Control");
    // Two candidates: re-bucketed on scaled weights 0 and 100, so the zero-weight Control never wins.
    d = run(*s, "Bob", nullptr, &gold);
    CHECK(d.status == decision_status::whitelisted);
    CHECK(d.chosen->name == "Variation-2");
    // Only the user list: Variation-2.
    d = run(*s, "Bob");
    CHECK(d.status == decision_status::whitelisted);
    CHECK(d.chosen->name == "Variation-2");
    // Nobody else: not whitelisted, then pre-segmentation fails.
    CHECK(run(*s, "Dave").status == decision_status::presegmentation_failed);
    // The flag off: variation segments are ignored.
    c["isForcedVariationEnabled"] = false;
    const auto segmented = settings_with(c); // decision_result points into it
    CHECK(run(*segmented, "Bob").status == decision_status::presegmentation_failed);
}

TEST_CASE("Whitelisting with isUserListEnabled matches the visitor UUID, not the id", "[decision][decide]")
{
    auto c = campaign_json();
    c["isForcedVariationEnabled"] = true;
    c["isUserListEnabled"] = true;
    c["percentTraffic"] = 0;
    const auto probe = settings_with(c);
    const std::string uuid = probe->visitor_uuid("Chris");
    CHECK(uuid.size() == 32);
    c["variations"][1]["segments"] = {{"user", "Emma, " + uuid}};
    const auto s = settings_with(c);
    CHECK(run(*s, "Chris").status == decision_status::whitelisted);
    CHECK(run(*s, "Emma").status == decision_status::not_in_traffic);
}

TEST_CASE("Feature rollout and feature test: enabled flag and variables", "[decision][feature]")
{
    auto rollout = campaign_json("FEATURE_ROLLOUT");
    rollout["variations"] = json::parse(R"([{"id": 1, "name": "website", "weight": 100}])");
    rollout["variables"] = json::parse(R"([{"id": 1, "key": "n", "type": "integer", "value": 10}])");
    auto s = settings_with(rollout);
    auto d = run(*s, "Ashley");
    CHECK(is_feature_enabled(s->campaigns()[0], d));
    auto v = feature_variable_value(s->campaigns()[0], d, "n");
    CHECK(v.status == variable_status::found);
    CHECK(v.value == variable_value(std::int64_t{10}));
    CHECK(feature_variable_value(s->campaigns()[0], d, "missing").status == variable_status::not_found);
    rollout["percentTraffic"] = 1;
    s = settings_with(rollout);
    d = run(*s, "Ashley");
    CHECK_FALSE(is_feature_enabled(s->campaigns()[0], d));
    CHECK(feature_variable_value(s->campaigns()[0], d, "n").status == variable_status::feature_disabled);

    auto test = campaign_json("FEATURE_TEST");
    test["variations"] = json::parse(R"([
        {"id": 1, "name": "Control", "weight": 50, "isFeatureEnabled": false,
         "variables": [{"id": 1, "key": "color", "type": "string", "value": "red"}]},
        {"id": 2, "name": "Variation-1", "weight": 25, "isFeatureEnabled": true,
         "variables": [{"id": 1, "key": "color", "type": "string", "value": "blue"}]},
        {"id": 3, "name": "Variation-2", "weight": 25, "isFeatureEnabled": false,
         "variables": [{"id": 1, "key": "color", "type": "string", "value": "green"}]}
    ])");
    s = settings_with(test);
    const campaign& c = s->campaigns()[0];
    // Ashley 4986 → Control; Bob 4736 → Control; Lucian 5243 → Variation-1; Varun 4716 → Control.
    d = run(*s, "Lucian");
    CHECK(d.chosen->name == "Variation-1");
    CHECK(is_feature_enabled(c, d));
    CHECK(feature_variable_value(c, d, "color").value == variable_value(std::string("blue")));
    d = run(*s, "Ashley");
    CHECK(d.chosen->name == "Control");
    CHECK_FALSE(is_feature_enabled(c, d));
    v = feature_variable_value(c, d, "color");
    CHECK(v.status == variable_status::found_in_control);
    CHECK(v.value == variable_value(std::string("red")));

    // A variation with a falsy isFeatureEnabled falls back to the control (id === 1).
    decision_result forced;
    forced.chosen = &c.variations[2];
    v = feature_variable_value(c, forced, "color");
    CHECK(v.status == variable_status::found_in_control);
    CHECK(v.value == variable_value(std::string("red")));

    // String ids: Node finds no control (strict id === 1) and throws → null (FT_STRING_IDS); our
    // fix: the string id "1" names the control (docs/decisions.md#feature-variables).
    test["variations"][0]["id"] = "1";
    s = settings_with(test);
    forced.chosen = &s->campaigns()[0].variations[2];
    v = feature_variable_value(s->campaigns()[0], forced, "color");
    CHECK(v.status == variable_status::found_in_control);
    CHECK(v.control_by_string_id);
    CHECK(v.value == variable_value(std::string("red")));
    test["variations"][0]["id"] = "control";
    s = settings_with(test);
    forced.chosen = &s->campaigns()[0].variations[2];
    CHECK(feature_variable_value(s->campaigns()[0], forced, "color").status ==
          variable_status::control_without_variables);
    // A control without variables (FT_CONTROL_WITHOUT_VARIABLES).
    test["variations"][0]["id"] = 1;
    test["variations"][0].erase("variables");
    s = settings_with(test);
    forced.chosen = &s->campaigns()[0].variations[2];
    CHECK(feature_variable_value(s->campaigns()[0], forced, "color").status ==
          variable_status::control_without_variables);
    // The assigned variation without variables: not found (before the control is considered).
    forced.chosen = &s->campaigns()[0].variations[0];
    CHECK(feature_variable_value(s->campaigns()[0], forced, "color").status == variable_status::not_found);
}

TEST_CASE("API gates by campaign type", "[decision][gate]")
{
    using enum decision_api;
    CHECK(api_accepts(activate, campaign_type::visual_ab));
    CHECK_FALSE(api_accepts(activate, campaign_type::feature_test));
    CHECK_FALSE(api_accepts(activate, campaign_type::feature_rollout));
    CHECK(api_accepts(get_variation_name, campaign_type::feature_test));
    CHECK_FALSE(api_accepts(get_variation_name, campaign_type::feature_rollout));
    CHECK(api_accepts(get_variation_name, campaign_type::other));
    CHECK_FALSE(api_accepts(is_feature_enabled, campaign_type::visual_ab));
    CHECK(api_accepts(is_feature_enabled, campaign_type::other));
    CHECK(api_accepts(get_feature_variable_value, campaign_type::feature_rollout));
    CHECK_FALSE(api_accepts(track, campaign_type::feature_rollout));
    CHECK(api_accepts(track, campaign_type::feature_test));
}

TEST_CASE("Storage: a stored variation is used as is even after traffic drops to 0", "[decision][decide]")
{
    auto c = campaign_json();
    c["percentTraffic"] = 0;
    c["segments"] = json::parse(R"({"custom_variable":{"plan":"enterprise"}})");
    const auto s = settings_with(c);
    map_storage storage;
    storage.names["C"] = "Variation-1";
    auto d = run_with(*s, s->campaigns()[0], "Ashley", &storage);
    CHECK(d.status == decision_status::stored);
    REQUIRE(d.chosen);
    CHECK(d.chosen->name == "Variation-1");
    CHECK(d.traffic_hash == 0); // neither segments nor traffic evaluated
    // allow_fresh_decision does not matter when something usable is stored.
    CHECK(run_with(*s, s->campaigns()[0], "Ashley", &storage, false).status == decision_status::stored);
    // An unknown name is not usable: a fresh decision (here: pre-segmentation fails).
    storage.names["C"] = "Nope";
    CHECK(run_with(*s, s->campaigns()[0], "Ashley", &storage).status == decision_status::presegmentation_failed);
}

TEST_CASE("Storage: without a usable record allow_fresh_decision false gives not_activated", "[decision][decide]")
{
    const auto s = settings_with(campaign_json());
    map_storage storage;
    auto d = run_with(*s, s->campaigns()[0], "Ashley", &storage, false);
    CHECK(d.status == decision_status::not_activated);
    CHECK_FALSE(d.chosen);
    CHECK(d.traffic_hash == 0);
    CHECK(storage.calls == 1);
    // activate / is_feature_enabled decide fresh.
    d = run_with(*s, s->campaigns()[0], "Ashley", &storage, true);
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.chosen->name == "Control");
    // No storage configured: the same fresh decision as before this feature.
    CHECK(run_with(*s, s->campaigns()[0], "Ashley", nullptr).status == decision_status::bucketed);
}

TEST_CASE("Storage: whitelisted users skip storage", "[decision][decide]")
{
    auto c = campaign_json();
    c["isForcedVariationEnabled"] = true;
    c["variations"][0]["segments"] = json::parse(R"({"custom_variable": {"tier": "gold"}})");
    c["variations"][1]["segments"] = json::object();
    const auto s = settings_with(c);
    map_storage storage;
    storage.names["C"] = "Variation-1";
    const attribute_map gold{{"tier", std::string("gold")}};
    auto d = run_with(*s, s->campaigns()[0], "Ashley", &storage, false, &gold);
    CHECK(d.status == decision_status::whitelisted);
    CHECK(d.chosen->name == "Control"); // overrides the different stored variation
    CHECK(storage.calls == 0);
    d = run_with(*s, s->campaigns()[0], "Ashley", &storage, false);
    CHECK(d.status == decision_status::stored);
    CHECK(d.chosen->name == "Variation-1");
}

TEST_CASE("Groups in decide: the group field and the MEG statuses", "[decision][decide][groups]")
{
    // Group 2, random, three members at 100 %: group buckets Ashley 1671, Bob 5065, user-100 9991.
    auto a = campaign_json();
    auto b = campaign_json();
    b["id"] = 102;
    b["key"] = "B";
    b["isBucketingSeedEnabled"] = true;
    auto wl = campaign_json();
    wl["id"] = 103;
    wl["key"] = "WL";
    wl["isForcedVariationEnabled"] = true;
    wl["variations"][1]["segments"] = json::parse(R"({"custom_variable": {"tier": "gold"}})");
    json doc = {{"accountId", 123456}, {"sdkKey", "k"}, {"version", 1}, {"campaigns", json::array({a, b, wl})}};
    doc["groups"] = json::parse(R"({"2": {"name": "Group two", "campaigns": [101, 102, 103]}})");
    doc["campaignGroups"] = json::parse(R"({"101": 2, "102": 2, "103": 2})");
    const auto parsed = parse_campaigns(doc.dump());
    INFO(parsed.error);
    REQUIRE(parsed.value);
    const campaign_settings& s = *parsed.value;
    const campaign& ca = s.campaigns()[0];
    const campaign& cb = s.campaigns()[1];
    const campaign& cwl = s.campaigns()[2];

    auto d = run_with(s, ca, "Ashley", nullptr);
    CHECK(d.status == decision_status::bucketed);
    REQUIRE(d.group);
    CHECK(d.group->id == "2");
    CHECK(d.group->name == "Group two");
    CHECK(d.group_bucket == 1671);
    CHECK(d.group_eligible == 3);
    CHECK(d.variation_bucket == 4986); // the campaign's own seed (Ashley), not the group seed
    CHECK(d.chosen->name == "Control");

    d = run_with(s, ca, "Bob", nullptr);
    CHECK(d.status == decision_status::group_lost);
    CHECK_FALSE(d.chosen);
    CHECK(d.group_other == &cb);
    d = run_with(s, cb, "Bob", nullptr);
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.traffic_hash == 2233841877u); // B's own seed "102_Bob" (isBucketingSeedEnabled)
    CHECK(d.variation_hash == d.traffic_hash);
    CHECK(d.variation_bucket == 5202);
    CHECK(d.chosen->name == "Variation-1");

    // 9991: Node throws for every member; we give it to the last eligible member (WL).
    d = run_with(s, cwl, "user-100", nullptr);
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.group_range_extended);
    d = run_with(s, ca, "user-100", nullptr);
    CHECK(d.status == decision_status::group_lost);
    CHECK(d.group_range_extended);

    // Another member's whitelisting claims the user; the member itself is whitelisted (group set too).
    const attribute_map gold{{"tier", std::string("gold")}};
    d = run_with(s, ca, "Ashley", nullptr, true, &gold);
    CHECK(d.status == decision_status::group_claimed_by_other);
    CHECK(d.group_other == &cwl);
    CHECK_FALSE(d.group_claimed_by_storage);
    d = run_with(s, cwl, "Ashley", nullptr, true, &gold);
    CHECK(d.status == decision_status::whitelisted);
    CHECK(d.group == &s.groups()[0]);

    // Another member's stored variation claims the user; the called one's own record wins first.
    map_storage storage;
    storage.names["B"] = "Variation-1";
    d = run_with(s, ca, "Ashley", &storage);
    CHECK(d.status == decision_status::group_claimed_by_other);
    CHECK(d.group_other == &cb);
    CHECK(d.group_claimed_by_storage);
    d = run_with(s, cb, "Ashley", &storage, false);
    CHECK(d.status == decision_status::stored);
    CHECK(d.group == &s.groups()[0]);
}

TEST_CASE("Groups in decide: the advanced algorithm without a winner", "[decision][decide][groups]")
{
    auto a = campaign_json();
    auto b = campaign_json();
    b["id"] = 102;
    b["key"] = "B";
    json doc = {{"accountId", 123456}, {"sdkKey", "k"}, {"version", 1}, {"campaigns", json::array({a, b})}};
    doc["groups"] = json::parse(R"({"3": {"name": "G3", "et": 2, "campaigns": [101, 102], "wt": {"101": 10}}})");
    doc["campaignGroups"] = json::parse(R"({"101": 3, "102": 3})");
    const auto parsed = parse_campaigns(doc.dump());
    REQUIRE(parsed.value);
    const campaign_settings& s = *parsed.value;
    campaign_group g3;
    g3.id = "3";
    int no_winner = 0;
    int won = 0;
    for (int i = 0; i < 40; ++i) {
        const std::string user = "user-" + std::to_string(i);
        const double bucket = bucket_value(hash_text(std::string_view("3_" + user), bucketing_compat::standard), 10000);
        const auto d = run_with(s, s.campaigns()[0], user, nullptr);
        INFO(user << " " << bucket);
        if (bucket <= 1000) {
            ++won;
            CHECK(d.has_variation());
        } else {
            ++no_winner;
            CHECK(d.status == decision_status::group_no_winner);
        }
        // B has no wt: it never wins while A is eligible.
        CHECK(run_with(s, s.campaigns()[1], user, nullptr).status ==
              (bucket <= 1000 ? decision_status::group_lost : decision_status::group_no_winner));
    }
    CHECK(no_winner > 0);
    CHECK(won > 0);
}

TEST_CASE("A group whose id is 0 is no group (Node tests if (groupId))", "[decision][decide][groups]")
{
    auto a = campaign_json();
    auto b = campaign_json();
    b["id"] = 102;
    b["key"] = "B";
    b["isForcedVariationEnabled"] = true;
    b["variations"][1]["segments"] = json::parse(R"({"custom_variable": {"tier": "gold"}})");
    json doc = {{"accountId", 123456}, {"sdkKey", "k"}, {"version", 1}, {"campaigns", json::array({a, b})}};
    doc["groups"] = json::parse(R"({"0": {"name": "G0", "campaigns": [101, 102]}})");
    doc["campaignGroups"] = json::parse(R"({"101": 0, "102": 0})");
    const auto parsed = parse_campaigns(doc.dump());
    REQUIRE(parsed.value);
    const attribute_map gold{{"tier", std::string("gold")}};
    const auto d = run_with(*parsed.value, parsed.value->campaigns()[0], "Ashley", nullptr, true, &gold);
    CHECK(d.status == decision_status::bucketed);
    CHECK(d.group == nullptr);
}

TEST_CASE("Every decision status has its own text", "[decision][decide]")
{
    using enum decision_status;
    std::set<std::string_view> texts;
    for (const auto st : {whitelisted, bucketed, presegmentation_failed, not_in_traffic, no_variation_in_range, stored,
                          not_activated, group_claimed_by_other, group_lost, group_no_winner}) {
        CHECK(to_string(st) != "unknown");
        texts.insert(to_string(st));
    }
    CHECK(texts.size() == 10);
}
