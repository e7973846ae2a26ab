#include "core/json_limits.hpp"

#include <vwo/error.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace vwo::core {

std::optional<std::size_t> json_too_deep_at(std::string_view text, std::size_t max_depth) noexcept
{
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i; // the escaped character, whatever it is, does not end the string
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > max_depth)
                return i;
            break;
        case ']':
        case '}':
            if (depth > 0)
                --depth;
            break;
        default:
            break;
        }
    }
    return std::nullopt;
}

namespace {

bool number_char(char c) noexcept
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// +1 / -1 when the number token overflows a double, 0 otherwise (fits, underflows, or is no number:
// the parser reports those).
int overflow_sign(std::string_view token)
{
    double value = 0;
    const auto result = std::from_chars(token.data(), token.data() + token.size(), value);
    if (result.ec != std::errc::result_out_of_range)
        return 0;
    const std::string copy(token); // rare: tell overflow (HUGE_VAL) from underflow (0)
    const double parsed = std::strtod(copy.c_str(), nullptr);
    if (!std::isinf(parsed))
        return 0;
    return parsed < 0 ? -1 : 1;
}

} // namespace

std::optional<std::string> overflowing_numbers_as_strings(std::string_view text)
{
    std::optional<std::string> out;
    std::size_t copied = 0; // text[0, copied) is in *out already
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9'))
            continue;
        std::size_t end = i;
        while (end < text.size() && number_char(text[end]))
            ++end;
        const std::string_view token = text.substr(i, end - i);
        if (const int sign = overflow_sign(token); sign != 0) {
            if (!out)
                out.emplace().reserve(text.size() + 16);
            out->append(text.substr(copied, i - copied));
            out->append(sign > 0 ? "\"Infinity\"" : "\"-Infinity\"");
            copied = end;
        }
        i = end - 1;
    }
    if (out)
        out->append(text.substr(copied));
    return out;
}

std::string malformed_json_message(std::size_t byte, std::size_t size)
{
    return "malformed JSON (syntax error near byte " + std::to_string(byte) + " of " + std::to_string(size) + ")";
}

outcome<void> check_json_depth(std::string_view text)
{
    if (const auto at = json_too_deep_at(text))
        return fail(errc::invalid_settings, "nested deeper than " + std::to_string(max_json_depth) +
                                                " levels of arrays and objects (at byte " + std::to_string(*at) + ")");
    return {};
}

} // namespace vwo::core
