#pragma once

// The decision pipeline for one campaign (decision-apis.md Part B §4, N DecisionUtil.getVariation
// without user storage and without mutually exclusive groups, which issue 8 adds): whitelisting (§6),
// pre-segmentation (§5) and traffic (§3.3), then variation bucketing (§3.4-3.6).
//
// Computed on the caller's thread, without I/O and without locks; it allocates only for regex()
// conditions, lower() on non-ASCII values, whitelisting matches and isUserListEnabled UUIDs.

#include "core/decision/attributes.hpp"
#include "core/decision/bucketing.hpp"
#include "core/decision/campaign_settings.hpp"

#include <cstdint>
#include <string_view>

namespace vwo::core::decision {

struct decision_input {
    std::string_view user_id;
    const attribute_map* custom_variables = nullptr;              ///< pre-segmentation; null = {}
    const attribute_map* variation_targeting_variables = nullptr; ///< whitelisting; null = {}
    bucketing_compat compat = bucketing_compat::standard;
};

/// Why the decision came out as it did.
enum class decision_status : std::uint8_t {
    whitelisted,            ///< §6: a variation's segments matched (no storage, traffic or pre-segmentation)
    bucketed,               ///< §3: passed pre-segmentation and traffic, and the bucket hit a range
    presegmentation_failed, ///< §5: campaign.segments evaluated to false
    not_in_traffic,         ///< §3.3: traffic bucket 0 or above percentTraffic
    no_variation_in_range,  ///< §3.6: the variation bucket hit no range (overflow above 10000, a gap)
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

    bool has_variation() const noexcept { return chosen != nullptr; }
};

/// Decides `c` (a campaign of `settings`) for one user. Precondition: the API layer has already
/// applied the status and campaign-type gates (§1.3), and `c` is not in a group (c.group_index is
/// empty) or the caller accepts that MEG rules (§7, issue 8) are not applied.
/// Thread-safety: reads only immutable settings and the caller's inputs.
decision_result decide(const campaign_settings& settings, const campaign& c, const decision_input& input);

/// §3.3 alone: whether the user is part of the campaign's traffic (also MEG eligibility, §7.2).
bool is_user_part_of_campaign(const campaign& c, std::string_view user_id, bucketing_compat compat) noexcept;

/// §3.4-3.5 alone (N bucketUserToVariation): the variation the bucket falls into, or null.
const variation* bucket_to_variation(const campaign_settings& settings, const campaign& c,
                                     std::string_view user_id, bucketing_compat compat) noexcept;

} // namespace vwo::core::decision
