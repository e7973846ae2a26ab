#pragma once

// The few JavaScript conversions between numbers and strings that Node's decisions depend on
// (docs/decisions.md): String(number) for seeds and segment values (sections "Seed strings and multiplier",
// "Segment operands"), parseFloat / parseInt for numeric normalisation and variable casts ("Segment
// operands", "Feature variables"), Number(string) for string weights ("Variation ranges"), and
// String.prototype.trim for `user` lists ("Segment structure").
// All functions are pure and thread-safe.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace vwo::core::decision::js {

/// Big enough for every output of format_number ("-1.2345678901234567e-308" is 24 characters).
using number_buffer = std::array<char, 32>;

/// JavaScript Number.prototype.toString() (radix 10): shortest round-trip digits, plain notation for
/// 1e-7 < |v| < 1e21, otherwise "d.ddde+N"; "NaN", "Infinity", "-Infinity"; -0 gives "0".
/// Writes into `buf` and returns the text (a view into `buf`).
std::string_view format_number(double value, number_buffer& buf) noexcept;
/// The same, appended to `out`.
void append_number(std::string& out, double value);
/// The same, as a new string.
std::string number_to_string(double value);

/// JavaScript parseFloat(text): leading white space skipped, the longest prefix that is a decimal
/// literal (optional sign, digits, fraction, exponent) or [+-]Infinity; NaN if there is none.
double parse_float(std::string_view text) noexcept;

/// JavaScript parseInt(text, 10): leading white space skipped, optional sign, the longest run of
/// decimal digits (rounded to the nearest double); NaN if there are no digits. "-0" gives -0.
double parse_int(std::string_view text) noexcept;

/// JavaScript Number(text) (ToNumber on a string): white space trimmed on both sides, "" → 0,
/// 0x / 0o / 0b integers, [+-]Infinity, otherwise the whole text must be a decimal literal, else NaN.
double to_number(std::string_view text) noexcept;

/// JavaScript truthiness of a number: false for 0, -0 and NaN.
constexpr bool truthy(double value) noexcept { return value == value && value != 0.0; }

/// JavaScript WhiteSpace or LineTerminator (what trim() and the number parsers skip).
bool is_white_space(char32_t cp) noexcept;

/// JavaScript String.prototype.trim on UTF-8 text.
std::string_view trim(std::string_view text) noexcept;
/// Only the leading white space removed (the number parsers' view).
std::string_view trim_start(std::string_view text) noexcept;

} // namespace vwo::core::decision::js
