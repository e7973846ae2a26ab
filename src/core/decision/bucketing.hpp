#pragma once

// Bucketing (docs/decisions.md#bucketing): the hash input in both compatibility modes, the bucket
// formula, variation ranges, seed strings and the traffic multiplier. Pure functions, thread-safe.

#include <vwo/decision_types.hpp>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vwo::core::decision {

/// Which bytes of a user id are hashed (docs/decisions.md#non-ascii-user-ids-bucketing_compat;
/// vwo/decision_types.hpp).
/// node: the low byte of each UTF-16 code unit, length in code units (docs/decisions.md#hash).
using vwo::bucketing_compat;

/// The seed of Node's `Hasher.v3(key, SEED_VALUE)` (Node's constants/index.js: SEED_VALUE 1).
inline constexpr std::uint32_t hash_seed_value = 1;
/// Node's MAX_TRAFFIC_PERCENT and MAX_TRAFFIC_VALUE.
inline constexpr double max_traffic_percent = 100;
inline constexpr double max_traffic_value = 10000;

/// MurmurHash3 (seed 1) of the concatenation of `pieces`, each fed as `compat` says. Hashing the
/// pieces of "<id>_<accountId>_<userId>" separately avoids building that string per decision.
std::uint32_t hash_text(std::span<const std::string_view> pieces, bucketing_compat compat) noexcept;
/// MurmurHash3 (seed 1) of one string.
std::uint32_t hash_text(std::string_view text, bucketing_compat compat) noexcept;

/// floor((max * (hash / 2^32) + 1) * multiplier), in IEEE double, in exactly Node's order
/// (docs/decisions.md#bucket-value). A double: the result can exceed 10000
/// (docs/decisions.md#traffic-scaled-overflow) and ranges are doubles too.
double bucket_value(std::uint32_t hash, double max, double multiplier = 1) noexcept;

/// Case A of docs/decisions.md#seed-strings-and-multiplier: 10000 / percentTraffic / 100, two divisions in
/// that order (not 100 / percentTraffic, which differs in the last bit for e.g. 30).
double traffic_multiplier(double percent_traffic) noexcept;

/// One variation's (or whitelisting candidate's) bucket range. Both -1 when the weight is falsy;
/// NaN when an earlier weight was not a number (Node propagates NaN through the running total).
struct bucket_range {
    double start = -1;
    double end = -1;
    bool contains(double bucket) const noexcept { return bucket >= start && bucket <= end; }
};

/// docs/decisions.md#variation-ranges (Node's _getVariationBucketRange): the range step of a numeric
/// weight: 0 for a falsy weight (0, NaN), else min(ceil(w * 100), 10000).
double range_step(double weight) noexcept;
/// The same for a non-empty string weight, given its Number() value: a non-empty string is truthy,
/// so an unparsable one ("abc") gives NaN rather than 0, and the NaN then poisons the running total.
double range_step_of_string(double number_value) noexcept;

/// docs/decisions.md#variation-ranges (Node's assignRangeValues): ranges for the steps in order, starting
/// at 0. A truthy step (even a negative one) gives [current+1, current+step]; 0 or NaN gives -1/-1; the
/// total adds every step.
std::vector<bucket_range> ranges_from_steps(std::span<const double> steps);

/// docs/decisions.md#variation-ranges: ranges for numeric `weights` in order; not normalised, so they may
/// overshoot 10000 or leave the top unassigned (e.g. 33.34 → 1-3335).
std::vector<bucket_range> assign_ranges(std::span<const double> weights);

/// How the variation bucket is seeded and scaled, decided once per campaign
/// (docs/decisions.md#seed-strings-and-multiplier).
enum class variation_seed {
    campaign_seed, ///< case A: the traffic seed (getBucketingSeed(userId)), scaled by the multiplier
    user_id,       ///< case B: the user id alone, never prefixed
    account_seed,  ///< case C: getBucketingSeed(accountId + "_" + userId)
};

struct bucketing_plan {
    bool seeded = false; ///< getBucketingSeed prefixes "<campaignId>_" (isNB || isNBv2 || isBucketingSeedEnabled)
    variation_seed seed = variation_seed::campaign_seed;
    double multiplier = 1; ///< case A only; 1 otherwise
};

/// docs/decisions.md#seed-strings-and-multiplier with the settings flags isNB / isNBv2 and the campaign's
/// isOB / isOBv2 / isBucketingSeedEnabled / percentTraffic (flags already reduced to JS truthiness).
bucketing_plan make_bucketing_plan(bool is_nb, bool is_nbv2, bool is_ob, bool is_obv2, bool bucketing_seed_enabled,
                                   double percent_traffic) noexcept;

} // namespace vwo::core::decision
