#pragma once

// The one validation rule shared by both push forms (docs/protocol.md#validation-both-call-forms-one-rule).
// Pure functions: no logging, no allocation on the success path.

#include "core/dimension.hpp"
#include "core/outcome.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

inline constexpr std::size_t max_code_points = 255;

/// Number of Unicode code points in `text`, or nullopt when `text` is not valid UTF-8
/// (overlong forms, surrogates U+D800..U+DFFF, values above U+10FFFF, truncated sequences
/// and stray continuation bytes are all invalid).
std::optional<std::size_t> utf8_code_points(std::string_view text) noexcept;

/// Checks a whole push call. Succeeds when valid; otherwise a failure with code
/// vwo::errc::invalid_argument and a message naming the offending key (or the user id) and the
/// broken rule, e.g.
///   "push rejected: value of key \"price\" has 256 code points (at most 255 allowed)".
/// Rules: user_id non-empty; at least one dimension; every key and value non-empty, unique keys,
/// valid UTF-8 and at most 255 code points. The first failure is reported.
outcome<void> check_push(const dimensions& dims, std::string_view user_id);

} // namespace vwo::core
