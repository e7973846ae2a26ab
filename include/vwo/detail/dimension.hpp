#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vwo::detail {

/// One custom dimension of a push call, owned. The SDK keeps the list it receives as is,
/// from the public call down to the request builder: no conversion, no second allocation.
struct owned_dimension {
    std::string key;
    std::string value;
};

/// Owned key/value pairs of one call, in call order.
using dimension_list = std::vector<owned_dimension>;

/// The list of a single-key call, built without an initializer_list (whose elements could
/// only be copied, not moved).
inline dimension_list single_dimension(std::string_view key, std::string_view value)
{
    dimension_list list;
    list.reserve(1);
    list.push_back(owned_dimension{std::string(key), std::string(value)});
    return list;
}

} // namespace vwo::detail
