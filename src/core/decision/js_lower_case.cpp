#include "core/decision/js_lower_case.hpp"

#include "core/decision/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

namespace vwo::core::decision::js {
namespace {

struct lower_run {
    std::uint32_t first;
    std::uint32_t count;
    std::uint32_t stride;
    std::int32_t delta;
};
struct code_point_range {
    std::uint32_t first;
    std::uint32_t last;
};

#include "core/decision/js_case_tables.inc"

template <std::size_t N>
bool in_ranges(const code_point_range (&table)[N], char32_t cp) noexcept
{
    const auto it = std::upper_bound(std::begin(table), std::end(table), static_cast<std::uint32_t>(cp),
                                     [](std::uint32_t v, const code_point_range& r) { return v < r.first; });
    return it != std::begin(table) && cp <= std::prev(it)->last;
}

bool is_cased(char32_t cp) noexcept { return in_ranges(k_cased, cp); }
bool is_case_ignorable(char32_t cp) noexcept { return in_ranges(k_case_ignorable, cp); }

constexpr char32_t capital_sigma = 0x03A3;
constexpr char32_t small_sigma = 0x03C3;
constexpr char32_t final_sigma = 0x03C2;
constexpr char32_t capital_i_with_dot = 0x0130;

// Unicode Final_Sigma: preceded by a cased letter (skipping case-ignorables) and not followed by one.
bool is_final_sigma(const std::vector<char32_t>& cps, std::size_t at) noexcept
{
    bool before = false;
    for (std::size_t i = at; i-- > 0;) {
        if (is_case_ignorable(cps[i])) continue;
        before = is_cased(cps[i]);
        break;
    }
    if (!before) return false;
    for (std::size_t i = at + 1; i < cps.size(); ++i) {
        if (is_case_ignorable(cps[i])) continue;
        return !is_cased(cps[i]);
    }
    return true;
}

} // namespace

char32_t simple_lower(char32_t cp) noexcept
{
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp == capital_i_with_dot) return U'i';
    const auto it =
        std::upper_bound(std::begin(k_lower_runs), std::end(k_lower_runs), static_cast<std::uint32_t>(cp),
                         [](std::uint32_t v, const lower_run& r) { return v < r.first; });
    if (it == std::begin(k_lower_runs)) return cp;
    const lower_run& run = *std::prev(it);
    const std::uint32_t offset = static_cast<std::uint32_t>(cp) - run.first;
    if (offset % run.stride != 0 || offset / run.stride >= run.count) return cp;
    return static_cast<char32_t>(static_cast<std::int64_t>(cp) + run.delta);
}

bool lower_case_equals(std::string_view text, std::string_view lowered)
{
    if (!is_ascii(text)) return to_lower_case(text) == lowered;
    if (text.size() != lowered.size()) return false; // ASCII lowers byte for byte
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c) != lowered[i]) return false;
    }
    return true;
}

std::string to_lower_case(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    if (is_ascii(text)) {
        for (const char c : text) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        return out;
    }
    std::vector<char32_t> cps;
    for (std::size_t pos = 0; pos < text.size();) cps.push_back(next_code_point(text, pos));
    for (std::size_t i = 0; i < cps.size(); ++i) {
        const char32_t cp = cps[i];
        if (cp == capital_i_with_dot) {
            append_utf8(out, U'i');
            append_utf8(out, 0x0307); // COMBINING DOT ABOVE: the one one-to-many mapping
        } else if (cp == capital_sigma) {
            append_utf8(out, is_final_sigma(cps, i) ? final_sigma : small_sigma);
        } else {
            append_utf8(out, simple_lower(cp));
        }
    }
    return out;
}

} // namespace vwo::core::decision::js
