#include "core/url_encoding.hpp"

#include <algorithm>
#include <array>

namespace vwo::core {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

// 256-entry membership tables built at compile time: one lookup per byte on the hot path.
template <typename Predicate>
constexpr std::array<bool, 256> make_table(Predicate keep)
{
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) table[static_cast<std::size_t>(c)] = keep(static_cast<char>(c));
    return table;
}

constexpr bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

constexpr auto rfc3986_unreserved =
    make_table([](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; });

constexpr auto uri_component_unreserved = make_table([](char c) {
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
           c == '(' || c == ')';
});

void append_encoded(std::string& out, std::string_view text, const std::array<bool, 256>& keep)
{
    // Worst case every byte triples. Growing geometrically (not to the exact size) keeps
    // a sequence of appends into one buffer linear.
    const std::size_t needed = out.size() + text.size() * 3;
    if (needed > out.capacity()) out.reserve(std::max(needed, out.capacity() * 2));
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (keep[byte]) {
            out += c;
        } else {
            const char escaped[3] = {'%', hex_digits[byte >> 4], hex_digits[byte & 0xF]};
            out.append(escaped, 3);
        }
    }
}

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

} // namespace

void append_encode_uri_component(std::string& out, std::string_view text)
{
    append_encoded(out, text, uri_component_unreserved);
}

std::string encode_uri_component(std::string_view text)
{
    std::string out;
    append_encode_uri_component(out, text);
    return out;
}

void append_query_value(std::string& out, std::string_view text)
{
    append_encoded(out, text, rfc3986_unreserved);
}

void append_query_param(std::string& out, std::string_view name, std::string_view value)
{
    if (!out.empty() && out.back() != '?') out += '&';
    out += name;
    out += '=';
    append_query_value(out, value);
}

boost::system::result<std::string> percent_decode(std::string_view text)
{
    const auto malformed = [] { return make_error_code(boost::system::errc::illegal_byte_sequence); };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (text.size() - i < 3) return malformed();
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return malformed();
        out += static_cast<char>((high << 4) | low);
        i += 2;
    }
    return out;
}

} // namespace vwo::core
