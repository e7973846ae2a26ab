#include "core/decision/variable_cast.hpp"

#include "core/decision/js_json.hpp"
#include "core/decision/js_text.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

namespace vwo::core::decision {

void cast_variable(feature_variable& v, const nlohmann::ordered_json* value)
{
    const auto cast_failed = [&] {
        v.value.reset();
        // Appended piece by piece: g++ 12 at -O3 misreads `"'" + std::string(...)` (-Wrestrict).
        std::string message = "unable to cast value ";
        message += value ? v.raw_json : std::string("undefined");
        message += " of variable '";
        message += v.key;
        message += "' to type '";
        message += v.type;
        message += '\'';
        v.cast_error = std::move(message);
    };
    // JavaScript String(value) of a missing value is "undefined", which parses as NaN.
    const std::string text = value ? js::string_of(*value) : std::string("undefined");
    if (v.type == "integer") {
        const double number = js::parse_int(text); // parseInt(value, 10), via the value's String()
        if (number != number) return cast_failed();
        if (std::isfinite(number) && std::fabs(number) < 9223372036854775808.0) {
            v.value = static_cast<std::int64_t>(number); // -0 becomes 0, as JSON prints it
        } else {
            v.value = number; // ±Infinity or beyond int64: kept as the double Node returns
        }
    } else if (v.type == "double") {
        const double number = js::parse_float(text);
        if (number != number) return cast_failed();
        v.value = number; // Infinity is kept (docs/decisions.md#feature-variables)
    } else if (v.type == "boolean") {
        if (value == nullptr || !value->is_boolean()) return cast_failed();
        v.value = value->get<bool>();
    } else if (v.type == "json") {
        if (value == nullptr || !value->is_object()) return cast_failed(); // arrays fail too
        v.value = v.raw_json;
    } else {
        // "string" and unknown types: no cast, the raw value (docs/decisions.md#feature-variables).
        if (value == nullptr || value->is_null()) return;
        if (value->is_string()) {
            v.value = value->get<std::string>();
        } else if (value->is_boolean()) {
            v.value = value->get<bool>();
        } else if (value->is_number_integer()) {
            if (value->is_number_unsigned() && value->get<std::uint64_t>() > 9223372036854775807ULL) {
                v.value = js::number_of(*value);
            } else {
                v.value = value->get<std::int64_t>();
            }
        } else if (value->is_number_float()) {
            v.value = value->get<double>();
        } else {
            v.value = v.raw_json; // objects and arrays: their JSON text
        }
    }
}

} // namespace vwo::core::decision
