#include "core/decision/campaign_settings.hpp"
#include "core/decision/campaign_settings_fill.hpp"

#include "core/decision/js_json.hpp"
#include "core/decision/js_text.hpp"
#include "core/decision/segment_parser.hpp"
#include "core/decision/variable_cast.hpp"

#include <vwo/error.hpp>

#include <cmath>

namespace vwo::core::decision {

using json = nlohmann::ordered_json;

const feature_variable* variation::find_variable(std::string_view key) const noexcept
{
    for (const auto& v : variables) {
        if (v.key == key) return &v;
    }
    return nullptr;
}

const feature_variable* campaign::find_variable(std::string_view key) const noexcept
{
    for (const auto& v : variables) {
        if (v.key == key) return &v;
    }
    return nullptr;
}

const variation* campaign::control() const noexcept
{
    for (const auto& v : variations) {
        if (v.id.is_number_one) return &v;
    }
    return nullptr;
}

const variation* campaign::control_by_string_id() const noexcept
{
    for (const auto& v : variations) {
        if (v.id.is_string && v.id.text == "1") return &v;
    }
    return nullptr;
}

campaign_settings::campaign_settings(std::string account_id)
    : account_id_(std::move(account_id)), uuid_(account_id_)
{
}

const campaign* campaign_settings::find_campaign(std::string_view key) const noexcept
{
    const auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : &campaigns_[it->second];
}

namespace {

/// A refused settings file; the message says where.
struct settings_error {
    std::string message;
};

[[noreturn]] void fail(const std::string& where, const std::string& what)
{
    throw settings_error{where + ": " + what};
}

const json* field(const json& object, const char* name)
{
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

// Optional fields treat JSON null like absence (as core/settings.cpp does).
const json* optional_field(const json& object, const char* name)
{
    const json* value = field(object, name);
    return value == nullptr || value->is_null() ? nullptr : value;
}

settings_id read_id(const json& value, const std::string& where, const char* name)
{
    if (!value.is_string() && !value.is_number()) fail(where, std::string(name) + " must be a number or a string");
    settings_id id;
    id.text = js::string_of(value);
    id.is_string = value.is_string();
    id.is_number_one = value.is_number() && js::number_of(value) == 1;
    return id;
}

settings_id required_id(const json& object, const std::string& where, const char* name)
{
    const json* value = field(object, name);
    if (value == nullptr) fail(where, std::string(name) + " is missing");
    return read_id(*value, where, name);
}

std::string required_string(const json& object, const std::string& where, const char* name)
{
    const json* value = field(object, name);
    if (value == nullptr) fail(where, std::string(name) + " is missing");
    if (!value->is_string()) fail(where, std::string(name) + " must be a string");
    return value->get<std::string>();
}

std::optional<std::string> optional_string(const json& object, const std::string& where, const char* name)
{
    const json* value = optional_field(object, name);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) fail(where, std::string(name) + " must be a string");
    return value->get<std::string>();
}

// Schema booleans (optional(boolean())): absent/null → false, a boolean as it is, anything else refused.
bool optional_bool(const json& object, const std::string& where, const char* name)
{
    const json* value = optional_field(object, name);
    if (value == nullptr) return false;
    if (!value->is_boolean()) fail(where, std::string(name) + " must be a boolean");
    return value->get<bool>();
}

// Flags outside the schema (isNB, isNBv2, isOB, isOBv2, isFeatureEnabled): JavaScript truthiness.
bool truthy_field(const json& object, const char* name)
{
    const json* value = field(object, name);
    return value != nullptr && js::truthy(*value);
}

// Built piece by piece: g++ 12 at -O3 misreads `"'" + std::string(...)` (-Wrestrict).
std::string in_quotes(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

feature_variable read_variable(const json& element, const std::string& where)
{
    if (!element.is_object()) fail(where, "must be an object");
    feature_variable v;
    v.id = required_id(element, where, "id");
    v.key = required_string(element, where, "key");
    v.type = required_string(element, where, "type");
    const json* value = field(element, "value");
    if (value != nullptr) js::append_stringified(v.raw_json, *value);
    cast_variable(v, value);
    return v;
}

// variables: optional(union([object(), array(...)])). An object stands for an empty but present list.
variables_form read_variables(const json& owner, const std::string& where, std::vector<feature_variable>& out)
{
    const json* list = optional_field(owner, "variables");
    if (list == nullptr) return variables_form::absent;
    if (list->is_object()) return variables_form::list;
    if (!list->is_array()) fail(where, "variables must be an array");
    for (std::size_t i = 0; i < list->size(); ++i) {
        out.push_back(read_variable((*list)[i], where + " variables[" + std::to_string(i) + "]"));
    }
    return variables_form::list;
}

goal read_goal(const json& element, const std::string& where)
{
    if (!element.is_object()) fail(where, "must be an object");
    goal g;
    g.id = required_id(element, where, "id");
    g.identifier = required_string(element, where, "identifier");
    g.type = required_string(element, where, "type");
    g.revenue_prop = optional_string(element, where, "revenueProp");
    if (const json* mca = optional_field(element, "mca")) {
        g.mca = read_id(*mca, where, "mca");
        g.mca_is_minus_one = mca->is_number() && js::number_of(*mca) == -1;
    }
    return g;
}

variation read_variation(const json& element, const std::string& where)
{
    if (!element.is_object()) fail(where, "must be an object");
    variation v;
    v.id = required_id(element, where, "id");
    v.name = required_string(element, where, "name");
    if (v.name.empty()) fail(where, "name must not be empty");
    const json* weight = field(element, "weight");
    if (weight == nullptr) {
        v.weight_kind = weight_form::missing;
        v.weight = std::nan("");
        v.weight_text = "undefined";
    } else {
        if (weight->is_number()) v.weight_kind = weight_form::number;
        else if (weight->is_string()) v.weight_kind = weight_form::string;
        else if (weight->is_boolean()) v.weight_kind = weight_form::boolean;
        else if (weight->is_null()) v.weight_kind = weight_form::null;
        else fail(where, "weight must be a number or a string");
        v.weight = js::number_from(*weight);
        v.weight_text = js::string_of(*weight);
    }
    if (const json* segments = field(element, "segments")) {
        v.segments = compile_segment(*segments);
    }
    v.is_feature_enabled = truthy_field(element, "isFeatureEnabled");
    v.variables_kind = read_variables(element, where, v.variables);
    return v;
}

campaign_type type_of(std::string_view text) noexcept
{
    if (text == "VISUAL_AB") return campaign_type::visual_ab;
    if (text == "FEATURE_TEST") return campaign_type::feature_test;
    if (text == "FEATURE_ROLLOUT") return campaign_type::feature_rollout;
    return campaign_type::other;
}

} // namespace

/// Fills a campaign_settings from the parsed document. Used only by fill_campaign_settings.
/// Thread-safety: static functions over their arguments only; safe to call concurrently.
class campaign_settings_parser {
public:
    static void parse(campaign_settings* out, const json& root)
    {
        out->is_nb_ = truthy_field(root, "isNB");
        out->is_nbv2_ = truthy_field(root, "isNBv2");

        const json* campaigns = field(root, "campaigns");
        if (campaigns == nullptr) fail("settings file", "campaigns is missing");
        if (!campaigns->is_array()) fail("settings file", "campaigns must be an array");
        out->campaigns_.reserve(campaigns->size());
        for (std::size_t i = 0; i < campaigns->size(); ++i) {
            out->campaigns_.push_back(read_campaign(*out, (*campaigns)[i], i));
        }
        read_groups(*out, root);
        for (std::size_t i = 0; i < out->campaigns_.size(); ++i) {
            out->by_key_.emplace(out->campaigns_[i].key, i); // emplace keeps the first: getCampaign
        }
    }

private:
    static campaign read_campaign(const campaign_settings& settings, const json& element, std::size_t index)
    {
        std::string where = "settings file: campaigns[" + std::to_string(index) + "]";
        if (!element.is_object()) fail(where, "must be an object");
        campaign c;
        c.key = required_string(element, where, "key");
        where = "settings file: campaign " + in_quotes(c.key) + " (campaigns[" + std::to_string(index) + "])";
        c.id = required_id(element, where, "id");
        c.name = optional_string(element, where, "name");
        c.type_text = required_string(element, where, "type");
        c.type = type_of(c.type_text);
        c.status = required_string(element, where, "status");
        c.is_running = c.status == "RUNNING";

        const json* traffic = field(element, "percentTraffic");
        if (traffic == nullptr) fail(where, "percentTraffic is missing");
        if (!traffic->is_number()) fail(where, "percentTraffic must be a number");
        c.percent_traffic = js::number_of(*traffic);

        // segments: object() in superstruct 0.10, which also lets arrays through
        // (docs/decisions.md#settings-file-fields-the-decisions-read); an array is then "not an object" for
        // the evaluator, i.e. no segmentation.
        const json* segments = field(element, "segments");
        if (segments == nullptr) fail(where, "segments is missing");
        if (!segments->is_object() && !segments->is_array()) fail(where, "segments must be an object");
        c.segments = compile_segment(*segments);

        c.is_forced_variation_enabled = optional_bool(element, where, "isForcedVariationEnabled");
        c.is_user_list_enabled = optional_bool(element, where, "isUserListEnabled");
        c.is_bucketing_seed_enabled = optional_bool(element, where, "isBucketingSeedEnabled");
        c.is_mab = optional_bool(element, where, "isMAB");
        c.is_ob = truthy_field(element, "isOB");
        c.is_obv2 = truthy_field(element, "isOBv2");

        const json* variations = field(element, "variations");
        if (variations == nullptr) fail(where, "variations is missing");
        if (!variations->is_array()) fail(where, "variations must be an array");
        std::vector<double> steps;
        for (std::size_t i = 0; i < variations->size(); ++i) {
            c.variations.push_back(read_variation((*variations)[i], where + " variations[" + std::to_string(i) + "]"));
            const variation& v = c.variations.back();
            // `!weight` is false for any non-empty string, even "abc" (whose step is then NaN).
            const bool truthy_string = v.weight_kind == weight_form::string && !v.weight_text.empty();
            steps.push_back(truthy_string ? range_step_of_string(v.weight) : range_step(v.weight));
        }
        const std::vector<bucket_range> ranges = ranges_from_steps(steps);
        for (std::size_t i = 0; i < ranges.size(); ++i) c.variations[i].range = ranges[i];

        c.variables_kind = read_variables(element, where, c.variables);

        const json* goals = field(element, "goals");
        if (goals == nullptr) fail(where, "goals is missing");
        if (goals->is_array()) {
            for (std::size_t i = 0; i < goals->size(); ++i) {
                c.goals.push_back(read_goal((*goals)[i], where + " goals[" + std::to_string(i) + "]"));
            }
        } else if (!goals->is_object()) {
            fail(where, "goals must be an array");
        }

        c.plan = make_bucketing_plan(settings.is_nb_, settings.is_nbv2_, c.is_ob, c.is_obv2,
                                     c.is_bucketing_seed_enabled, c.percent_traffic);
        if (c.plan.seeded) c.seed_prefix = c.id.text + "_";
        return c;
    }

    // campaignGroups: record(string(), number()); groups: any object (docs/decisions.md#group-settings).
    static void read_groups(campaign_settings& settings, const json& root)
    {
        const std::string where = "settings file";
        const json* groups = optional_field(root, "groups");
        if (groups != nullptr && !groups->is_object()) fail(where, "groups must be an object");
        if (groups != nullptr) {
            for (auto it = groups->begin(); it != groups->end(); ++it) {
                const std::string at = where + ": group " + in_quotes(it.key());
                const json& g = it.value();
                if (!g.is_object()) fail(at, "must be an object");
                campaign_group group;
                group.id = it.key();
                if (const json* name = optional_field(g, "name")) group.name = js::string_of(*name);
                const json* members = optional_field(g, "campaigns");
                if (members == nullptr || !members->is_array()) fail(at, "campaigns must be an array");
                for (const auto& id : *members) group.campaign_ids.push_back(read_id(id, at, "campaigns[]").text);
                const json* et = field(g, "et");
                group.random_algorithm = et == nullptr || (et->is_number() && js::number_of(*et) == 1);
                if (const json* p = optional_field(g, "p")) {
                    if (!p->is_array()) fail(at, "p must be an array");
                    for (const auto& id : *p) group.priority.push_back(read_id(id, at, "p[]"));
                }
                if (const json* wt = optional_field(g, "wt")) {
                    if (!wt->is_object()) fail(at, "wt must be an object");
                    for (auto w = wt->begin(); w != wt->end(); ++w) {
                        if (!w.value().is_number()) fail(at, "wt." + w.key() + " must be a number");
                        group.weights.emplace_back(w.key(), js::number_of(w.value()));
                    }
                }
                settings.groups_.push_back(std::move(group));
            }
        }

        const json* map = optional_field(root, "campaignGroups");
        if (map == nullptr) return;
        if (!map->is_object()) fail(where, "campaignGroups must be an object");
        for (auto it = map->begin(); it != map->end(); ++it) {
            if (!it.value().is_number()) fail(where, "campaignGroups." + it.key() + " must be a number");
            const std::string group_id = js::string_of(it.value());
            std::optional<std::size_t> index;
            for (std::size_t g = 0; g < settings.groups_.size(); ++g) {
                if (settings.groups_[g].id == group_id) index = g;
            }
            // Node reads groups[id].name when the campaign is called and throws if it is missing.
            if (!index) {
                fail(where, "campaignGroups." + it.key() + " names group " + group_id + ", which groups does not define");
            }
            // isPartOfGroup looks the campaign's id up as a property name (its String()).
            for (auto& c : settings.campaigns_) {
                if (c.id.text == it.key()) c.group_index = index;
            }
        }
    }
};

std::string campaigns_account_id(const json& account_id) { return js::string_of(account_id); }

outcome<void> fill_campaign_settings(campaign_settings& out, const json& root)
{
    try {
        campaign_settings_parser::parse(&out, root);
        return {};
    } catch (const settings_error& e) {
        return core::fail(errc::invalid_settings, e.message);
    }
}

} // namespace vwo::core::decision
