#pragma once

// What the feature APIs make of a decision (docs/decisions.md#feature-variables): isFeatureEnabled and
// the feature-variable lookup with its control fallback. The values were type-cast at settings-parse
// time (campaign_settings.hpp), so a lookup is a search by key.

#include "core/decision/attributes.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace vwo::core::decision {

/// isFeatureEnabled's value: a rollout is enabled iff the user got its variation; any other type
/// gives the assigned variation's isFeatureEnabled (Node's api/isFeatureEnabled.js).
bool is_feature_enabled(const campaign& c, const decision_result& decision) noexcept;

enum class variable_status : std::uint8_t {
    found,                     ///< the variable of the rollout / the assigned variation
    found_in_control,          ///< feature disabled in the variation: the control's value (INFO FEATURE_VARIABLE_DEFAULT_VALUE)
    feature_disabled,          ///< no variation: null, INFO "Campaign ... is disabled"
    not_found,                 ///< null, ERROR VARIABLE_NOT_FOUND
    control_without_variables, ///< no control or it has no variables: null (Node throws TypeError → null)
    cast_failed,               ///< null, ERROR UNABLE_TO_CAST_VALUE (see variable->cast_error)
};

struct variable_lookup {
    std::optional<variable_value> value; ///< what getFeatureVariableValue returns (nullopt = null)
    variable_status status = variable_status::feature_disabled;
    const feature_variable* variable = nullptr; ///< the variable found, if any
    /// Our fix (docs/decisions.md#differences-from-node-1730-in-the-decisions): the control was found by
    /// the string id "1" because no variation has the number 1. Node 1.73.0 throws there and returns
    /// null; the caller logs the difference.
    bool control_by_string_id = false;
};

/// getFeatureVariableValue's value for `key` after `decision` (Node's _validateAndReturnFeaureVariable).
variable_lookup feature_variable_value(const campaign& c, const decision_result& decision,
                                       std::string_view key) noexcept;

} // namespace vwo::core::decision
