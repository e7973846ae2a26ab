#include "core/decision/js_text.hpp"

#include "core/decision/utf8.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace vwo::core::decision::js {
namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Length of the longest prefix of `text` that is a StrUnsignedDecimalLiteral without "Infinity":
// digits [. digits] [exponent] | . digits [exponent]. 0 when there is none.
std::size_t decimal_prefix(std::string_view text) noexcept
{
    std::size_t i = 0;
    std::size_t int_digits = 0;
    while (i < text.size() && is_digit(text[i])) {
        ++i;
        ++int_digits;
    }
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        std::size_t j = i + 1;
        while (j < text.size() && is_digit(text[j])) {
            ++j;
            ++frac_digits;
        }
        if (int_digits == 0 && frac_digits == 0) return 0; // a lone "."
        i = j;
    }
    if (int_digits == 0 && frac_digits == 0) return 0;
    // The exponent counts only when it has digits ("1e" parses as 1).
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        const std::size_t digits_start = j;
        while (j < text.size() && is_digit(text[j])) ++j;
        if (j > digits_start) i = j;
    }
    return i;
}

// Correctly rounded value of a decimal literal without sign (from_chars takes neither '+' nor
// leading white space, which the callers have removed).
double decimal_value(std::string_view literal) noexcept
{
    double value = 0;
    const auto result = std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (result.ec == std::errc::result_out_of_range) {
        // from_chars leaves `value` alone on range errors; JavaScript gives Infinity or 0.
        bool nonzero_mantissa = false;
        std::size_t i = 0;
        for (; i < literal.size() && literal[i] != 'e' && literal[i] != 'E'; ++i) {
            if (literal[i] >= '1' && literal[i] <= '9') nonzero_mantissa = true;
        }
        if (!nonzero_mantissa) return 0;
        const bool negative_exponent = i + 1 < literal.size() && literal[i + 1] == '-';
        return negative_exponent ? 0.0 : infinity;
    }
    return value;
}

constexpr std::string_view infinity_text = "Infinity";

} // namespace

std::string_view format_number(double value, number_buffer& buf) noexcept
{
    char* out = buf.data();
    const auto text = [&](std::string_view s) {
        std::memcpy(out, s.data(), s.size());
        return std::string_view(buf.data(), s.size());
    };
    if (value != value) return text("NaN");
    if (value == 0) return text("0");
    if (std::isinf(value)) return value > 0 ? text("Infinity") : text("-Infinity");

    std::size_t length = 0;
    if (value < 0) {
        buf[length++] = '-';
        value = -value;
    }
    // Shortest round-trip digits, as ECMAScript Number::toString requires (ties to the closer value,
    // like to_chars): scientific form "d.ddde±x".
    char sci[32];
    const auto result = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
    const std::string_view s(sci, static_cast<std::size_t>(result.ptr - sci));
    const std::size_t e_pos = s.find('e');
    char digits[20];
    int k = 0;
    for (std::size_t i = 0; i < e_pos; ++i) {
        if (s[i] != '.') digits[k++] = s[i];
    }
    int exponent = 0;
    std::from_chars(s.data() + e_pos + 1 + (s[e_pos + 1] == '+' ? 1 : 0), s.data() + s.size(), exponent);
    const int n = exponent + 1; // the decimal point sits after n digits

    const auto put = [&](char c) { buf[length++] = c; };
    if (k <= n && n <= 21) {
        for (int i = 0; i < k; ++i) put(digits[i]);
        for (int i = k; i < n; ++i) put('0');
    } else if (0 < n && n <= 21) {
        for (int i = 0; i < n; ++i) put(digits[i]);
        put('.');
        for (int i = n; i < k; ++i) put(digits[i]);
    } else if (-6 < n && n <= 0) {
        put('0');
        put('.');
        for (int i = n; i < 0; ++i) put('0');
        for (int i = 0; i < k; ++i) put(digits[i]);
    } else {
        put(digits[0]);
        if (k > 1) {
            put('.');
            for (int i = 1; i < k; ++i) put(digits[i]);
        }
        put('e');
        const int e = n - 1;
        put(e < 0 ? '-' : '+');
        char exp_text[8];
        const auto r = std::to_chars(exp_text, exp_text + sizeof exp_text, e < 0 ? -e : e);
        for (char* p = exp_text; p != r.ptr; ++p) put(*p);
    }
    return std::string_view(buf.data(), length);
}

void append_number(std::string& out, double value)
{
    number_buffer buf;
    out += format_number(value, buf);
}

std::string number_to_string(double value)
{
    number_buffer buf;
    return std::string(format_number(value, buf));
}

bool is_white_space(char32_t cp) noexcept
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string_view trim_start(std::string_view text) noexcept
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t next = pos;
        if (!is_white_space(next_code_point(text, next))) break;
        pos = next;
    }
    return text.substr(pos);
}

std::string_view trim(std::string_view text) noexcept
{
    text = trim_start(text);
    // Scan forward, remembering where the last non-space code point ended (UTF-8 cannot be decoded
    // backwards without re-synchronising, and these strings are short).
    std::size_t end = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char32_t cp = next_code_point(text, pos);
        if (!is_white_space(cp)) end = pos;
    }
    return text.substr(0, end);
}

double parse_float(std::string_view text) noexcept
{
    text = trim_start(text);
    bool negative = false;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text.substr(0, infinity_text.size()) == infinity_text) return negative ? -infinity : infinity;
    const std::size_t length = decimal_prefix(text);
    if (length == 0) return nan_value;
    const double value = decimal_value(text.substr(0, length));
    return negative ? -value : value;
}

double parse_int(std::string_view text) noexcept
{
    text = trim_start(text);
    bool negative = false;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    std::size_t length = 0;
    while (length < text.size() && is_digit(text[length])) ++length;
    if (length == 0) return nan_value;
    const double value = decimal_value(text.substr(0, length));
    return negative ? -value : value;
}

double to_number(std::string_view text) noexcept
{
    text = trim(text);
    if (text.empty()) return 0;
    if (text.size() > 2 && text[0] == '0') {
        int base = 0;
        switch (text[1]) {
        case 'x': case 'X': base = 16; break;
        case 'o': case 'O': base = 8; break;
        case 'b': case 'B': base = 2; break;
        default: break;
        }
        if (base != 0) {
            double value = 0;
            for (const char c : text.substr(2)) {
                int digit = -1;
                if (c >= '0' && c <= '9') digit = c - '0';
                else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
                if (digit < 0 || digit >= base) return nan_value;
                value = value * base + digit; // exact below 2^53, which is all settings files hold
            }
            return value;
        }
    }
    bool negative = false;
    if (text[0] == '+' || text[0] == '-') {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text == infinity_text) return negative ? -infinity : infinity;
    const std::size_t length = decimal_prefix(text);
    if (length == 0 || length != text.size()) return nan_value;
    const double value = decimal_value(text);
    return negative ? -value : value;
}

} // namespace vwo::core::decision::js
