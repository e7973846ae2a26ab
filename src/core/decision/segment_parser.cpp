#include "core/decision/segment_parser.hpp"

#include "core/decision/js_json.hpp"
#include "core/decision/js_lower_case.hpp"
#include "core/decision/js_text.hpp"
#include "core/decision/utf8.hpp"

#include <cmath>
#include <limits>

namespace vwo::core::decision {

using json = nlohmann::ordered_json;

namespace {

constexpr std::string_view line_terminators[] = {"\n", "\r", "\u2028", "\u2029"};

// The first line of `text` (JavaScript's `.` does not match line terminators).
std::string_view first_line(std::string_view text)
{
    std::size_t end = text.size();
    for (const std::string_view t : line_terminators) end = std::min(end, text.find(t));
    return text.substr(0, end);
}

// /^name\((.*)\)/ : "name(" then the longest run up to a ')' on the first line; trailing text after
// that ')' is ignored, as the unanchored-at-the-end JavaScript pattern ignores it.
bool match_call(std::string_view operand, std::string_view name, std::string& inner)
{
    if (operand.size() < name.size() + 1 || operand.substr(0, name.size()) != name || operand[name.size()] != '(') {
        return false;
    }
    const std::string_view rest = first_line(operand.substr(name.size() + 1));
    const std::size_t close = rest.rfind(')');
    if (close == std::string_view::npos) return false;
    inner.assign(rest.substr(0, close));
    return true;
}

// /^gt\(((\d+\.?\d*)|(\.\d+))\)/ and its siblings: digits with an optional fraction, or a bare
// fraction; no sign (so "gt(-5)" falls through to equality, docs/decisions.md#segment-operands).
bool match_number_call(std::string_view operand, std::string_view name, std::string& inner)
{
    if (operand.size() < name.size() + 1 || operand.substr(0, name.size()) != name || operand[name.size()] != '(') {
        return false;
    }
    const std::string_view rest = operand.substr(name.size() + 1);
    const auto digit = [&](std::size_t i) { return i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; };
    std::size_t i = 0;
    if (digit(0)) {
        while (digit(i)) ++i;
        if (i < rest.size() && rest[i] == '.') {
            ++i;
            while (digit(i)) ++i;
        }
    } else if (!rest.empty() && rest[0] == '.' && digit(1)) {
        i = 1;
        while (digit(i)) ++i;
    } else {
        return false;
    }
    if (i >= rest.size() || rest[i] != ')') return false;
    inner.assign(rest.substr(0, i));
    return true;
}

// The length of the quantifier starting at units[i] (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), or 0. A `{`
// that does not form a quantifier is a literal in JavaScript (Annex B).
std::size_t quantifier_length(const std::wstring& units, std::size_t i)
{
    const wchar_t c = units[i];
    if (c == L'*' || c == L'+' || c == L'?') return 1;
    if (c != L'{') return 0;
    std::size_t j = i + 1;
    auto digits = [&] {
        const std::size_t from = j;
        while (j < units.size() && units[j] >= L'0' && units[j] <= L'9') ++j;
        return j > from;
    };
    if (!digits()) return 0;
    if (j < units.size() && units[j] == L',') {
        ++j;
        digits();
    }
    return j < units.size() && units[j] == L'}' ? j + 1 - i : 0;
}

// JavaScript rejects a quantifier that follows another (`a**`, `a+*`, `.???`, `a{2}{3}`; one `?` right
// after a quantifier is its lazy form) with SyntaxError "Nothing to repeat", so Node evaluates such a
// segment to false. libstdc++ accepts them and backtracks exponentially: one settings file could hang
// every decision (found by fuzz_decisions).
bool stacks_quantifiers(const std::wstring& units)
{
    bool in_class = false;
    int after = 0; // 0: not after a quantifier; 1: right after one; 2: after one and its lazy `?`
    for (std::size_t i = 0; i < units.size(); ++i) {
        const wchar_t c = units[i];
        if (c == L'\\') {
            ++i; // the escaped unit is an atom
            after = 0;
            continue;
        }
        if (in_class) {
            in_class = c != L']';
            continue;
        }
        if (c == L'[') {
            in_class = true;
            after = 0;
            continue;
        }
        const std::size_t length = quantifier_length(units, i);
        if (length == 0) {
            after = 0;
            continue;
        }
        if (after == 1 && c == L'?') {
            after = 2;
            continue;
        }
        if (after != 0) return true;
        after = 1;
        i += length - 1;
    }
    return false;
}

std::shared_ptr<const std::wregex> compile_regex(std::string_view pattern)
{
    std::wstring units;
    for_each_utf16_unit(pattern, [&](char16_t unit) { units += static_cast<wchar_t>(unit); });
    // libstdc++ compiles and matches recursively: a pattern beyond this could overflow the stack at launch.
    if (units.size() > max_regex_pattern_units || stacks_quantifiers(units)) return nullptr;
    try {
        return std::make_shared<const std::wregex>(units, std::regex_constants::ECMAScript);
    } catch (const std::regex_error&) {
        return nullptr; // invalid for std::regex: false, as Node's invalid RegExp (seen in Node: SEG_REGEX_INVALID)
    }
}

std::string normalise_operand(double number)
{
    if (number == std::floor(number)) return js::number_to_string(js::parse_int(js::number_to_string(number)));
    return js::number_to_string(number);
}

} // namespace

segment_condition compile_condition(std::string variable, const json& operand)
{
    segment_condition c;
    c.variable = std::move(variable);
    std::string raw;
    if (!operand.is_string()) {
        // `operand.match` is not a function: Node logs SEGMENTATION_REGEX_CREATION_FAILED for each
        // pattern and falls back to equality with the raw value, which a string tag can equal only
        // after numeric normalisation (then both are strings).
        c.type = operand_type::never;
        raw = js::string_of(operand);
        c.value = raw;
    } else {
        raw = operand.get<std::string>();
        std::string inner;
        if (match_call(raw, "lower", inner)) {
            c.type = operand_type::lower;
            c.value = std::move(inner);
        } else if (match_call(raw, "wildcard", inner)) {
            const bool starting = !inner.empty() && inner.front() == '*';
            const bool ending = !inner.empty() && inner.back() == '*';
            // Without a star the type stays undefined: plain equality (seen in Node: SEG_WILDCARD_NO_STAR).
            c.type = starting && ending ? operand_type::contains
                     : starting         ? operand_type::ends_with
                     : ending           ? operand_type::starts_with
                                        : operand_type::equal;
            // .replace(/^\*/, '').replace(/\*$/, ''): one star each side ("*" → "", "**" → "").
            if (starting) inner.erase(0, 1);
            if (ending && !inner.empty() && inner.back() == '*') inner.pop_back();
            c.value = std::move(inner);
        } else if (match_call(raw, "regex", inner)) {
            c.type = operand_type::regex;
            c.value = std::move(inner);
        } else if (match_number_call(raw, "gt", inner)) {
            c.type = operand_type::gt;
            c.value = std::move(inner);
        } else if (match_number_call(raw, "gte", inner)) {
            c.type = operand_type::gte;
            c.value = std::move(inner);
        } else if (match_number_call(raw, "lt", inner)) {
            c.type = operand_type::lt;
            c.value = std::move(inner);
        } else if (match_number_call(raw, "lte", inner)) {
            c.type = operand_type::lte;
            c.value = std::move(inner);
        } else {
            c.type = operand_type::equal;
            c.value = raw;
        }
    }

    // The operand side of processValues (the numeric normalisation): it only depends on the operand.
    c.value_number = js::parse_float(c.value);
    c.numeric = js::truthy(c.value_number);
    if (c.numeric) {
        c.normalised = normalise_operand(c.value_number);
        c.normalised_number = js::parse_float(c.normalised);
    }
    if (c.type == operand_type::lower) {
        c.lower_value = js::to_lower_case(c.value);
        if (c.numeric) c.lower_normalised = js::to_lower_case(c.normalised);
    }
    if (c.type == operand_type::regex) {
        c.pattern = compile_regex(c.value);
        if (c.numeric) c.normalised_pattern = compile_regex(c.normalised);
    }
    return c;
}

/// Builds the flat node arrays of a segment. Used only inside compile_segment.
/// Thread-safety: one builder per segment being compiled; not shared.
class segment_builder {
public:
    explicit segment_builder(segment& target) : s_(target) {}

    static segment build(const json& dsl)
    {
        segment s;
        if (!dsl.is_object()) {
            s.form_ = segment::form::not_object;
            return s;
        }
        if (dsl.empty()) {
            s.form_ = segment::form::empty_object;
            return s;
        }
        s.form_ = segment::form::tree;
        segment_builder builder(s);
        builder.add(dsl, "$");
        if (!s.error_.empty()) {
            s.nodes_.clear();
            s.children_.clear();
            s.conditions_.clear();
            s.user_lists_.clear();
        }
        return s;
    }

    // Returns the node index; sets s_.error_ on the first construct Node would throw on.
    std::uint32_t add(const json& value, const std::string& path)
    {
        const auto index = static_cast<std::uint32_t>(s_.nodes_.size());
        s_.nodes_.push_back({});
        if (!s_.error_.empty()) return index;

        std::string key;
        const json* element = nullptr;
        if (!js::first_entry(value, key, element)) {
            fail(path, value.is_null() ? "a node is null" : "a node has no keys (empty object, array or string, "
                                                            "or a number or boolean)");
            return index;
        }
        if (element == nullptr) {
            // A non-empty string: its first key is "0", which is no operator.
            s_.nodes_[index].kind = segment::node_kind::constant_false;
            return index;
        }
        if (key == "not") {
            const std::uint32_t child = add(*element, path + ".not");
            s_.nodes_[index] = {segment::node_kind::not_, child, 0};
        } else if (key == "and" || key == "or") {
            add_list(index, key == "and" ? segment::node_kind::and_ : segment::node_kind::or_, *element,
                     path + "." + key);
        } else if (key == "custom_variable") {
            add_condition(index, *element, path + ".custom_variable");
        } else if (key == "user") {
            if (!element->is_string()) {
                fail(path + ".user", "the operand is not a string");
                return index;
            }
            std::vector<std::string> entries;
            const std::string& list = element->get_ref<const std::string&>();
            std::size_t start = 0;
            while (true) {
                const std::size_t comma = list.find(',', start);
                const std::string_view entry =
                    std::string_view(list).substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                entries.emplace_back(js::trim(entry));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            s_.nodes_[index] = {segment::node_kind::user, static_cast<std::uint32_t>(s_.user_lists_.size()), 0};
            s_.user_lists_.push_back(std::move(entries));
        } else {
            s_.nodes_[index].kind = segment::node_kind::constant_false; // unknown operator: undefined
        }
        return index;
    }

private:
    void fail(const std::string& path, std::string_view what)
    {
        if (s_.error_.empty()) s_.error_ = "segment " + path + ": " + std::string(what);
    }

    void add_list(std::uint32_t index, segment::node_kind kind, const json& list, const std::string& path)
    {
        std::vector<std::uint32_t> children;
        if (list.is_null()) {
            fail(path, "the operand is null");
            return;
        }
        if (list.is_array()) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                children.push_back(add(list[i], path + "[" + std::to_string(i) + "]"));
            }
        } else if (list.is_string()) {
            // `for (i < subDsl.length)` over a string visits its characters, each of which is a node
            // without an operator: one falsy child stands for all of them.
            if (!list.get_ref<const std::string&>().empty()) {
                const auto child = static_cast<std::uint32_t>(s_.nodes_.size());
                s_.nodes_.push_back({segment::node_kind::constant_false, 0, 0});
                children.push_back(child);
            }
        } else if (list.is_object() && list.contains("length")) {
            fail(path, "the operand is an object with a \"length\" key");
            return;
        }
        // Objects without "length", numbers and booleans: `.length` is undefined, the loop does not run.
        const auto first = static_cast<std::uint32_t>(s_.children_.size());
        s_.children_.insert(s_.children_.end(), children.begin(), children.end());
        s_.nodes_[index] = {kind, first, static_cast<std::uint32_t>(children.size())};
    }

    void add_condition(std::uint32_t index, const json& operand, const std::string& path)
    {
        std::string name;
        const json* value = nullptr;
        if (!js::first_entry(operand, name, value)) {
            fail(path, operand.is_null() ? "the operand is null" : "the operand has no variable name");
            return;
        }
        json operand_value;
        if (value != nullptr) {
            operand_value = *value;
        } else {
            // A string operand: key "0" and its first UTF-16 code unit.
            const std::string& text = operand.get_ref<const std::string&>();
            std::size_t pos = 0;
            const char32_t cp = next_code_point(text, pos);
            std::string first;
            append_utf8(first, cp < 0x10000 ? cp : replacement_character); // half a surrogate pair
            operand_value = first;
        }
        s_.nodes_[index] = {segment::node_kind::condition, static_cast<std::uint32_t>(s_.conditions_.size()), 0};
        s_.conditions_.push_back(compile_condition(std::move(name), operand_value));
    }

    segment& s_;
};

segment compile_segment(const json& dsl) { return segment_builder::build(dsl); }

} // namespace vwo::core::decision
