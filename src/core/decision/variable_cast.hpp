#pragma once

// A feature variable's value cast once, at launch, by its declared type: Node's getTypeCastVariableValue
// (docs/decisions.md#feature-variables). Private to the settings reader (campaign_settings.cpp).

#include "core/decision/campaign_settings.hpp"

#include <nlohmann/json.hpp>

namespace vwo::core::decision {

/// Sets v.value from `value` (nullptr: the field was missing, JavaScript's undefined) by v.type, or, when
/// the value does not cast, leaves it empty and sets v.cast_error. v.key, v.type and v.raw_json must be
/// filled first. Thread-safety: a pure function of its arguments.
void cast_variable(feature_variable& v, const nlohmann::ordered_json* value);

} // namespace vwo::core::decision
