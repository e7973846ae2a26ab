#pragma once

// Compiles a segmentation DSL value from the settings file (docs/decisions.md#segmentation) into a
// segment (segment_evaluator.hpp). Run once per segment when the settings are parsed.

#include "core/decision/segment_evaluator.hpp"

#include <nlohmann/json.hpp>

namespace vwo::core::decision {

/// Never throws for any JSON shape: trees on which Node would throw come back with error() set.
/// (std::bad_alloc aside.)
segment compile_segment(const nlohmann::ordered_json& dsl);

/// The operand-string analysis (Node's SegmentUtil.preProcessOperandValue) followed by the operand side
/// of the numeric normalisation (both in docs/decisions.md#segment-operands), for a `custom_variable`
/// operand `operand` on variable `variable`.
/// Exposed for tests.
segment_condition compile_condition(std::string variable, const nlohmann::ordered_json& operand);

} // namespace vwo::core::decision
