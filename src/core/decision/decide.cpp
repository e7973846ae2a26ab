#include "core/decision/decide.hpp"

#include "core/decision/groups.hpp"
#include "core/decision/whitelisting.hpp"

#include <array>

namespace vwo::core::decision {
namespace {

// getBucketingSeed(userId, campaign): "<id>_<userId>" when seeded, else the user id
// (docs/decisions.md#seed-strings-and-multiplier).
std::uint32_t traffic_hash(const campaign& c, std::string_view user_id, bucketing_compat compat) noexcept
{
    const std::array<std::string_view, 2> seed{c.seed_prefix, user_id};
    return hash_text(seed, compat);
}

bool in_traffic(const campaign& c, double bucket) noexcept
{
    return bucket != 0 && bucket <= c.percent_traffic; // Node's isUserPartOfCampaign
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

// The campaign's group as Node sees it: N getVariation tests `if (groupId)`, so a group whose id is the
// number 0 is no group at all (no MEG rules, no groupId in the hook).
const campaign_group* group_of(const campaign_settings& settings, const campaign& c) noexcept
{
    if (!c.group_index) return nullptr;
    const campaign_group& group = settings.groups()[*c.group_index];
    return group.id == "0" ? nullptr : &group;
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
    case decision_status::stored: return "variation from user storage";
    case decision_status::not_activated: return "not activated: nothing in user storage";
    case decision_status::group_claimed_by_other:
        return "another campaign of the group whitelists the user or has a stored variation";
    case decision_status::group_lost: return "another campaign of the group won";
    case decision_status::group_no_winner: return "no campaign of the group won";
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
    result.group = group_of(settings, c); // the hook carries groupId / groupName whatever the outcome

    // Step 4 of docs/decisions.md#the-pipeline-for-one-campaign: whitelisting first; a match skips
    // storage, pre-segmentation, traffic and the group, and is never stored.
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

    // Step 5: a usable stored variation is kept even if traffic, segments or weights changed since
    // (docs/decisions.md#who-decides-with-storage-configured).
    if (input.storage != nullptr) {
        if (const variation* stored = input.storage->stored_variation(c)) {
            result.chosen = stored;
            result.status = decision_status::stored;
            return result;
        }
    }
    // get_variation_name / get_feature_variable_value / track with storage configured never make a
    // fresh decision (docs/decisions.md#who-decides-with-storage-configured).
    if (!input.allow_fresh_decision) {
        result.status = decision_status::not_activated;
        return result;
    }

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

    // Step 7: mutually exclusive groups (docs/decisions.md#how-a-group-decides, groups.hpp); only the
    // winner goes on to bucketing.
    if (result.group != nullptr) {
        const group_decision g = evaluate_group(settings, *result.group, c, input);
        result.group_other = g.other;
        result.group_claimed_by_storage = g.claimed_by_storage;
        result.group_eligible = static_cast<std::uint32_t>(g.eligible);
        result.group_bucket = g.group_bucket;
        result.group_range_extended = g.last_range_extended;
        switch (g.outcome) {
        case group_outcome::called_wins: break;
        case group_outcome::claimed_by_other: result.status = decision_status::group_claimed_by_other; return result;
        case group_outcome::lost: result.status = decision_status::group_lost; return result;
        case group_outcome::no_winner: result.status = decision_status::group_no_winner; return result;
        }
    }

    // Step 8: the variation bucket (docs/decisions.md#seed-strings-and-multiplier, the campaign's own
    // seed even after a group win) and the first range holding it (docs/decisions.md#variation-ranges).
    result.variation_hash = variation_hash(settings, c, input.user_id, input.compat, result.traffic_hash);
    result.variation_bucket = bucket_value(result.variation_hash, max_traffic_value, c.plan.multiplier);
    result.chosen = find_in_ranges(c, result.variation_bucket);
    result.status = result.chosen != nullptr ? decision_status::bucketed : decision_status::no_variation_in_range;
    return result;
}

} // namespace vwo::core::decision
