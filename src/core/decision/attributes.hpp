#pragma once

// The values a caller passes for segmentation and gets back for feature variables (docs/decisions.md
// "Usage", docs/configuration.md "call_options"). The public header declares the same std::variant types, so the
// maps from call_options can be handed to the decision core as they are, without copying.

#include <vwo/decision_types.hpp>

namespace vwo::core::decision {

using vwo::attribute_map;
using vwo::attribute_value;
using vwo::variable_value;

} // namespace vwo::core::decision
