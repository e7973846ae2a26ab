#pragma once

// Log text shared by the decision service's files.

#include <initializer_list>
#include <string>
#include <string_view>

namespace vwo::engine {

// Build "<api>: <text>" without the `literal + std::string` form that g++ 12 -O3 misreads (-Wrestrict).
inline std::string message(std::string_view api, std::initializer_list<std::string_view> parts)
{
    std::string out(api);
    out += ": ";
    for (std::string_view p : parts)
        out += p;
    return out;
}

} // namespace vwo::engine
