#pragma once

// The decision pipeline for one campaign and one API call (docs/decisions.md "The pipeline for one
// campaign", Node's DecisionUtil.getVariation), everything after the API-level gates (status, type, MAB,
// argument validation, which the API layer applies). Quoted names below are sections of docs/decisions.md;
// "pipeline step N" and "group step N" are the numbered steps of its "The pipeline for one campaign" and
// "How a group decides".
//   1. whitelisting of the called campaign ("Whitelisting"); a match skips everything below;
//   2. user storage of the called campaign through a storage_probe ("User storage"), when one is given;
//   3. pre-segmentation ("Segmentation") and traffic ("Traffic allocation");
//   4. mutually exclusive groups ("Mutually exclusive groups", groups.hpp) when the campaign is in a group;
//   5. variation bucketing of the called campaign ("Bucketing").
// It decides only: writing a fresh decision to storage, the integrations callback and tracking are the
// API layer's (pipeline steps 9-11).
//
// Computed on the caller's thread, without I/O and without locks. Without a group it allocates only
// for regex() conditions, lower() on non-ASCII values, whitelisting matches and isUserListEnabled
// UUIDs; a group decision also allocates two small member lists.

#include "core/decision/attributes.hpp"
#include "core/decision/bucketing.hpp"
#include "core/decision/campaign_settings.hpp"

#include <cstdint>
#include <string_view>

namespace vwo::core::decision {

/// What user storage holds for this user (engine::decision_service implements it over
/// client_options::user_storage).
/// Called on the caller's thread during decide(). Thread-safety: as the implementation's.
class storage_probe {
public:
    virtual ~storage_probe() = default;
    /// The usable stored variation of `c` for this user ("Contract": a record with campaignKey and a
    /// variationName that exists in `c`), or null when nothing usable is stored.
    virtual const variation* stored_variation(const campaign& c) const = 0;
};

struct decision_input {
    std::string_view user_id;
    const attribute_map* custom_variables = nullptr;              ///< pre-segmentation; null = {}
    const attribute_map* variation_targeting_variables = nullptr; ///< whitelisting; null = {}
    bucketing_compat compat = bucketing_compat::standard;
    /// User storage: the called campaign's stored variation is used as is (pipeline step 5), and in a
    /// group any other member's stored variation claims the user ("How a group decides" step 1). Null: no
    /// storage configured, every call decides fresh.
    const storage_probe* storage = nullptr;
    /// False for get_variation_name / get_feature_variable_value / track when storage is configured
    /// and holds no record ("Who decides with storage configured"): without a usable stored variation
    /// the result is then not_activated. (A record naming a variation that no longer exists still allows
    /// a fresh decision, "What is stored, and when" — the API layer, which reads the record, sets this
    /// flag accordingly.)
    bool allow_fresh_decision = true;
};

/// Why the decision came out as it did.
enum class decision_status : std::uint8_t {
    whitelisted,            ///< a variation's segments matched (no storage, traffic or pre-segmentation)
    bucketed,               ///< passed pre-segmentation, traffic and any group, and the bucket hit a range
    presegmentation_failed, ///< "Segmentation": campaign.segments evaluated to false
    not_in_traffic,         ///< "Traffic allocation": traffic bucket 0 or above percentTraffic
    no_variation_in_range,  ///< "Traffic-scaled overflow": the variation bucket hit no range (above 10000, a gap)
    stored,                 ///< "Contract": user storage held a usable variation (kept even if traffic changed)
    not_activated,          ///< "Who decides with storage configured": no fresh decision, nothing usable stored
    group_claimed_by_other, ///< group step 1: another group member whitelists the user or has a stored variation
    group_lost,             ///< group steps 3-5: another group member won
    group_no_winner,        ///< group step 5: the advanced algorithm found no winner (or the group has no members)
};

std::string_view to_string(decision_status status) noexcept;

struct decision_result {
    const variation* chosen = nullptr; ///< into the campaign_settings; null = no variation
    decision_status status = decision_status::not_in_traffic;
    /// The bucket values (Node's DEBUG USER_HASH_BUCKET_VALUE / USER_CAMPAIGN_BUCKET_VALUES);
    /// 0 when the step was not reached.
    std::uint32_t traffic_hash = 0;
    double traffic_bucket = 0;
    std::uint32_t variation_hash = 0;
    double variation_bucket = 0;
    /// Non-empty when a malformed segment evaluated to false (Node: ERROR SEGMENTATION_ERROR): log it.
    /// Views into the campaign_settings, like `chosen`.
    std::string_view segment_error;

    /// The called campaign's group, set whatever the status: the integrations callback carries its
    /// groupId / groupName for every decision of a group campaign ("The integrations callback"). Null
    /// when not in a group.
    const campaign_group* group = nullptr;
    /// group_claimed_by_other: the member that claimed the user; group_lost: the winner. For the
    /// MEG_* logs.
    const campaign* group_other = nullptr;
    bool group_claimed_by_storage = false; ///< group_claimed_by_other: by storage (else by whitelisting)
    std::uint32_t group_eligible = 0;      ///< group step 2: eligible members (0 when not reached)
    double group_bucket = 0;               ///< bucket(murmur("<groupId>_<userId>"), 10000); 0 when not used
    /// Our fix ("Differences from Node 1.73.0 in the decisions"): the random algorithm's bucket fell
    /// above Node's last range, where Node throws TypeError and returns null; we gave it to the last
    /// eligible member. Log the difference.
    bool group_range_extended = false;

    bool has_variation() const noexcept { return chosen != nullptr; }
};

/// Decides `c` (a campaign of `settings`) for one user. Precondition: the API layer has already
/// applied the status and campaign-type gates ("Order of checks"). Keep `settings` alive while the result is used:
/// it points into it.
/// Thread-safety: reads only immutable settings and the caller's inputs (and calls input.storage).
decision_result decide(const campaign_settings& settings, const campaign& c, const decision_input& input);

/// "Traffic allocation" alone: whether the user is part of the campaign's traffic (also group eligibility).
bool is_user_part_of_campaign(const campaign& c, std::string_view user_id, bucketing_compat compat) noexcept;

/// "Variation ranges" and "Seed strings and multiplier" alone (Node's bucketUserToVariation): the
/// variation the bucket falls into, or null.
const variation* bucket_to_variation(const campaign_settings& settings, const campaign& c,
                                     std::string_view user_id, bucketing_compat compat) noexcept;

} // namespace vwo::core::decision
