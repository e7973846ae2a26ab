#pragma once

// JavaScript String.prototype.toLowerCase, as Node applies it (V8 + ICU: Unicode default case
// mapping with the Final_Sigma rule). The segment DSL's lower() compares toLowerCase() of both sides
// (docs/decisions.md#segment-operands); an ASCII-only fold is not equivalent ("Ü" must equal "ü").
// Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace vwo::core::decision::js {

/// Lower-cases the UTF-8 `text` as JavaScript would (invalid UTF-8 bytes become U+FFFD).
std::string to_lower_case(std::string_view text);

/// toLowerCase(text) == lowered, without allocating when `text` is ASCII (the usual case).
bool lower_case_equals(std::string_view text, std::string_view lowered);

/// Lower-case mapping of one code point in isolation (U+0130 maps to two code points; this returns
/// the first, U+0069; U+03A3 gives U+03C3). For tests and the ASCII-free fast path.
char32_t simple_lower(char32_t cp) noexcept;

} // namespace vwo::core::decision::js
