#pragma once

// How JavaScript sees a parsed settings-file value (docs/decisions.md): truthiness, String(), the first
// own key (a segment node's only key, in JS key order: docs/decisions.md#segment-structure), JSON.stringify.
// nlohmann::ordered_json keeps insertion order, which JavaScript's key order needs.
// Pure functions, thread-safe.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace vwo::core::decision::js {

using json = nlohmann::ordered_json;

/// JavaScript truthiness: false, 0, NaN, "" and null are falsy; objects and arrays are truthy.
bool truthy(const json& value) noexcept;

/// The JavaScript number a JSON number holds (integers beyond 2^53 round as JSON.parse rounds them).
double number_of(const json& value) noexcept;

/// JavaScript String(value): numbers in JS form, arrays comma-joined (null elements empty),
/// objects "[object Object]", null "null".
std::string string_of(const json& value);

/// JavaScript Number(value) for a weight (docs/decisions.md#variation-ranges): numbers as they are,
/// strings by ToNumber, true 1, false and null 0, anything else NaN.
double number_from(const json& value);

/// True for a key that JavaScript orders first in Object.keys: a canonical array index
/// ("0", "7", "42"; below 2^32 - 1).
bool is_array_index(std::string_view key) noexcept;

/// Object.keys(value)[0] and its value (Node's ObjectUtil.getKeyValue): for an object the smallest
/// array-index key if any, else the first key inserted; for a non-empty array "0"; for a non-empty
/// string "0" and its first character. Returns false where Object.keys is empty or throws.
/// `element` is set for objects and arrays only.
bool first_entry(const json& value, std::string& key, const json*& element);

/// JSON.stringify(value): keys in JavaScript order, numbers in JS form, strings escaped as
/// JSON.stringify does. Appended to `out`.
void append_stringified(std::string& out, const json& value);

} // namespace vwo::core::decision::js
