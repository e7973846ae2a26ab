#pragma once

// The values a caller passes for segmentation and gets back for feature variables (decision-apis.md
// Part A, "Public API additions"). The public header declares the same std::variant types, so the
// maps from call_options can be handed to the decision core as they are, without copying.

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace vwo::core::decision {

/// A custom variable or variation-targeting variable (customVariables / variationTargetingVariables).
using attribute_value = std::variant<std::string, std::int64_t, double, bool>;
using attribute_map = std::map<std::string, attribute_value>;

/// A feature variable's value after §9's type cast; json variables are JSON text.
using variable_value = std::variant<bool, std::int64_t, double, std::string>;

} // namespace vwo::core::decision
