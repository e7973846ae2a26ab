#pragma once

// Which decision API accepts which campaign type (docs/decisions.md "What each API accepts and returns",
// "Campaign types", and step 6 of "Order of checks").

#include "core/decision/campaign_settings.hpp"

#include <cstdint>

namespace vwo::core::decision {

enum class decision_api : std::uint8_t {
    activate,
    get_variation_name,
    is_feature_enabled,
    get_feature_variable_value,
    track,
};

/// False where Node logs API_NOT_APPLICABLE and returns null (track: false for that campaign).
/// getVariationName only rejects FEATURE_ROLLOUT and the feature APIs only VISUAL_AB, so any other
/// type string passes them (docs/decisions.md#campaign-types; Node's api/getVariation.js,
/// isFeatureEnabled.js, getFeatureVariableValue.js).
constexpr bool api_accepts(decision_api api, campaign_type type) noexcept
{
    switch (api) {
    case decision_api::activate: return type == campaign_type::visual_ab;
    case decision_api::get_variation_name: return type != campaign_type::feature_rollout; // Node's getVariation.js
    case decision_api::is_feature_enabled:
    case decision_api::get_feature_variable_value: return type != campaign_type::visual_ab;
    case decision_api::track: return type != campaign_type::feature_rollout;
    }
    return false;
}

} // namespace vwo::core::decision
