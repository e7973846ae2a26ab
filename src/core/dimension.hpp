#pragma once

#include <string>
#include <vector>

namespace vwo::core {

/// One custom dimension of a push call: a key and its value, owned copies.
struct dimension {
    std::string key;
    std::string value;
};

using dimensions = std::vector<dimension>;

} // namespace vwo::core
