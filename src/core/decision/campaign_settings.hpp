#pragma once

// The campaign part of the settings file (docs/decisions.md "Settings-file fields the decisions read"),
// parsed once at launch into an immutable structure that every decision reads without locks. Everything a
// decision needs that does not depend on the user is computed here: variation ranges, the bucketing plan
// and seed prefix, compiled segments and type-cast feature variables. Quoted names below are sections of
// docs/decisions.md.
//
// Validation follows Node's schema (its schemas/SettingsFileSchema.js) for the top level and campaign
// fields, and is deliberately stricter on elements that Node does not check but cannot use either:
// a variation needs an id, a non-empty name and a number/string weight; variations must be an array;
// a variable needs an id, a key and a type; a goal an id, an identifier and a type; every
// campaignGroups entry must name a group in `groups`. Every error names the campaign and the field.

#include "core/decision/attributes.hpp"
#include "core/decision/bucketing.hpp"
#include "core/decision/segment_evaluator.hpp"
#include "core/uuid.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vwo::core {
class account;
}

namespace vwo::core::decision {

/// Node's enums/CampaignTypeEnum.js; `other` for any other type string ("Campaign types": it passes the
/// feature gates).
enum class campaign_type : std::uint8_t { visual_ab, feature_test, feature_rollout, other };

/// An id as the settings file holds it (number or string). Seeds and query strings use its JavaScript
/// String() form; JSON bodies need to know whether it was a string (docs/protocol.md "Query values").
struct settings_id {
    std::string text;       ///< JavaScript String(id): 101 → "101", "abc" → "abc"
    bool is_string = false; ///< the file held a JSON string
    bool is_number_one = false; ///< the number 1 (strict `id === 1`, the feature-test control)
};

/// A feature variable (campaign.variables of a rollout, variation.variables of a feature test).
struct feature_variable {
    settings_id id;
    std::string key;
    std::string type;       ///< "boolean", "integer", "double", "string", "json" or anything else
    std::string raw_json;   ///< JSON.stringify of the value as given ("" when the value is missing)
    /// The value after the type cast of "Feature variables", computed once; nullopt when the cast fails
    /// (Node: null plus ERROR UNABLE_TO_CAST_VALUE, see cast_error) or the value is missing / null.
    std::optional<variable_value> value;
    std::string cast_error; ///< non-empty when the cast failed: what to log
};

/// How a list of variables was given: Node treats a missing list as "no variables" (falsy) but an
/// object in place of an array as present and empty ("Feature variables").
enum class variables_form : std::uint8_t { absent, list };

/// The JavaScript type of a variation's weight, for whitelisting's `Σw` (string concatenation in Node).
enum class weight_form : std::uint8_t { number, string, boolean, null, missing };

struct variation {
    settings_id id;
    std::string name;
    double weight = 0;          ///< JavaScript Number(weight) (NaN when missing)
    weight_form weight_kind = weight_form::missing;
    std::string weight_text;    ///< JavaScript String(weight) ("undefined" when missing)
    bucket_range range;         ///< "Variation ranges", assigned in array order
    segment segments;           ///< whitelisting segments ("Whitelisting")
    bool is_feature_enabled = false; ///< JS truthiness of isFeatureEnabled
    variables_form variables_kind = variables_form::absent;
    std::vector<feature_variable> variables;

    const feature_variable* find_variable(std::string_view key) const noexcept;
};

struct goal {
    settings_id id;
    std::string identifier;
    std::string type;                        ///< "REVENUE_TRACKING", "CUSTOM_GOAL", or other
    std::optional<std::string> revenue_prop; ///< revenueProp
    std::optional<settings_id> mca;          ///< mca as given
    bool mca_is_minus_one = false;           ///< `goal.mca === -1` ("Revenue")
};

struct campaign {
    settings_id id;
    std::string key;
    std::optional<std::string> name;
    std::string type_text;
    campaign_type type = campaign_type::other;
    std::string status;
    bool is_running = false; ///< status is exactly "RUNNING" ("Order of checks" step 5)
    double percent_traffic = 0;
    segment segments; ///< pre-segmentation ("Segmentation")
    bool is_forced_variation_enabled = false;
    bool is_user_list_enabled = false;
    bool is_bucketing_seed_enabled = false;
    bool is_mab = false; ///< `isMAB === true`
    bool is_ob = false;   ///< JS truthiness (not in the schema)
    bool is_obv2 = false; ///< JS truthiness (not in the schema)
    std::vector<variation> variations;
    variables_form variables_kind = variables_form::absent;
    std::vector<feature_variable> variables; ///< rollout variables
    std::vector<goal> goals;

    bucketing_plan plan;     ///< "Seed strings and multiplier", with the settings' isNB / isNBv2
    std::string seed_prefix; ///< "<id>_" when plan.seeded, else "" (getBucketingSeed)
    std::optional<std::size_t> group_index; ///< into campaign_settings::groups(), if in a MEG group

    const feature_variable* find_variable(std::string_view key) const noexcept;
    /// getControlForCampaign: the first variation whose id is the number 1 ("Feature variables"); null if none.
    const variation* control() const noexcept;
    /// The first variation whose id is the string "1": our fallback control where Node's strict
    /// `id === 1` finds none and throws (our fix: "Differences from Node 1.73.0 in the decisions"); null if none.
    const variation* control_by_string_id() const noexcept;
};

/// A mutually exclusive group ("Group settings"); decide() applies its rules through groups.hpp.
struct campaign_group {
    std::string id;   ///< the key in `groups`
    std::string name; ///< `name` (String() of it; "" when absent)
    std::vector<std::string> campaign_ids; ///< `campaigns`, as JS String() of each id, in order
    bool random_algorithm = true;          ///< `et` absent or the number 1
    std::vector<settings_id> priority;     ///< `p`
    std::vector<std::pair<std::string, double>> weights; ///< `wt`: campaign id text → weight
};

/// The parsed campaigns, groups and account flags: the campaign part of core::account (core/account.hpp),
/// filled once by core::parse_account and never changed afterwards.
/// Thread-safety: immutable after parse_account returns; every member function is const and may be
/// called from any number of threads at once.
class campaign_settings {
public:
    campaign_settings(const campaign_settings&) = delete; // by_key_ holds views into campaigns_
    campaign_settings& operator=(const campaign_settings&) = delete;

    const std::string& account_id() const noexcept { return account_id_; }
    bool is_nb() const noexcept { return is_nb_; }
    bool is_nbv2() const noexcept { return is_nbv2_; }
    const std::vector<campaign>& campaigns() const noexcept { return campaigns_; }
    const std::vector<campaign_group>& groups() const noexcept { return groups_; }

    /// The first campaign with exactly this key, as Node's CampaignUtil.getCampaign; null if none.
    const campaign* find_campaign(std::string_view key) const noexcept;

    /// The visitor UUID of `user_id` in this account (the `_vwoUserId` of isUserListEnabled, "Whitelisting").
    std::string visitor_uuid(std::string_view user_id) const { return uuid_(user_id); }

private:
    friend class campaign_settings_parser;
    friend class vwo::core::account; // the only owner: constructs it empty, parse_account fills it
    explicit campaign_settings(std::string account_id);

    std::string account_id_;
    bool is_nb_ = false;
    bool is_nbv2_ = false;
    std::vector<campaign> campaigns_;
    std::vector<campaign_group> groups_;
    std::unordered_map<std::string_view, std::size_t> by_key_; ///< views into campaigns_[i].key
    visitor_uuid_generator uuid_;
};

} // namespace vwo::core::decision
