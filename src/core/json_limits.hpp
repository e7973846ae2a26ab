#pragma once
// Bounds applied to JSON from outside (settings files) before nlohmann parses it, and the one way
// a malformed document is described without quoting it (docs/reliability.md "Limits").
#include "core/outcome.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

/// Deepest nesting of arrays and objects a settings file may have. VWO serves a handful of levels
/// (segments nest and/or/not a few deep); every walk of the settings recurses at most this deep.
inline constexpr std::size_t max_json_depth = 128;

/// The byte offset at which `text` first nests arrays/objects deeper than `max_depth`, or nullopt.
/// One linear pass that skips string contents; it does not validate (the parser does that next).
std::optional<std::size_t> json_too_deep_at(std::string_view text, std::size_t max_depth = max_json_depth) noexcept;

/// "malformed JSON (syntax error near byte N of M)": never the parser's own message, which quotes the
/// text before the error (the SDK key of a truncated settings file).
std::string malformed_json_message(std::size_t byte, std::size_t size);

/// JavaScript's JSON.parse reads a number beyond double's range (1e400, a 400-digit integer) as
/// ±Infinity; nlohmann refuses the whole document. When `text` holds such numbers (outside strings),
/// a copy in which each is the string "Infinity" / "-Infinity" (which every cast of ours reads as
/// JavaScript reads String(Infinity)); nullopt when there are none (the usual case: no copy).
std::optional<std::string> overflowing_numbers_as_strings(std::string_view text);

/// Checks `text` against max_json_depth: a failure (vwo::errc::invalid_settings, the message says where)
/// when it is too deep.
outcome<void> check_json_depth(std::string_view text);

} // namespace vwo::core
