#include "core/decision/bucketing.hpp"

#include "core/decision/murmur3.hpp"
#include "core/decision/utf8.hpp"

#include <cmath>

namespace vwo::core::decision {
namespace {

void feed(murmur3_32& hasher, std::string_view text, bucketing_compat compat) noexcept
{
    if (compat == bucketing_compat::standard || is_ascii(text)) {
        hasher.add(text);
        return;
    }
    // Node's murmurhash reads `key.charCodeAt(i) & 0xff`: one byte per UTF-16 code unit, the high
    // byte discarded, astral characters as two surrogates (docs/decisions.md#hash).
    for_each_utf16_unit(text, [&](char16_t unit) { hasher.add(static_cast<std::uint8_t>(unit & 0xFF)); });
}

} // namespace

std::uint32_t hash_text(std::span<const std::string_view> pieces, bucketing_compat compat) noexcept
{
    murmur3_32 hasher(hash_seed_value);
    for (const std::string_view piece : pieces) feed(hasher, piece, compat);
    return hasher.finish();
}

std::uint32_t hash_text(std::string_view text, bucketing_compat compat) noexcept
{
    murmur3_32 hasher(hash_seed_value);
    feed(hasher, text, compat);
    return hasher.finish();
}

double bucket_value(std::uint32_t hash, double max, double multiplier) noexcept
{
    // Node's order. ratio and max*ratio+1 are exact for max 100 / 10000 (at most 46 significant
    // bits), so even a fused multiply-add could not change them; only the last product rounds
    // (docs/decisions.md#bucket-value).
    const double ratio = static_cast<double>(hash) / 4294967296.0;
    const double scaled = max * ratio + 1;
    const double multiplied = scaled * multiplier;
    return std::floor(multiplied);
}

double traffic_multiplier(double percent_traffic) noexcept
{
    return max_traffic_value / percent_traffic / 100;
}

double range_step(double weight) noexcept
{
    if (weight != weight || weight == 0) return 0; // `!variationWeight`
    return range_step_of_string(weight);
}

double range_step_of_string(double number_value) noexcept
{
    const double step = std::ceil(number_value * 100);
    if (step != step) return step; // Math.min(NaN, 10000) is NaN
    return step < max_traffic_value ? step : max_traffic_value;
}

std::vector<bucket_range> ranges_from_steps(std::span<const double> steps)
{
    std::vector<bucket_range> ranges;
    ranges.reserve(steps.size());
    double current = 0;
    for (const double step : steps) {
        if (step == step && step != 0) { // JS truthy: a negative step counts too (docs/decisions.md#variation-ranges)
            ranges.push_back({current + 1, current + step});
        } else {
            ranges.push_back({-1, -1});
        }
        current += step; // NaN stays NaN: no later range can match
    }
    return ranges;
}

std::vector<bucket_range> assign_ranges(std::span<const double> weights)
{
    std::vector<double> steps;
    steps.reserve(weights.size());
    for (const double weight : weights) steps.push_back(range_step(weight));
    return ranges_from_steps(steps);
}

bucketing_plan make_bucketing_plan(bool is_nb, bool is_nbv2, bool is_ob, bool is_obv2, bool bucketing_seed_enabled,
                                   double percent_traffic) noexcept
{
    bucketing_plan plan;
    plan.seeded = is_nb || is_nbv2 || bucketing_seed_enabled;
    const bool traffic_truthy = percent_traffic == percent_traffic && percent_traffic != 0;
    if (((!is_nb && !is_nbv2) || (is_nb && is_ob)) && traffic_truthy) {
        plan.seed = variation_seed::campaign_seed;
        plan.multiplier = traffic_multiplier(percent_traffic);
    } else if ((is_nb && !is_ob && !is_nbv2) || (is_nbv2 && is_obv2)) {
        plan.seed = variation_seed::user_id;
    } else {
        plan.seed = variation_seed::account_seed;
    }
    return plan;
}

} // namespace vwo::core::decision
