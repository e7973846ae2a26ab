#pragma once

#include <boost/system/error_code.hpp>

#include <string>
#include <vector>

namespace vwo {

/// What happened to each key of one push call. Value type: copyable, no shared state.
struct push_result {
    struct key_outcome {
        std::string key;
        boost::system::error_code error; ///< empty: delivered (or accepted, in development mode)
    };

    std::vector<key_outcome> keys;       ///< in the order the call gave them
    unsigned http_status = 0;            ///< last HTTP status seen for this call (0: none)
    unsigned attempts = 0;               ///< HTTP attempts made for this call's requests

    /// True when every key was delivered.
    bool ok() const noexcept
    {
        for (const auto& k : keys)
            if (k.error)
                return false;
        return !keys.empty();
    }
};

} // namespace vwo
