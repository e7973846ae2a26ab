#pragma once

// Mutually exclusive groups (docs/decisions.md#mutually-exclusive-groups; Node's DecisionUtil,
// _normalizeAndFindWinningCampaign, _advancedAlgoFindWinningCampaign): which member of a group a user
// may see, once the called campaign has passed its own whitelisting, storage, pre-segmentation and
// traffic (steps 4-6 of docs/decisions.md#the-pipeline-for-one-campaign). decide() calls evaluate_group;
// the building blocks are exposed for tests. "Step N" below is a step of docs/decisions.md#how-a-group-decides.
//
// Equal to Node 1.73.0 except for one fix of ours (docs/decisions.md#differences-from-node-1730-in-the-decisions):
// Node's random algorithm gives each of n eligible members floor(100/n) %, so for n = 3, 6, 7, 8 (and
// many larger n) the ranges end below 10000 (n = 3: 9900) and a group bucket above them makes Node throw
// TypeError "Cannot read properties of null (reading 'key')" and return null. We keep Node's ranges and
// extend the last one to 10000, so every user lands in exactly one eligible member.
//
// Pure functions: thread-safe, no I/O; evaluate_group calls the input's storage_probe.

#include "core/decision/bucketing.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace vwo::core::decision {

/// How the group step ended for the called campaign.
enum class group_outcome : std::uint8_t {
    called_wins,      ///< the called campaign won (or was the only eligible member): bucket its variation
    claimed_by_other, ///< step 1: another member whitelists the user or has a stored variation
    lost,             ///< another eligible member won
    no_winner,        ///< no member resolved, or the advanced algorithm's bucket hit no range
};

struct group_decision {
    group_outcome outcome = group_outcome::no_winner;
    /// claimed_by_other: the member that claimed the user; lost: the winner.
    const campaign* other = nullptr;
    bool claimed_by_storage = false;  ///< claimed_by_other: by its stored variation (else whitelisting)
    std::size_t members = 0;          ///< members resolved from group.campaigns
    std::size_t eligible = 0;         ///< members passing pre-segmentation and traffic (step 2)
    std::uint32_t group_hash = 0;     ///< murmur("<groupId>_<userId>"); 0 when no selection was needed
    double group_bucket = 0;          ///< bucket(group_hash, 10000); 0 likewise
    bool last_range_extended = false; ///< our fix of the random algorithm decided (Node: TypeError → null)
};

/// How a group decides, for `called`, whose group is settings.groups()[*called.group_index]. Precondition: `called`
/// has passed its own whitelisting, storage, pre-segmentation and traffic. Other members' whitelisting
/// uses the called campaign's `_vwoUserId` choice (isUserListEnabled, pipeline step 3); their storage is
/// read through input.storage when set.
group_decision evaluate_group(const campaign_settings& settings, const campaign_group& group, const campaign& called,
                              const decision_input& input);

/// docs/decisions.md#group-settings: the members of `group`, in group order. Each id resolves to the
/// first campaign with the same parseInt(id, 10) (Node's getCampaignBasedOnId); ids that resolve to none
/// are skipped. Duplicates stay.
std::vector<const campaign*> group_members(const campaign_settings& settings, const campaign_group& group);

/// Step 2: pre-segmentation against `custom_variables`, then traffic; the status is not checked, so a
/// paused member is eligible too (a Node rule we keep).
bool is_group_eligible(const campaign& member, const decision_input& input);

/// The group bucket: bucket(murmur("<groupId>_<userId>"), 10000), whatever the campaign flags
/// (docs/decisions.md#seed-strings-and-multiplier).
std::uint32_t group_hash(const campaign_group& group, std::string_view user_id, bucketing_compat compat) noexcept;

/// Step 4: the range of eligible member `index` of `n` in the random algorithm: step
/// ceil(floor(100/n) * 100), contiguous from 1, the last range extended to 10000 (our fix).
/// Precondition: index < n.
bucket_range random_algorithm_range(std::size_t index, std::size_t n) noexcept;

/// The winner among `eligible` (in group order, at least two) for `bucket`.
struct winner_pick {
    std::optional<std::size_t> index; ///< into eligible; empty = no winner (advanced algorithm only)
    bool last_range_extended = false; ///< random algorithm: decided by the extension of the last range
};
/// Steps 4-5: the random algorithm (group.random_algorithm), or the advanced one: the first id of
/// `p` among the eligible (strict id equality, so 101 and "101" differ), else weighted by `wt` over the
/// eligible members that have an entry, weights not normalised.
winner_pick pick_winner(const campaign_group& group, std::span<const campaign* const> eligible, double bucket) noexcept;

} // namespace vwo::core::decision
