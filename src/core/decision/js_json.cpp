#include "core/decision/js_json.hpp"

#include "core/decision/js_text.hpp"
#include "core/decision/utf8.hpp"
#include "core/json_writer.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace vwo::core::decision::js {

double number_of(const json& value) noexcept
{
    if (value.is_number_unsigned()) return static_cast<double>(value.get<std::uint64_t>());
    if (value.is_number_integer()) return static_cast<double>(value.get<std::int64_t>());
    if (value.is_number_float()) return value.get<double>();
    return std::numeric_limits<double>::quiet_NaN();
}

bool truthy(const json& value) noexcept
{
    switch (value.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return value.get<bool>();
    case json::value_t::string: return !value.get_ref<const std::string&>().empty();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return js::truthy(number_of(value));
    default: return true; // objects, arrays (binary and discarded do not come out of the parser)
    }
}

std::string string_of(const json& value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case json::value_t::string: return value.get<std::string>();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return number_to_string(number_of(value));
    case json::value_t::array: {
        std::string out;
        bool first = true;
        for (const auto& element : value) {
            if (!first) out += ',';
            first = false;
            if (!element.is_null()) out += string_of(element); // Array.prototype.join: null → ""
        }
        return out;
    }
    default: return "[object Object]";
    }
}

double number_from(const json& value)
{
    switch (value.type()) {
    case json::value_t::null: return 0;
    case json::value_t::boolean: return value.get<bool>() ? 1 : 0;
    case json::value_t::string: return js::to_number(value.get_ref<const std::string&>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return number_of(value);
    default: return std::numeric_limits<double>::quiet_NaN();
    }
}

bool is_array_index(std::string_view key) noexcept
{
    if (key.empty() || key.size() > 10) return false;
    if (key.size() > 1 && key[0] == '0') return false;
    std::uint64_t value = 0;
    for (const char c : key) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value < 4294967295ULL;
}

namespace {

std::uint64_t index_value(std::string_view key) noexcept
{
    std::uint64_t value = 0;
    for (const char c : key) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    return value;
}

// Object.keys order: array indices ascending, then the other keys in insertion order.
std::vector<std::pair<const std::string*, const json*>> ordered_entries(const json& object)
{
    std::vector<std::pair<const std::string*, const json*>> indices;
    std::vector<std::pair<const std::string*, const json*>> others;
    for (auto it = object.begin(); it != object.end(); ++it) {
        (is_array_index(it.key()) ? indices : others).emplace_back(&it.key(), &it.value());
    }
    std::stable_sort(indices.begin(), indices.end(),
                     [](const auto& a, const auto& b) { return index_value(*a.first) < index_value(*b.first); });
    indices.insert(indices.end(), others.begin(), others.end());
    return indices;
}

} // namespace

bool first_entry(const json& value, std::string& key, const json*& element)
{
    element = nullptr;
    if (value.is_object()) {
        if (value.empty()) return false;
        const json* best_value = nullptr;
        const std::string* best_key = nullptr;
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (is_array_index(it.key()) &&
                (best_key == nullptr || index_value(it.key()) < index_value(*best_key))) {
                best_key = &it.key();
                best_value = &it.value();
            }
        }
        if (best_key == nullptr) {
            best_key = &value.begin().key();
            best_value = &value.begin().value();
        }
        key = *best_key;
        element = best_value;
        return true;
    }
    if (value.is_array()) {
        if (value.empty()) return false;
        key.assign(1, '0'); // assign(count, char): g++ 12 -O3 warns falsely (-Wrestrict) on = "0"
        element = &value.front();
        return true;
    }
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
        key.assign(1, '0'); // a string's own keys are its indices
        return true;
    }
    return false; // null throws in Object.keys; numbers and booleans have no own keys
}

void append_stringified(std::string& out, const json& value)
{
    switch (value.type()) {
    case json::value_t::null: out += "null"; return;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case json::value_t::string: append_json_string(out, value.get_ref<const std::string&>()); return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
        const double number = number_of(value);
        if (number != number || number - number != 0) {
            out += "null"; // JSON.stringify writes non-finite numbers as null
        } else {
            append_number(out, number);
        }
        return;
    }
    case json::value_t::array: {
        out += '[';
        bool first = true;
        for (const auto& element : value) {
            if (!first) out += ',';
            first = false;
            append_stringified(out, element);
        }
        out += ']';
        return;
    }
    default: {
        out += '{';
        bool first = true;
        for (const auto& [key, element] : ordered_entries(value)) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, *key);
            out += ':';
            append_stringified(out, *element);
        }
        out += '}';
        return;
    }
    }
}

} // namespace vwo::core::decision::js
