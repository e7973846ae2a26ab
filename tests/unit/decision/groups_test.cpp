// Mutually exclusive groups (docs/decisions.md#mutually-exclusive-groups): the random algorithm's ranges
// and our extension of the last one, the advanced algorithm (priority, unnormalised weights), member
// resolution, eligibility of paused members, and other members' whitelisting and storage claims.
// Group buckets hand-checked with Node's BucketingService.calculateBucketValue: "2_Ashley" 1671,
// "2_Bob" 5065, "2_user-0" 8322, "2_user-100" 9991 (above the n = 3 ranges, which end at 9900).

#include "core/decision/decide.hpp"
#include "core/decision/groups.hpp"
#include "core/decision/whitelisting.hpp"

#include "parse_campaigns.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

using namespace vwo::core::decision;
using vwo_test::parse_campaigns;
using vwo_test::parsed_campaigns;
using json = nlohmann::ordered_json;

namespace {

json ab(int id, const std::string& key, double percent_traffic = 100)
{
    json c = json::parse(R"({
        "type": "VISUAL_AB", "status": "RUNNING", "segments": {}, "goals": [],
        "variations": [{"id": 1, "name": "Control", "weight": 50}, {"id": 2, "name": "Variation-1", "weight": 50}]
    })");
    c["id"] = id;
    c["key"] = key;
    c["percentTraffic"] = percent_traffic;
    return c;
}

json whitelisting(json c, const json& segments)
{
    c["isForcedVariationEnabled"] = true;
    c["variations"][0]["segments"] = json::object();
    c["variations"][1]["segments"] = segments;
    return c;
}

std::shared_ptr<const campaign_settings> parse(const json& campaigns, const json& groups, const json& campaign_groups)
{
    const json doc = {{"accountId", 123456}, {"sdkKey", "k"},          {"version", 1},
                      {"campaigns", campaigns}, {"groups", groups}, {"campaignGroups", campaign_groups}};
    auto result = parse_campaigns(doc.dump());
    INFO(result.error);
    REQUIRE(result.value);
    return result.value;
}

const campaign& by_key(const campaign_settings& s, std::string_view key)
{
    const campaign* c = s.find_campaign(key);
    REQUIRE(c != nullptr);
    return *c;
}

group_decision run_group(const campaign_settings& s, std::string_view key, std::string_view user,
                         const attribute_map* targeting = nullptr, const storage_probe* storage = nullptr,
                         const attribute_map* custom = nullptr)
{
    const campaign& c = by_key(s, key);
    REQUIRE(c.group_index);
    decision_input input{user, custom, targeting, bucketing_compat::standard};
    input.storage = storage;
    return evaluate_group(s, s.groups()[*c.group_index], c, input);
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

campaign member(std::string id, bool is_string = false)
{
    campaign c;
    c.id = settings_id{std::move(id), is_string, false};
    return c;
}

} // namespace

TEST_CASE("Random algorithm ranges for n 2 to 8: Node's floor(100/n) steps with the last range extended",
          "[decision][groups]")
{
    struct expected {
        std::size_t n;
        double step;
        double node_end; // where Node's last range ends
    };
    const std::vector<expected> cases{{2, 5000, 10000}, {3, 3300, 9900}, {4, 2500, 10000}, {5, 2000, 10000},
                                      {6, 1600, 9600},  {7, 1400, 9800}, {8, 1200, 9600}};
    for (const auto& e : cases) {
        INFO("n = " << e.n);
        for (std::size_t i = 0; i < e.n; ++i) {
            const bucket_range r = random_algorithm_range(i, e.n);
            CHECK(r.start == static_cast<double>(i) * e.step + 1);
            if (i + 1 < e.n) {
                CHECK(r.end == static_cast<double>(i + 1) * e.step);
            } else {
                CHECK(static_cast<double>(i + 1) * e.step == e.node_end);
                CHECK(r.end == 10000); // our fix
            }
        }
    }
    // n > 100: floor(100/n) = 0, Node gives every member -1/-1; the last one takes everything.
    CHECK(random_algorithm_range(0, 101).start == -1);
    CHECK(random_algorithm_range(100, 101).start == 1);
    CHECK(random_algorithm_range(100, 101).end == 10000);
}

TEST_CASE("Random algorithm pick: first range holding the bucket and the extension flag", "[decision][groups]")
{
    campaign_group group;
    const campaign a = member("1"), b = member("2"), c = member("3");
    const std::vector<const campaign*> three{&a, &b, &c};
    CHECK(pick_winner(group, three, 1).index == 0u);
    CHECK(pick_winner(group, three, 3300).index == 0u);
    CHECK(pick_winner(group, three, 3301).index == 1u);
    auto pick = pick_winner(group, three, 9900);
    CHECK(pick.index == 2u);
    CHECK_FALSE(pick.last_range_extended);
    pick = pick_winner(group, three, 9901); // Node: no winner, TypeError
    CHECK(pick.index == 2u);
    CHECK(pick.last_range_extended);
    pick = pick_winner(group, three, 10000);
    CHECK(pick.index == 2u);
    CHECK(pick.last_range_extended);

    const std::vector<const campaign*> two{&a, &b};
    pick = pick_winner(group, two, 10000); // n = 2 covers 10000 itself
    CHECK(pick.index == 1u);
    CHECK_FALSE(pick.last_range_extended);
}

TEST_CASE("Advanced algorithm: priority first with strict id equality", "[decision][groups]")
{
    campaign_group group;
    group.random_algorithm = false;
    const campaign a = member("321"), b = member("322"), c = member("323");
    const std::vector<const campaign*> eligible{&a, &b, &c};
    // "321" (a string) never equals the number 321; 323 is the first id of p among the eligible.
    group.priority = {settings_id{"321", true, false}, settings_id{"323", false, false}, settings_id{"322", false, false}};
    CHECK(pick_winner(group, eligible, 1).index == 2u);
    CHECK(pick_winner(group, eligible, 9999).index == 2u);
    // Priority ids that are not eligible are passed over.
    const std::vector<const campaign*> without_c{&a, &b};
    CHECK(pick_winner(group, without_c, 1).index == 1u);
}

TEST_CASE("Advanced algorithm: unnormalised weights leave gaps and members without wt never win",
          "[decision][groups]")
{
    campaign_group group;
    group.random_algorithm = false;
    group.weights = {{"321", 30}, {"323", 50}};
    const campaign a = member("321"), b = member("322"), c = member("323");
    const std::vector<const campaign*> all{&a, &b, &c};
    CHECK(pick_winner(group, all, 1).index == 0u);
    CHECK(pick_winner(group, all, 3000).index == 0u);
    CHECK(pick_winner(group, all, 3001).index == 2u); // b has no wt: not a participant
    CHECK(pick_winner(group, all, 8000).index == 2u);
    CHECK_FALSE(pick_winner(group, all, 8001).index); // weights sum to 80: no winner above 8000
    CHECK_FALSE(pick_winner(group, all, 10000).index);
    // Ranges are assigned among the eligible participants only: without a, c takes 1-5000.
    const std::vector<const campaign*> without_a{&b, &c};
    CHECK(pick_winner(group, without_a, 5000).index == 1u);
    CHECK_FALSE(pick_winner(group, without_a, 5001).index);
    // No participant at all: no winner.
    const std::vector<const campaign*> only_b{&b, &b};
    CHECK_FALSE(pick_winner(group, only_b, 1).index);
    // wt is looked up by String(id): the string id "323" finds the entry too.
    const campaign c_string = member("323", true);
    const std::vector<const campaign*> string_id{&b, &c_string};
    CHECK(pick_winner(group, string_id, 1).index == 1u);
    // A zero weight gets -1/-1 and adds nothing.
    group.weights = {{"321", 0}, {"323", 100}};
    CHECK(pick_winner(group, all, 1).index == 2u);
}

TEST_CASE("Group members resolve by parseInt in group order and skip unknown ids", "[decision][groups]")
{
    const auto s = parse(json::array({ab(311, "A"), ab(312, "B"), ab(313, "C")}),
                         json::parse(R"({"2": {"name": "G", "campaigns": ["313", 9999, 311, "311abc", "x"]}})"),
                         json::parse(R"({"311": 2, "312": 2, "313": 2})"));
    const auto members = group_members(*s, s->groups()[0]);
    REQUIRE(members.size() == 3);
    CHECK(members[0]->key == "C");
    CHECK(members[1]->key == "A");
    CHECK(members[2]->key == "A"); // parseInt("311abc") = 311; duplicates stay
    // B is in campaignGroups but not listed: it is never a member, so calling it cannot win.
    const auto d = run_group(*s, "B", "Ashley");
    CHECK(d.members == 3);
    CHECK(d.outcome == group_outcome::lost);
}

TEST_CASE("Group bucket is murmur of groupId_userId whatever the campaign flags", "[decision][groups]")
{
    campaign_group group;
    group.id = "2";
    CHECK(group_hash(group, "Ashley", bucketing_compat::standard) == 717588322u);
    CHECK(bucket_value(group_hash(group, "Ashley", bucketing_compat::node), max_traffic_value) == 1671);
    CHECK(bucket_value(group_hash(group, "user-100", bucketing_compat::standard), max_traffic_value) == 9991);
    group.id = "1";
    CHECK(group_hash(group, "Ashley", bucketing_compat::standard) == 1949244533u);
}

TEST_CASE("Random trio: winners by group bucket and the gap user goes to the last member", "[decision][groups]")
{
    auto seeded = ab(312, "B");
    seeded["isBucketingSeedEnabled"] = true; // the winner's own flags do not change the group bucket
    const auto s = parse(json::array({ab(311, "A"), seeded, ab(313, "C")}),
                         json::parse(R"({"2": {"name": "G2", "et": 1, "campaigns": [311, 312, 313]}})"),
                         json::parse(R"({"311": 2, "312": 2, "313": 2})"));
    auto d = run_group(*s, "A", "Ashley"); // 1671
    CHECK(d.outcome == group_outcome::called_wins);
    CHECK(d.eligible == 3);
    CHECK(d.group_bucket == 1671);
    d = run_group(*s, "A", "Bob"); // 5065
    CHECK(d.outcome == group_outcome::lost);
    CHECK(d.other == &by_key(*s, "B"));
    CHECK(run_group(*s, "B", "Bob").outcome == group_outcome::called_wins);
    CHECK(run_group(*s, "C", "user-0").outcome == group_outcome::called_wins); // 8322
    // 9991: above Node's 9900; Node throws for every member, we give it to the last one.
    d = run_group(*s, "C", "user-100");
    CHECK(d.outcome == group_outcome::called_wins);
    CHECK(d.last_range_extended);
    d = run_group(*s, "A", "user-100");
    CHECK(d.outcome == group_outcome::lost);
    CHECK(d.other == &by_key(*s, "C"));
    CHECK(d.last_range_extended);
}

TEST_CASE("Paused members are eligible and can win, a sole eligible member wins without a bucket",
          "[decision][groups]")
{
    auto paused = ab(332, "PAUSED");
    paused["status"] = "PAUSED";
    const auto s = parse(json::array({ab(331, "NORMAL"), paused, ab(333, "HALF", 50)}),
                         json::parse(R"({"4": {"name": "G4", "campaigns": [331, 332, 333]}})"),
                         json::parse(R"({"331": 4, "332": 4, "333": 4})"));
    campaign_group g4;
    g4.id = "4";
    int lost_to_paused = 0;
    for (int i = 0; i < 60; ++i) {
        const std::string user = "user-" + std::to_string(i);
        const auto d = run_group(*s, "NORMAL", user);
        const bool half_eligible = is_user_part_of_campaign(by_key(*s, "HALF"), user, bucketing_compat::standard);
        INFO(user);
        CHECK(d.eligible == (half_eligible ? 3u : 2u));
        const double bucket = bucket_value(group_hash(g4, user, bucketing_compat::standard), max_traffic_value);
        CHECK(d.group_bucket == bucket);
        const bool paused_wins = half_eligible ? bucket > 3300 && bucket <= 6600 : bucket > 5000;
        if (paused_wins) {
            ++lost_to_paused;
            CHECK(d.outcome == group_outcome::lost);
            CHECK(d.other == &by_key(*s, "PAUSED"));
        }
        // HALF alone: if it is not eligible, calling it is not possible (decide stops at traffic);
        // when eligible it competes like the others.
    }
    CHECK(lost_to_paused > 10);

    // A group where the other members are out of traffic: the called one is the sole eligible member.
    const auto sole = parse(json::array({ab(341, "IN"), ab(342, "OUT", 0), ab(343, "OUT2", 0)}),
                            json::parse(R"({"5": {"name": "G5", "campaigns": [341, 342, 343]}})"),
                            json::parse(R"({"341": 5, "342": 5, "343": 5})"));
    const auto d = run_group(*sole, "IN", "user-100");
    CHECK(d.outcome == group_outcome::called_wins);
    CHECK(d.eligible == 1);
    CHECK(d.group_bucket == 0); // no bucket needed
}

TEST_CASE("Eligibility uses pre-segmentation with the call's customVariables", "[decision][groups]")
{
    auto segmented = ab(322, "US_ONLY");
    segmented["segments"] = json::parse(R"({"or": [{"custom_variable": {"country": "US"}}]})");
    const auto s = parse(json::array({ab(321, "ALL"), segmented}),
                         json::parse(R"({"3": {"name": "G3", "et": 2, "campaigns": [321, 322], "p": [322]}})"),
                         json::parse(R"({"321": 3, "322": 3})"));
    const attribute_map us{{"country", std::string("US")}};
    const attribute_map in{{"country", std::string("IN")}};
    CHECK(is_group_eligible(by_key(*s, "US_ONLY"), decision_input{"Ashley", &us}));
    CHECK_FALSE(is_group_eligible(by_key(*s, "US_ONLY"), decision_input{"Ashley", &in}));
    auto d = run_group(*s, "ALL", "Ashley", nullptr, nullptr, &us);
    CHECK(d.outcome == group_outcome::lost); // the priority member is eligible
    CHECK(d.other == &by_key(*s, "US_ONLY"));
    d = run_group(*s, "ALL", "Ashley", nullptr, nullptr, &in);
    CHECK(d.outcome == group_outcome::called_wins); // sole eligible
    CHECK(d.eligible == 1);
}

TEST_CASE("Other members' whitelisting claims the user before eligibility", "[decision][groups]")
{
    const json gold = json::parse(R"({"or": [{"custom_variable": {"tier": "gold"}}]})");
    const auto s = parse(json::array({ab(331, "NORMAL"), whitelisting(ab(333, "WL", 0), gold)}),
                         json::parse(R"({"4": {"name": "G4", "campaigns": [331, 333]}})"),
                         json::parse(R"({"331": 4, "333": 4})"));
    const attribute_map gold_tier{{"tier", std::string("gold")}};
    auto d = run_group(*s, "NORMAL", "Ashley", &gold_tier);
    CHECK(d.outcome == group_outcome::claimed_by_other);
    CHECK(d.other == &by_key(*s, "WL"));
    CHECK_FALSE(d.claimed_by_storage);
    CHECK(d.eligible == 0); // eligibility not reached
    // Without the tier, WL is out of traffic (0 %): NORMAL is the sole eligible member.
    d = run_group(*s, "NORMAL", "Ashley");
    CHECK(d.outcome == group_outcome::called_wins);
}

TEST_CASE("Other members are whitelisted with the called campaign's _vwoUserId choice", "[decision][groups]")
{
    auto plain = whitelisting(ab(341, "PLAIN"), json::parse(R"({"or": [{"user": "Dominic, PLACEHOLDER"}]})"));
    auto uuid_ids = whitelisting(ab(342, "UUID"), json::parse(R"({"or": [{"user": "Ashley"}]})"));
    uuid_ids["isUserListEnabled"] = true;
    const json groups = json::parse(R"({"5": {"name": "G5", "campaigns": [341, 342]}})");
    const json map = json::parse(R"({"341": 5, "342": 5})");
    const auto probe = parse(json::array({plain, uuid_ids}), groups, map);
    plain["variations"][1]["segments"] = {{"or", json::array({{{"user", "Dominic, " + probe->visitor_uuid("Chris")}}})}};
    const auto s = parse(json::array({plain, uuid_ids}), groups, map);

    // UUID's own whitelisting matches the visitor UUID, so "Ashley" never matches it directly...
    CHECK(evaluate_whitelisting(*s, by_key(*s, "UUID"), "Ashley", nullptr, bucketing_compat::standard).chosen ==
          nullptr);
    // ...but called through PLAIN (plain ids), `_vwoUserId` is "Ashley" and UUID claims the user.
    auto d = run_group(*s, "PLAIN", "Ashley");
    CHECK(d.outcome == group_outcome::claimed_by_other);
    CHECK(d.other == &by_key(*s, "UUID"));
    // Called through UUID, `_vwoUserId` is the visitor UUID: Chris's UUID is in PLAIN's list.
    d = run_group(*s, "UUID", "Chris");
    CHECK(d.outcome == group_outcome::claimed_by_other);
    CHECK(d.other == &by_key(*s, "PLAIN"));
    // Dominic matches PLAIN only by plain id: not when called through UUID.
    CHECK(run_group(*s, "UUID", "Dominic").outcome != group_outcome::claimed_by_other);
    CHECK(run_group(*s, "PLAIN", "Chris").outcome != group_outcome::claimed_by_other);
}

TEST_CASE("A differing _vwoUserId choice re-buckets several candidates as whitelisting does", "[decision][groups]")
{
    // Segments without `user`: the _vwoUserId choice does not matter, so the group's own evaluation
    // (used when the flags differ) must agree with evaluate_whitelisting on the member.
    const json tier_segments = json::parse(R"({"or": [{"custom_variable": {"tier": "gold"}}]})");
    for (const json& weights : {json::array({50, 50}), json::array({0, 0}), json::array({"abc", 50}),
                                json::array({"25", "75"}), json::array({0, 100})}) {
        INFO(weights.dump());
        auto wl = ab(342, "WL");
        wl["isForcedVariationEnabled"] = true;
        wl["isUserListEnabled"] = true;
        wl["variations"][0]["segments"] = tier_segments;
        wl["variations"][0]["weight"] = weights[0];
        wl["variations"][1]["segments"] = tier_segments;
        wl["variations"][1]["weight"] = weights[1];
        const auto s = parse(json::array({ab(341, "CALLED"), wl}),
                             json::parse(R"({"5": {"name": "G5", "campaigns": [341, 342]}})"),
                             json::parse(R"({"341": 5, "342": 5})"));
        const attribute_map gold{{"tier", std::string("gold")}};
        for (const char* user : {"Ashley", "Bob", "Lucian", "user-1", "user-2", "user-3"}) {
            const bool whitelisted =
                evaluate_whitelisting(*s, by_key(*s, "WL"), user, &gold, bucketing_compat::standard).chosen != nullptr;
            const auto d = run_group(*s, "CALLED", user, &gold);
            CHECK((d.outcome == group_outcome::claimed_by_other) == whitelisted);
        }
    }
}

TEST_CASE("Other members' stored variations claim the user in group order", "[decision][groups]")
{
    const json gold = json::parse(R"({"or": [{"custom_variable": {"tier": "gold"}}]})");
    auto paused = ab(332, "PAUSED");
    paused["status"] = "PAUSED";
    const auto s = parse(json::array({ab(331, "NORMAL"), paused, whitelisting(ab(333, "WL"), gold)}),
                         json::parse(R"({"4": {"name": "G4", "campaigns": [331, 332, 333]}})"),
                         json::parse(R"({"331": 4, "332": 4, "333": 4})"));
    map_storage storage;
    storage.names["NORMAL"] = "Variation-1"; // the called campaign's own record is not read here
    CHECK(run_group(*s, "NORMAL", "Ashley", nullptr, &storage).outcome != group_outcome::claimed_by_other);
    CHECK(storage.calls == 2); // PAUSED and WL

    storage.names["PAUSED"] = "Nope"; // a name that does not exist: not usable
    CHECK(run_group(*s, "NORMAL", "Ashley", nullptr, &storage).outcome != group_outcome::claimed_by_other);

    storage.names["PAUSED"] = "Control"; // paused members claim too (status is not checked)
    const attribute_map gold_tier{{"tier", std::string("gold")}};
    auto d = run_group(*s, "NORMAL", "Ashley", &gold_tier, &storage);
    CHECK(d.outcome == group_outcome::claimed_by_other);
    CHECK(d.other == &by_key(*s, "PAUSED")); // before WL's whitelisting: group order
    CHECK(d.claimed_by_storage);

    // Without a storage the records are not read.
    d = run_group(*s, "NORMAL", "Ashley");
    CHECK(d.outcome != group_outcome::claimed_by_other);
}
