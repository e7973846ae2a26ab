#include "core/decision/segment_evaluator.hpp"

#include "core/decision/js_lower_case.hpp"
#include "core/decision/js_text.hpp"
#include "core/decision/utf8.hpp"

#include <cmath>
#include <type_traits>
#include <variant>

namespace vwo::core::decision {
namespace {

constexpr std::string_view vwo_user_id_key = "_vwoUserId";
const std::string& vwo_user_id_name()
{
    static const std::string name(vwo_user_id_key);
    return name;
}

// The variable as Node's preProcessTagValue turns it into a string (docs/decisions.md#segment-operands): booleans give
// "true"/"false", numbers their JavaScript String() form (int64 is a JS number, i.e. a double).
struct tag_text {
    js::number_buffer buf;
    std::string_view text;
};

bool lookup_tag(const segment_input& input, const std::string& name, tag_text& out)
{
    if (input.vwo_user_id && name == vwo_user_id_key) {
        out.text = *input.vwo_user_id;
        return true;
    }
    if (input.variables == nullptr) return false;
    // std::map<std::string, ...> has no transparent comparator; the compiled names are std::strings
    // already, so find() does not allocate.
    const auto it = input.variables->find(name);
    if (it == input.variables->end()) return false; // absent → false, even for regex(.*)
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                out.text = v;
            } else if constexpr (std::is_same_v<T, bool>) {
                out.text = v ? "true" : "false";
            } else {
                out.text = js::format_number(static_cast<double>(v), out.buf);
            }
        },
        it->second);
    return true;
}

// processValues' per-value step (Node's SegmentUtil), for a value whose parseFloat is truthy:
// integral values go through parseInt(String(x)) ("1e+21" → 1, Infinity → NaN), then String().
std::string_view normalise_number(double number, js::number_buffer& buf)
{
    if (number == std::floor(number)) {
        js::number_buffer text_buf;
        const std::string_view text = js::format_number(number, text_buf);
        return js::format_number(js::parse_int(text), buf);
    }
    return js::format_number(number, buf);
}

std::wstring to_utf16_units(std::string_view text)
{
    std::wstring out;
    out.reserve(text.size());
    for_each_utf16_unit(text, [&](char16_t unit) { out += static_cast<wchar_t>(unit); });
    return out;
}

bool regex_test(const std::shared_ptr<const std::wregex>& pattern, std::string_view tag)
{
    if (!pattern) return false; // an invalid RegExp: false, no log (seen in Node: SEG_REGEX_INVALID)
    try {
        const std::wstring units = to_utf16_units(tag);
        // libstdc++'s matcher recurses once per character: a long value from the caller could overflow
        // the caller's stack (a crash no catch can stop). Longer values do not match (docs/decisions.md).
        if (units.size() > max_regex_subject_units) return false;
        return std::regex_search(units, *pattern);
    } catch (const std::exception&) {
        return false; // std::regex_error (complexity / stack) at match time
    }
}

} // namespace

bool evaluate_condition(const segment_condition& c, const segment_input& input)
{
    tag_text tag;
    if (!lookup_tag(input, c.variable, tag)) return false;

    // Numeric normalisation (docs/decisions.md#segment-operands): both values are normalised, or neither.
    js::number_buffer normalised_buf;
    std::string_view tag_value = tag.text;
    std::string_view operand = c.value;
    double operand_number = c.value_number;
    bool normalised = false;
    if (c.numeric) {
        const double tag_number = js::parse_float(tag.text);
        if (js::truthy(tag_number)) {
            tag_value = normalise_number(tag_number, normalised_buf);
            operand = c.normalised;
            operand_number = c.normalised_number;
            normalised = true;
        }
    }

    switch (c.type) {
    case operand_type::equal: return tag_value == operand;
    case operand_type::never: return normalised && tag_value == operand;
    case operand_type::lower:
        return js::lower_case_equals(tag_value, normalised ? c.lower_normalised : c.lower_value);
    case operand_type::contains: return tag_value.find(operand) != std::string_view::npos;
    case operand_type::ends_with: return tag_value.ends_with(operand);
    case operand_type::starts_with: return tag_value.starts_with(operand);
    case operand_type::regex: return regex_test(normalised ? c.normalised_pattern : c.pattern, tag_value);
    case operand_type::gt: return operand_number < js::parse_float(tag_value);
    case operand_type::gte: return operand_number <= js::parse_float(tag_value);
    case operand_type::lt: return operand_number > js::parse_float(tag_value);
    case operand_type::lte: return operand_number >= js::parse_float(tag_value);
    }
    return false;
}

bool segment::evaluate(const segment_input& input) const
{
    if (form_ != form::tree) return true; // {} and non-objects mean "no segmentation"
    if (!error_.empty()) return false;    // Node throws → SEGMENTATION_ERROR → false
    return evaluate_node(0, input);
}

bool segment::evaluate_node(std::uint32_t index, const segment_input& input) const
{
    const node& n = nodes_[index];
    switch (n.kind) {
    case node_kind::and_:
        // Node evaluates every child; with no throws possible any more (see the header) the value is
        // the same when stopping at the first false.
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (!evaluate_node(children_[n.first + i], input)) return false;
        }
        return true; // an empty list is true (seen in Node: SEG_EMPTY_AND)
    case node_kind::or_:
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (evaluate_node(children_[n.first + i], input)) return true;
        }
        return false;
    case node_kind::not_: return !evaluate_node(n.first, input);
    case node_kind::condition: return evaluate_condition(conditions_[n.first], input);
    case node_kind::user: {
        // `users[i].trim() === customVariables._vwoUserId`: only a string can be equal.
        std::optional<std::string_view> id = input.vwo_user_id;
        if (!id && input.variables != nullptr) {
            const auto it = input.variables->find(vwo_user_id_name());
            if (it != input.variables->end()) {
                if (const auto* s = std::get_if<std::string>(&it->second)) id = *s;
            }
        }
        if (!id) return false;
        for (const std::string& entry : user_lists_[n.first]) {
            if (entry == *id) return true;
        }
        return false;
    }
    case node_kind::constant_false: return false; // an unknown operator gives undefined (falsy)
    }
    return false;
}

} // namespace vwo::core::decision
