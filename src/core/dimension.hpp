#pragma once

#include <vwo/detail/dimension.hpp>

#include <vector>

namespace vwo::core {

/// One custom dimension of a push call: a key and its value, owned copies. The same type the
/// public API fills, so a call's list reaches the request builder without being converted.
using dimension = vwo::detail::owned_dimension;

using dimensions = std::vector<dimension>;

} // namespace vwo::core
