#include "core/json_limits.hpp"

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

std::string malformed_json_message(std::size_t byte, std::size_t size)
{
    return "malformed JSON (syntax error near byte " + std::to_string(byte) + " of " + std::to_string(size) + ")";
}

std::optional<std::string> refuse_deep_json(std::string_view text)
{
    if (const auto at = json_too_deep_at(text))
        return "nested deeper than " + std::to_string(max_json_depth) + " levels of arrays and objects (at byte " +
               std::to_string(*at) + ")";
    return std::nullopt;
}

} // namespace vwo::core
