// libFuzzer target: the decision core (docs/decisions.md) driven by an arbitrary settings file.
// The settings come from the network (VWO's server or a proxy), so no settings file may make a
// decision crash, hang or throw.
//
// Input: `settings JSON [\0 parameters]`. Everything before the first NUL byte is the settings text
// (so every settings file is a valid input as it is); the optional bytes after it are parameters:
//   byte 0  bits 0-1: user storage (0 none; 1 a probe that returns a variation for every campaign;
//                     2 the same for every other campaign; 3 a probe that returns nothing, with
//                     allow_fresh_decision false);
//           bits 2-7: shifts which typed value each segment variable gets in the "typed" attribute map
//                     and which variation the storage probe returns;
//   byte 1  the first campaign to decide (index modulo the campaign count);
//   rest    one more user id (any bytes, invalid UTF-8 included), decided besides the fixed ones.
//
// Properties (reliability.md R9):
//  - parse_account never throws; it returns either an account or a failure (vwo::errc::invalid_settings)
//    whose message starts with "settings file";
//  - on success, for up to 16 campaigns (from byte 1 on), the users "", "u", "José", "用户42",
//    "x"*300 and the parameter user, and three attribute maps (none; the names the campaign's and its
//    variations' segments use, each given its operand with the lower()/wildcard()/regex() wrapper
//    stripped; the same names with string/int/double/bool values, NaN, infinities and extremes
//    included), used as both custom_variables and variation_targeting_variables:
//    - decide() never throws, in both bucketing_compat modes;
//    - decision.chosen is null or points into that campaign's variations, and is set exactly for the
//      statuses whitelisted / bucketed / stored; whitelisted only with isForcedVariationEnabled;
//      stored only with a storage probe and exactly its variation; not_activated only when fresh
//      decisions are not allowed;
//    - bucketed: the chosen range holds variation_bucket and bucket_to_variation agrees; a status
//      past the traffic step agrees with is_user_part_of_campaign;
//    - decision.group is the campaign's group (null for none and for group id "0"); group_other is
//      null or a campaign of the settings; segment_error is empty or a view into the settings;
//    - the same call twice gives the same result (determinism, every field);
//    - an ASCII user gives identical results in both compat modes when every hashed id (account,
//      campaigns, groups) is ASCII too;
//    - is_feature_enabled and feature_variable_value for every variable key of the campaign and its
//      variations (and a missing key) never throw; a found variable has the requested key and lives
//      in that campaign; its value is the variable's cast value; no variation means feature_disabled;
//    - find_campaign(key) finds a campaign with that key; visitor_uuid is deterministic.

#include "core/account.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"
#include "core/decision/feature.hpp"
#include "fuzz_check.hpp"

#include <vwo/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace {

using nlohmann::json;
using namespace vwo::core::decision;

constexpr std::size_t max_campaigns = 16;
constexpr std::size_t max_names = 24;
constexpr std::size_t max_keys = 16;
constexpr int max_segment_depth = 32;

bool is_ascii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

template <class T>
bool points_into(const T* p, const std::vector<T>& v)
{
    if (p == nullptr || v.empty()) return false;
    const std::less<const T*> less;
    return !less(p, v.data()) && less(p, v.data() + v.size());
}

bool view_into(std::string_view view, const void* begin, std::size_t size)
{
    const std::less<const char*> less;
    const char* b = static_cast<const char*>(begin);
    return !less(view.data(), b) && !less(b + size, view.data() + view.size());
}

bool same_double(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)) || a == b;
}

std::string describe(const decision_result& r)
{
    std::string s = "status=" + std::string(to_string(r.status));
    s += " chosen=" + (r.chosen ? r.chosen->name : std::string("null"));
    s += " traffic_hash=" + std::to_string(r.traffic_hash) + " traffic_bucket=" + std::to_string(r.traffic_bucket);
    s += " variation_hash=" + std::to_string(r.variation_hash) +
         " variation_bucket=" + std::to_string(r.variation_bucket);
    s += " group=" + (r.group ? r.group->id : std::string("null"));
    s += " group_other=" + (r.group_other ? r.group_other->key : std::string("null"));
    s += " eligible=" + std::to_string(r.group_eligible) + " group_bucket=" + std::to_string(r.group_bucket);
    s += " segment_error=" + std::string(r.segment_error);
    return s;
}

bool same_result(const decision_result& a, const decision_result& b)
{
    return a.chosen == b.chosen && a.status == b.status && a.traffic_hash == b.traffic_hash &&
           same_double(a.traffic_bucket, b.traffic_bucket) && a.variation_hash == b.variation_hash &&
           same_double(a.variation_bucket, b.variation_bucket) && a.segment_error == b.segment_error &&
           a.group == b.group && a.group_other == b.group_other &&
           a.group_claimed_by_storage == b.group_claimed_by_storage && a.group_eligible == b.group_eligible &&
           same_double(a.group_bucket, b.group_bucket) && a.group_range_extended == b.group_range_extended;
}

bool same_value(const std::optional<variable_value>& a, const std::optional<variable_value>& b)
{
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    if (a->index() != b->index()) return false;
    if (const double* x = std::get_if<double>(&*a)) return same_double(*x, std::get<double>(*b));
    return *a == *b;
}

/// A user storage that holds, for the campaigns it covers, the variation picked by `shift`.
class fuzz_storage final : public storage_probe {
public:
    fuzz_storage(const campaign_settings& settings, bool every_other, unsigned shift)
        : settings_(settings), every_other_(every_other), shift_(shift)
    {
    }

    const variation* stored_variation(const campaign& c) const override
    {
        if (c.variations.empty()) return nullptr;
        const auto index = static_cast<std::size_t>(&c - settings_.campaigns().data());
        if (every_other_ && index % 2 == 1) return nullptr;
        return &c.variations[(index + shift_) % c.variations.size()];
    }

private:
    const campaign_settings& settings_;
    bool every_other_;
    unsigned shift_;
};

class empty_storage final : public storage_probe {
public:
    const variation* stored_variation(const campaign&) const override { return nullptr; }
};

/// The custom_variable names (and operands) of a segment tree, walked generously: any object under a
/// "custom_variable" key counts, whatever the tree around it looks like.
struct segment_names {
    std::vector<std::string> names;
    std::vector<std::string> operands; ///< the operand with its wrapper stripped ("" if not a string)
};

std::string strip_operand(const std::string& operand)
{
    for (const std::string_view wrapper : {"lower(", "wildcard(", "regex("}) {
        if (operand.size() > wrapper.size() && operand.starts_with(wrapper) && operand.back() == ')') {
            std::string inner = operand.substr(wrapper.size(), operand.size() - wrapper.size() - 1);
            if (wrapper == "wildcard(") std::erase(inner, '*');
            return inner;
        }
    }
    return operand;
}

void collect_names(const json& node, segment_names& out, int depth)
{
    if (depth > max_segment_depth || out.names.size() >= max_names) return;
    if (node.is_array()) {
        for (const json& element : node) collect_names(element, out, depth + 1);
        return;
    }
    if (!node.is_object()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (it.key() == "custom_variable" && it->is_object()) {
            for (auto var = it->begin(); var != it->end() && out.names.size() < max_names; ++var) {
                if (std::find(out.names.begin(), out.names.end(), var.key()) != out.names.end()) continue;
                out.names.push_back(var.key());
                out.operands.push_back(var->is_string() ? strip_operand(var->get<std::string>()) : "");
            }
        } else {
            collect_names(*it, out, depth + 1);
        }
    }
}

segment_names names_of_campaign(const json* campaign_json)
{
    segment_names out;
    if (campaign_json == nullptr || !campaign_json->is_object()) return out;
    if (const auto seg = campaign_json->find("segments"); seg != campaign_json->end()) collect_names(*seg, out, 0);
    if (const auto vars = campaign_json->find("variations"); vars != campaign_json->end() && vars->is_array()) {
        for (const json& v : *vars) {
            if (!v.is_object()) continue;
            if (const auto seg = v.find("segments"); seg != v.end()) collect_names(*seg, out, 0);
        }
    }
    return out;
}

attribute_value typed_value(std::size_t index)
{
    switch (index % 20) {
    case 0: return std::string();
    case 1: return std::string("0");
    case 2: return std::string("José");
    case 3: return std::string("用户42");
    case 4: return std::string(300, 'x');
    case 5: return std::int64_t{0};
    case 6: return std::int64_t{-1};
    case 7: return std::numeric_limits<std::int64_t>::max();
    case 8: return std::numeric_limits<std::int64_t>::min();
    case 9: return 0.5;
    case 10: return -0.0;
    case 11: return std::numeric_limits<double>::quiet_NaN();
    case 12: return std::numeric_limits<double>::infinity();
    case 13: return -std::numeric_limits<double>::infinity();
    case 14: return 1e308;
    case 15: return 123.0;
    case 16: return true;
    case 17: return false;
    case 18: return std::string("1.50");
    default: return std::string("\xff\xfe invalid utf-8 \xed\xa0\x80");
    }
}

/// Whether every id that goes into a hash next to the user id is ASCII (then ASCII users hash alike
/// in both compat modes).
bool hashed_ids_ascii(const campaign_settings& settings)
{
    if (!is_ascii(settings.account_id())) return false;
    for (const campaign& c : settings.campaigns()) {
        if (!is_ascii(c.seed_prefix) || !is_ascii(c.id.text)) return false;
    }
    for (const campaign_group& g : settings.groups()) {
        if (!is_ascii(g.id)) return false;
    }
    return true;
}

struct run_context {
    const campaign_settings& settings;
    const storage_probe* storage = nullptr;
    bool allow_fresh = true;
    bool ids_ascii = true;
};

decision_result checked_decide(const run_context& ctx, const campaign& c, const decision_input& input)
{
    try {
        return decide(ctx.settings, c, input);
    } catch (const std::exception& e) {
        vwo_fuzz::fail(__FILE__, __LINE__, "decide must not throw", e.what());
    } catch (...) {
        vwo_fuzz::fail(__FILE__, __LINE__, "decide must not throw", "unknown exception");
    }
}

void check_result(const run_context& ctx, const campaign& c, const decision_input& input, const decision_result& r)
{
    const campaign_settings& settings = ctx.settings;
    const auto where = [&] { return "campaign '" + c.key + "' user '" + std::string(input.user_id) + "' " + describe(r); };

    FUZZ_CHECK(r.chosen == nullptr || points_into(r.chosen, c.variations),
               "chosen is not a variation of the campaign: " + where());
    const bool has_variation_status = r.status == decision_status::whitelisted ||
                                      r.status == decision_status::bucketed || r.status == decision_status::stored;
    FUZZ_CHECK((r.chosen != nullptr) == has_variation_status, "chosen does not match the status: " + where());
    FUZZ_CHECK(r.status != decision_status::whitelisted || c.is_forced_variation_enabled,
               "whitelisted without isForcedVariationEnabled: " + where());
    if (r.status == decision_status::stored) {
        FUZZ_CHECK(input.storage != nullptr && input.storage->stored_variation(c) == r.chosen,
                   "stored is not the storage's variation: " + where());
    }
    FUZZ_CHECK(r.status != decision_status::not_activated || !input.allow_fresh_decision,
               "not_activated although fresh decisions are allowed: " + where());

    if (r.status == decision_status::bucketed) {
        FUZZ_CHECK(r.chosen->range.contains(r.variation_bucket), "bucketed outside the chosen range: " + where());
        FUZZ_CHECK(bucket_to_variation(settings, c, input.user_id, input.compat) == r.chosen,
                   "bucket_to_variation disagrees with decide: " + where());
    }
    if (r.status == decision_status::no_variation_in_range) {
        FUZZ_CHECK(bucket_to_variation(settings, c, input.user_id, input.compat) == nullptr,
                   "bucket_to_variation finds a variation decide did not: " + where());
    }
    const bool past_traffic = r.status == decision_status::bucketed ||
                              r.status == decision_status::no_variation_in_range ||
                              r.status == decision_status::group_claimed_by_other ||
                              r.status == decision_status::group_lost || r.status == decision_status::group_no_winner;
    if (past_traffic || r.status == decision_status::not_in_traffic) {
        FUZZ_CHECK(is_user_part_of_campaign(c, input.user_id, input.compat) == past_traffic,
                   "is_user_part_of_campaign disagrees with decide: " + where());
    }

    const campaign_group* expected_group = nullptr;
    if (c.group_index) {
        FUZZ_CHECK(*c.group_index < settings.groups().size(), "group_index out of range: " + where());
        const campaign_group& g = settings.groups()[*c.group_index];
        if (g.id != "0") expected_group = &g;
    }
    FUZZ_CHECK(r.group == expected_group, "decision.group is not the campaign's group: " + where());
    FUZZ_CHECK(r.group_other == nullptr || points_into(r.group_other, settings.campaigns()),
               "group_other is not a campaign of the settings: " + where());
    const bool group_status = r.status == decision_status::group_claimed_by_other ||
                              r.status == decision_status::group_lost || r.status == decision_status::group_no_winner;
    FUZZ_CHECK(!group_status || r.group != nullptr, "a group status without a group: " + where());
    FUZZ_CHECK(r.status != decision_status::group_lost || r.group_other != nullptr, "group_lost without a winner: " + where());
    FUZZ_CHECK(r.status != decision_status::group_claimed_by_other || r.group_other != nullptr,
               "group_claimed_by_other without a claimer: " + where());

    if (!r.segment_error.empty()) {
        // A view into the settings: the error text of some campaign's or variation's segment.
        bool found = false;
        for (const campaign& other : settings.campaigns()) {
            const std::string& e = other.segments.error();
            if (!e.empty() && view_into(r.segment_error, e.data(), e.size())) found = true;
            for (const variation& v : other.variations) {
                const std::string& ve = v.segments.error();
                if (!ve.empty() && view_into(r.segment_error, ve.data(), ve.size())) found = true;
            }
            if (found) break;
        }
        FUZZ_CHECK(found, "segment_error is not a view into the settings: " + where());
    }
}

bool variable_of_campaign(const campaign& c, const feature_variable* v)
{
    if (points_into(v, c.variables)) return true;
    return std::any_of(c.variations.begin(), c.variations.end(),
                       [v](const variation& x) { return points_into(v, x.variables); });
}

void check_features(const campaign& c, const decision_result& r, const std::vector<std::string>& keys)
{
    bool enabled = false;
    try {
        enabled = is_feature_enabled(c, r);
    } catch (...) {
        vwo_fuzz::fail(__FILE__, __LINE__, "is_feature_enabled must not throw", c.key);
    }
    FUZZ_CHECK(r.chosen != nullptr || !enabled, "feature enabled without a variation: " + c.key);

    for (const std::string& key : keys) {
        variable_lookup lookup;
        try {
            lookup = feature_variable_value(c, r, key);
        } catch (...) {
            vwo_fuzz::fail(__FILE__, __LINE__, "feature_variable_value must not throw", c.key + " / " + key);
        }
        const auto where = [&] { return "campaign '" + c.key + "' variable '" + key + "'"; };
        if (r.chosen == nullptr) {
            FUZZ_CHECK(lookup.status == variable_status::feature_disabled && !lookup.value && !lookup.variable,
                       "a variable without a variation: " + where());
            continue;
        }
        if (lookup.variable != nullptr) {
            FUZZ_CHECK(lookup.variable->key == key, "found a variable with another key: " + where());
            FUZZ_CHECK(variable_of_campaign(c, lookup.variable), "found a variable of another campaign: " + where());
        }
        switch (lookup.status) {
        case variable_status::found:
        case variable_status::found_in_control:
            FUZZ_CHECK(lookup.variable != nullptr && lookup.variable->cast_error.empty() &&
                           same_value(lookup.value, lookup.variable->value),
                       "found, but the value is not the variable's: " + where());
            break;
        case variable_status::cast_failed:
            FUZZ_CHECK(lookup.variable != nullptr && !lookup.variable->cast_error.empty() && !lookup.value,
                       "cast_failed without a cast error: " + where());
            break;
        case variable_status::feature_disabled:
            FUZZ_CHECK(false, "feature_disabled although a variation was chosen: " + where());
            break;
        case variable_status::not_found:
        case variable_status::control_without_variables:
            FUZZ_CHECK(!lookup.value && lookup.variable == nullptr, "not found, but a value: " + where());
            break;
        }
    }
}

void decide_all(const run_context& ctx, const campaign& c, std::string_view user, const attribute_map* attributes,
                const std::vector<std::string>& keys)
{
    decision_input input;
    input.user_id = user;
    input.custom_variables = attributes;
    input.variation_targeting_variables = attributes;
    input.storage = ctx.storage;
    input.allow_fresh_decision = ctx.allow_fresh;

    input.compat = bucketing_compat::standard;
    const decision_result standard = checked_decide(ctx, c, input);
    check_result(ctx, c, input, standard);
    const decision_result again = checked_decide(ctx, c, input);
    FUZZ_CHECK(same_result(standard, again), "not deterministic (standard): " + describe(standard) + " vs " +
                                                 describe(again) + " for campaign '" + c.key + "'");
    check_features(c, standard, keys);

    input.compat = bucketing_compat::node;
    const decision_result node = checked_decide(ctx, c, input);
    check_result(ctx, c, input, node);
    if (ctx.ids_ascii && is_ascii(user)) {
        FUZZ_CHECK(same_result(standard, node), "an ASCII user decides differently in the two compat modes: " +
                                                    describe(standard) + " vs " + describe(node) + " for campaign '" +
                                                    c.key + "' user '" + std::string(user) + "'");
    } else {
        const decision_result node_again = checked_decide(ctx, c, input);
        FUZZ_CHECK(same_result(node, node_again), "not deterministic (node): " + describe(node) + " vs " +
                                                      describe(node_again) + " for campaign '" + c.key + "'");
        check_features(c, node, keys);
    }
}

void check_settings(const campaign_settings& settings, std::string_view json_text, std::string_view params)
{
    vwo_fuzz::byte_reader reader(reinterpret_cast<const unsigned char*>(params.data()), params.size());
    const unsigned flags = reader.byte();
    const unsigned first = reader.byte();
    const std::string extra_user(reader.rest());
    const unsigned storage_mode = flags & 3U;
    const unsigned shift = flags >> 2;

    const auto& campaigns = settings.campaigns();
    if (campaigns.empty()) return;

    // An independent read of the document, for the segment variable names only.
    const json root = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
    const json* campaigns_json = nullptr;
    if (root.is_object()) {
        if (const auto it = root.find("campaigns"); it != root.end() && it->is_array()) campaigns_json = &*it;
    }

    const fuzz_storage storage_all(settings, false, shift);
    const fuzz_storage storage_half(settings, true, shift);
    const empty_storage storage_none;
    run_context ctx{settings};
    ctx.ids_ascii = hashed_ids_ascii(settings);
    switch (storage_mode) {
    case 1: ctx.storage = &storage_all; break;
    case 2: ctx.storage = &storage_half; break;
    case 3: ctx.storage = &storage_none; ctx.allow_fresh = false; break;
    default: break;
    }

    std::vector<std::string> users{"", "u", "José", "用户42", std::string(300, 'x')};
    if (!extra_user.empty()) users.push_back(extra_user);

    for (const std::string& user : users) {
        const std::string uuid = settings.visitor_uuid(user);
        FUZZ_CHECK(uuid == settings.visitor_uuid(user), "visitor_uuid is not deterministic");
    }

    const std::size_t count = std::min(campaigns.size(), max_campaigns);
    for (std::size_t n = 0; n < count; ++n) {
        const std::size_t index = (first + n) % campaigns.size();
        const campaign& c = campaigns[index];

        const campaign* by_key = settings.find_campaign(c.key);
        FUZZ_CHECK(by_key != nullptr && by_key->key == c.key && points_into(by_key, campaigns),
                   "find_campaign does not find the campaign's key: " + c.key);

        // The variable keys of the campaign and its variations, and one that no variable has.
        std::vector<std::string> keys;
        auto add_key = [&keys](const std::string& key) {
            if (keys.size() < max_keys && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        };
        for (const feature_variable& v : c.variables) add_key(v.key);
        for (const variation& v : c.variations) {
            for (const feature_variable& fv : v.variables) add_key(fv.key);
        }
        keys.push_back("\x01no such variable");

        // The attribute maps: the names the segments use, with their operands and with typed values.
        const json* campaign_json =
            campaigns_json != nullptr && index < campaigns_json->size() ? &(*campaigns_json)[index] : nullptr;
        const segment_names names = names_of_campaign(campaign_json);
        attribute_map matching;
        attribute_map typed;
        for (std::size_t i = 0; i < names.names.size(); ++i) {
            matching[names.names[i]] = names.operands[i];
            typed[names.names[i]] = typed_value(i + shift);
        }
        typed.try_emplace("browser", std::string("chrome"));
        const std::array<const attribute_map*, 3> maps{nullptr, &matching, &typed};

        for (const std::string& user : users) {
            for (const attribute_map* attributes : maps) decide_all(ctx, c, user, attributes, keys);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view json_text = input.substr(0, nul);
    const std::string_view params = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);

    vwo::core::outcome<std::shared_ptr<const vwo::core::account>> result =
        vwo::core::fail(vwo::errc::invalid_settings, "not run");
    try {
        result = vwo::core::parse_account(json_text);
    } catch (const std::exception& e) {
        vwo_fuzz::fail(__FILE__, __LINE__, "parse_account must not throw", e.what());
    } catch (...) {
        vwo_fuzz::fail(__FILE__, __LINE__, "parse_account must not throw", "unknown exception");
    }

    if (std::getenv("VWO_FUZZ_VERBOSE") != nullptr) { // which seeds are accepted (docs/fuzzing.md)
        std::fprintf(stderr, "%s\n", result ? "accepted" : result.error().message.c_str());
    }
    if (!result) {
        FUZZ_CHECK(result.error().code == vwo::errc::invalid_settings,
                   "failure with another code: " + result.error().code.message());
        FUZZ_CHECK(result.error().message.starts_with("settings file"),
                   "failure without a proper message: " + result.error().message);
        return 0;
    }
    FUZZ_CHECK(*result != nullptr, "success without an account");
    check_settings((*result)->campaigns, json_text, params);
    return 0;
}
