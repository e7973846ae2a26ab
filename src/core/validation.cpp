#include "core/validation.hpp"

#include <vwo/error.hpp>

#include <algorithm>
#include <utility>
#include <vector>

namespace vwo::core {

std::optional<std::size_t> utf8_code_points(std::string_view text) noexcept
{
    // Table-free decoder following the well-formed byte sequences of Unicode 15, table 3-7:
    // the second byte's range depends on the lead byte, which rejects overlong forms,
    // surrogates and values above U+10FFFF without decoding the code point.
    std::size_t count = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p != end) {
        const unsigned char lead = *p;
        if (lead < 0x80) {
            ++p;
            ++count;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;      // overlong below U+0800
            else if (lead == 0xED) high = 0x9F; // U+D800..U+DFFF
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;      // overlong below U+10000
            else if (lead == 0xF4) high = 0x8F; // above U+10FFFF
        } else {
            return std::nullopt; // stray continuation, C0/C1 overlong leads, F5..FF
        }
        if (static_cast<std::size_t>(end - p) < length) return std::nullopt;
        if (p[1] < low || p[1] > high) return std::nullopt;
        for (std::size_t i = 2; i < length; ++i) {
            if ((p[i] & 0xC0) != 0x80) return std::nullopt;
        }
        p += length;
        ++count;
    }
    return count;
}

namespace {

// Why `text` breaks the rule, nullopt when it is fine; allocates only on failure.
std::optional<std::string> problem_of(std::string_view text)
{
    if (text.empty()) return std::string("is empty (must be non-empty)");
    const auto points = utf8_code_points(text);
    if (!points) return std::string("is not valid UTF-8");
    if (*points > max_code_points) {
        return "has " + std::to_string(*points) + " code points (at most " + std::to_string(max_code_points) +
               " allowed)";
    }
    return std::nullopt;
}

// A key quoted into a message (a log line, an error): control bytes and invalid UTF-8 escaped, so the
// line stays one line of valid text, and cut after quoted_key_limit bytes (a rejected key may be huge).
constexpr std::size_t quoted_key_limit = 64;

std::string printable_key(std::string_view key)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    const bool valid_utf8 = utf8_code_points(key).has_value();
    std::size_t cut = std::min(key.size(), quoted_key_limit);
    // Never inside a character: the message must stay valid UTF-8.
    while (valid_utf8 && cut > 0 && cut < key.size() && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
    const std::string_view shown = key.substr(0, cut);
    std::string out;
    out.reserve(shown.size() + 24);
    for (const char c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= 0x20 && byte < 0x7F) || (byte >= 0x80 && valid_utf8)) {
            out += c;
        } else {
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
        }
    }
    if (shown.size() < key.size()) out += "...(" + std::to_string(key.size()) + " bytes)";
    return out;
}

std::optional<std::string> find_duplicate(const dimensions& dims)
{
    // Quadratic scan for the usual handful of keys keeps the success path allocation-free;
    // large maps pay one allocation and a sort instead of n^2 comparisons.
    constexpr std::size_t small = 16;
    if (dims.size() <= small) {
        for (std::size_t i = 1; i < dims.size(); ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (dims[i].key == dims[j].key) return dims[i].key;
            }
        }
        return std::nullopt;
    }
    std::vector<std::string_view> keys;
    keys.reserve(dims.size());
    for (const dimension& dim : dims) keys.emplace_back(dim.key);
    std::sort(keys.begin(), keys.end());
    if (const auto it = std::adjacent_find(keys.begin(), keys.end()); it != keys.end()) return std::string(*it);
    return std::nullopt;
}

} // namespace

outcome<void> check_push(const dimensions& dims, std::string_view user_id)
{
    const auto rejected = [](std::string message) { return fail(errc::invalid_argument, std::move(message)); };
    if (user_id.empty()) return rejected("push rejected: user id is empty (must be non-empty)");
    if (dims.empty()) return rejected("push rejected: no key/value pairs given (at least one required)");

    for (const dimension& dim : dims) {
        if (auto problem = problem_of(dim.key)) {
            return rejected("push rejected: key \"" + printable_key(dim.key) + "\" " + *problem);
        }
        if (auto problem = problem_of(dim.value)) {
            return rejected("push rejected: value of key \"" + printable_key(dim.key) + "\" " + *problem);
        }
    }
    if (auto key = find_duplicate(dims)) {
        return rejected("push rejected: key \"" + printable_key(*key) + "\" appears twice (keys must be unique)");
    }
    return {};
}

} // namespace vwo::core
