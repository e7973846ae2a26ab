#pragma once
// One UTF-8 decoding step, shared by the JSON writer (invalid sequences become U+FFFD) and the
// logger (invalid bytes become \xNN). Header-only: the logger links nothing from core.
#include <cstddef>
#include <string_view>

namespace vwo::core {

/// Length (2-4) of the valid multi-byte UTF-8 sequence starting at text[i], or 0 if the bytes there
/// are not one (overlong forms, surrogates, code points past U+10FFFF and truncation included).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept
{
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    char32_t cp = b0 & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

} // namespace vwo::core
