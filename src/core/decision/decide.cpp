#include "core/decision/decide.hpp"

#include "core/decision/whitelisting.hpp"

#include <array>

namespace vwo::core::decision {
namespace {

// getBucketingSeed(userId, campaign): "<id>_<userId>" when seeded, else the user id (§3.5).
std::uint32_t traffic_hash(const campaign& c, std::string_view user_id, bucketing_compat compat) noexcept
{
    const std::array<std::string_view, 2> seed{c.seed_prefix, user_id};
    return hash_text(seed, compat);
}

bool in_traffic(const campaign& c, double bucket) noexcept
{
    return bucket != 0 && bucket <= c.percent_traffic; // N isUserPartOfCampaign
}

std::uint32_t variation_hash(const campaign_settings& settings, const campaign& c, std::string_view user_id,
                             bucketing_compat compat, std::uint32_t campaign_seed_hash) noexcept
{
    switch (c.plan.seed) {
    case variation_seed::campaign_seed: return campaign_seed_hash; // case A: the traffic seed
    case variation_seed::user_id: return hash_text(user_id, compat); // case B
    case variation_seed::account_seed: break;
    }
    // Case C: getBucketingSeed(accountId + "_" + userId).
    const std::array<std::string_view, 4> seed{c.seed_prefix, settings.account_id(), "_", user_id};
    return hash_text(seed, compat);
}

const variation* find_in_ranges(const campaign& c, double bucket) noexcept
{
    for (const variation& v : c.variations) {
        if (v.range.contains(bucket)) return &v; // the first range that holds the bucket
    }
    return nullptr;
}

} // namespace

std::string_view to_string(decision_status status) noexcept
{
    switch (status) {
    case decision_status::whitelisted: return "whitelisted";
    case decision_status::bucketed: return "bucketed";
    case decision_status::presegmentation_failed: return "pre-segmentation failed";
    case decision_status::not_in_traffic: return "not part of the campaign's traffic";
    case decision_status::no_variation_in_range: return "bucket outside every variation range";
    }
    return "unknown";
}

bool is_user_part_of_campaign(const campaign& c, std::string_view user_id, bucketing_compat compat) noexcept
{
    return in_traffic(c, bucket_value(traffic_hash(c, user_id, compat), max_traffic_percent));
}

const variation* bucket_to_variation(const campaign_settings& settings, const campaign& c,
                                     std::string_view user_id, bucketing_compat compat) noexcept
{
    const std::uint32_t hash = variation_hash(settings, c, user_id, compat, traffic_hash(c, user_id, compat));
    return find_in_ranges(c, bucket_value(hash, max_traffic_value, c.plan.multiplier));
}

decision_result decide(const campaign_settings& settings, const campaign& c, const decision_input& input)
{
    decision_result result;

    // §4 step 4: whitelisting first; a match skips storage, pre-segmentation and traffic.
    if (c.is_forced_variation_enabled) {
        const whitelisting_result w =
            evaluate_whitelisting(settings, c, input.user_id, input.variation_targeting_variables, input.compat);
        result.segment_error = w.segment_error;
        if (w.chosen != nullptr) {
            result.chosen = w.chosen;
            result.status = decision_status::whitelisted;
            return result;
        }
    }

    // Step 5 (user storage) belongs to issue 8.

    // Step 6: pre-segmentation, then traffic (`&&`: traffic is not evaluated when segments fail).
    if (!c.segments.evaluate(segment_input{input.custom_variables, std::nullopt})) {
        if (result.segment_error.empty()) result.segment_error = c.segments.error();
        result.status = decision_status::presegmentation_failed;
        return result;
    }
    result.traffic_hash = traffic_hash(c, input.user_id, input.compat);
    result.traffic_bucket = bucket_value(result.traffic_hash, max_traffic_percent);
    if (!in_traffic(c, result.traffic_bucket)) {
        result.status = decision_status::not_in_traffic;
        return result;
    }

    // Step 7 (MEG groups) belongs to issue 8.

    // Step 8: the variation bucket (§3.5 seeds and multiplier) and the first range holding it (§3.4).
    result.variation_hash = variation_hash(settings, c, input.user_id, input.compat, result.traffic_hash);
    result.variation_bucket = bucket_value(result.variation_hash, max_traffic_value, c.plan.multiplier);
    result.chosen = find_in_ranges(c, result.variation_bucket);
    result.status = result.chosen != nullptr ? decision_status::bucketed : decision_status::no_variation_in_range;
    return result;
}

} // namespace vwo::core::decision
