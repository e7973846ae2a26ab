#pragma once

// The segmentation DSL (docs/decisions.md#segmentation) as a compact tree, compiled once when the
// settings are parsed (segment_parser.hpp) so that a decision never touches JSON.
//
// Node throws on some malformed trees (a null node, an empty object below the top, a `user` operand
// that is not a string, ...) and then evaluates the whole segment to false with ERROR
// SEGMENTATION_ERROR. Node evaluates every node (no short-circuit), so such a throw happens on every
// evaluation whatever the variables: it is a property of the tree. The compiler therefore records it
// as error(), and evaluate() returns false for such a segment; the caller logs error().

#include "core/decision/attributes.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace vwo::core::decision {

/// regex() limits where libstdc++'s recursive matcher and JavaScript part ways (docs/decisions.md):
/// a longer pattern counts as invalid (false), and a longer value never matches. Both bound the stack
/// a regex() condition can use on the caller's thread, whatever the settings file or the caller pass.
inline constexpr std::size_t max_regex_pattern_units = 1024;
inline constexpr std::size_t max_regex_subject_units = 1024;

/// What the DSL sees as the variable map: the call's customVariables (pre-segmentation) or
/// variationTargetingVariables plus the injected `_vwoUserId` (whitelisting, pipeline step 3 in docs/decisions.md).
struct segment_input {
    const attribute_map* variables = nullptr; ///< null means {}
    /// When set, `_vwoUserId` reads this value, overriding any caller-supplied one.
    std::optional<std::string_view> vwo_user_id;
};

/// The operand types of `custom_variable` (docs/decisions.md#segment-operands, Node's SegmentOperandValuesEnum).
enum class operand_type : std::uint8_t {
    equal,       ///< plain equality (also `wildcard(x)` without a star)
    lower,       ///< lower(x): equal after toLowerCase
    contains,    ///< wildcard(*x*)
    ends_with,   ///< wildcard(*x)
    starts_with, ///< wildcard(x*)
    regex,       ///< regex(x)
    gt,
    gte,
    lt,
    lte,
    never, ///< an operand that is not a JSON string: equal only through numeric normalisation
};

/// One `custom_variable` condition, with everything that does not depend on the tag value
/// precomputed: the operand in its raw and its numerically normalised form.
struct segment_condition {
    std::string variable;     ///< the variable name
    operand_type type = operand_type::equal;
    std::string value;        ///< the operand value as extracted (raw form)
    bool numeric = false;     ///< parseFloat(value) is truthy: normalisation applies if the tag's is too
    std::string normalised;   ///< the operand after normalisation (meaningful when numeric)
    double value_number = 0;      ///< parseFloat(value)
    double normalised_number = 0; ///< parseFloat(normalised)
    std::string lower_value;      ///< toLowerCase(value), for lower()
    std::string lower_normalised; ///< toLowerCase(normalised), for lower()
    /// regex(): compiled patterns (UTF-16 code units in wchar_t, as a JS RegExp sees the string);
    /// null when std::regex rejects the pattern, which evaluates to false as an invalid RegExp does.
    std::shared_ptr<const std::wregex> pattern;
    std::shared_ptr<const std::wregex> normalised_pattern;
};

/// A compiled segment tree.
/// Thread-safety: immutable after compilation; evaluate() may be called concurrently.
class segment {
public:
    enum class form : std::uint8_t {
        not_object,   ///< absent, null, an array or a scalar (Node's DataTypeUtil.isObject is false)
        empty_object, ///< {}: "segmentation is not used"
        tree,         ///< a non-empty object
    };

    enum class node_kind : std::uint8_t { and_, or_, not_, condition, user, constant_false };

    struct node {
        node_kind kind = node_kind::constant_false;
        std::uint32_t first = 0; ///< and/or: first index into children; not: the child node;
                                 ///< condition / user: index into conditions / user lists
        std::uint32_t count = 0; ///< and/or: number of children
    };

    segment() = default;

    form shape() const noexcept { return form_; }
    /// Non-empty when Node would throw while evaluating this tree (see the file comment).
    const std::string& error() const noexcept { return error_; }

    /// Node's SegmentEvaluator (docs/decisions.md#segment-structure): a non-object or {} gives true; a
    /// malformed tree gives false; otherwise the tree's value. Allocation-free except for regex()
    /// conditions and lower() on non-ASCII values.
    bool evaluate(const segment_input& input) const;

private:
    friend class segment_builder;

    bool evaluate_node(std::uint32_t index, const segment_input& input) const;

    form form_ = form::not_object;
    std::string error_;
    std::vector<node> nodes_; ///< nodes_[0] is the root when form_ == tree and error_ is empty
    std::vector<std::uint32_t> children_;
    std::vector<segment_condition> conditions_;
    std::vector<std::vector<std::string>> user_lists_; ///< trimmed entries of each `user` operand
};

/// docs/decisions.md#segment-operands for one condition against one variable map (exposed for tests).
bool evaluate_condition(const segment_condition& condition, const segment_input& input);

} // namespace vwo::core::decision
