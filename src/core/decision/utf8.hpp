#pragma once

// UTF-8 decoding for the places where the decision core must see a string the way JavaScript does
// (as UTF-16 code units): Node's hash input (docs/decisions.md#hash), toLowerCase and regex
// in the segment DSL (docs/decisions.md#segment-operands).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vwo::core::decision {

inline constexpr char32_t replacement_character = 0xFFFD;

/// Decodes the code point at `text[pos]` and advances `pos` past it. A byte that does not start a
/// valid, shortest-form UTF-8 sequence (or a surrogate code point) decodes to U+FFFD and advances one
/// byte: the SDK is given UTF-8 by contract, and one deterministic answer for bad input is enough.
/// Precondition: pos < text.size().
inline char32_t next_code_point(std::string_view text, std::size_t& pos) noexcept
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char b0 = byte(pos);
    if (b0 < 0x80) {
        ++pos;
        return b0;
    }
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        length = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        length = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        length = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        ++pos;
        return replacement_character;
    }
    if (pos + length > text.size()) {
        ++pos;
        return replacement_character;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char b = byte(pos + i);
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return replacement_character;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return replacement_character;
    }
    pos += length;
    return cp;
}

/// Length (2-4) of the valid multi-byte UTF-8 sequence at text[i], or 0 where the bytes are not one.
/// For the JSON writer (an invalid byte becomes U+FFFD) and the logger (an invalid byte becomes \xNN).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept
{
    std::size_t pos = i;
    next_code_point(text, pos); // an invalid byte advances one, a valid multi-byte sequence its length
    return pos - i >= 2 ? pos - i : 0;
}

/// Appends the UTF-8 form of `cp` (a Unicode scalar value).
inline void append_utf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Calls `sink(unit)` for each UTF-16 code unit of the UTF-8 `text`, as a JavaScript string holds it.
template <typename Sink>
void for_each_utf16_unit(std::string_view text, Sink&& sink)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char32_t cp = next_code_point(text, pos);
        if (cp < 0x10000) {
            sink(static_cast<char16_t>(cp));
        } else {
            const char32_t v = cp - 0x10000;
            sink(static_cast<char16_t>(0xD800 + (v >> 10)));
            sink(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
        }
    }
}

/// True iff every byte is below 0x80 (then UTF-8 bytes, Latin-1 and UTF-16 low bytes all agree).
inline bool is_ascii(std::string_view text) noexcept
{
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

} // namespace vwo::core::decision
