#include "core/decision/whitelisting.hpp"

#include "core/decision/js_text.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace vwo::core::decision {
namespace {

// CampaignUtil.scaleVariationWeights: w_i / Σw * 100, or 100 / n when Σw is falsy. Σw is JavaScript's
// `acc + variation.weight` from 0, which turns into string concatenation at the first string weight
// (in Node, 0 + "25" + "75" = "02575").
std::vector<double> scaled_weights(const std::vector<const variation*>& candidates)
{
    bool total_is_string = false;
    double total_number = 0;
    std::string total_text;
    for (const variation* v : candidates) {
        if (total_is_string) {
            total_text += v->weight_text;
        } else if (v->weight_kind == weight_form::string) {
            total_is_string = true;
            total_text = js::number_to_string(total_number) + v->weight_text;
        } else {
            total_number += v->weight; // Number(undefined) is NaN, Number(null) 0
        }
    }
    const bool total_truthy = total_is_string ? !total_text.empty() : js::truthy(total_number);
    std::vector<double> weights;
    weights.reserve(candidates.size());
    if (!total_truthy) {
        const double each = 100 / static_cast<double>(candidates.size());
        weights.assign(candidates.size(), each);
        return weights;
    }
    const double total = total_is_string ? js::to_number(total_text) : total_number;
    for (const variation* v : candidates) weights.push_back((v->weight / total) * 100);
    return weights;
}

} // namespace

whitelisting_result evaluate_whitelisting(const campaign_settings& settings, const campaign& c,
                                          std::string_view user_id, const attribute_map* targeting_variables,
                                          bucketing_compat compat, std::optional<bool> use_visitor_uuid)
{
    const bool with_uuid = use_visitor_uuid.value_or(c.is_user_list_enabled);
    whitelisting_result result;
    // Pipeline step 3 (docs/decisions.md): `_vwoUserId` is the visitor UUID with isUserListEnabled, else
    // the user id; it overrides a caller-supplied one. The UUID costs a SHA-1, so only when a segment needs it.
    std::optional<std::string> uuid;
    segment_input input{targeting_variables, user_id};
    std::vector<const variation*> candidates;
    for (const variation& v : c.variations) {
        // {} is skipped (never whitelisted); a missing or non-object segments fails.
        if (v.segments.shape() != segment::form::tree) continue;
        if (with_uuid && !uuid) {
            uuid = settings.visitor_uuid(user_id);
            input.vwo_user_id = *uuid;
        }
        if (!v.segments.error().empty() && result.segment_error.empty()) result.segment_error = v.segments.error();
        if (v.segments.evaluate(input)) candidates.push_back(&v);
    }
    result.candidates = candidates.size();
    if (candidates.empty()) return result;
    if (candidates.size() == 1) {
        result.chosen = candidates.front(); // even with weight 0 (seen in Node: WL_ZERO_WEIGHT_MATCH)
        return result;
    }
    const std::vector<bucket_range> ranges = assign_ranges(scaled_weights(candidates));
    const std::array<std::string_view, 2> seed{c.seed_prefix, user_id}; // getBucketingSeed(userId)
    const double bucket = bucket_value(hash_text(seed, compat), max_traffic_value);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (ranges[i].contains(bucket)) {
            result.chosen = candidates[i];
            break;
        }
    }
    return result;
}

} // namespace vwo::core::decision
