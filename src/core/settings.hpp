#pragma once

// Compatibility: the top-level fields of the settings file in the shape src/engine still reads.
// The one parse is core::parse_account (core/account.hpp); parse_settings is a view of its result.
// Remove this header once src/engine holds a core::account.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

struct settings {
    std::string account_id;        ///< decimal text; the file may hold a number or a string
    std::string sdk_key;           ///< non-empty
    std::string version;           ///< as text (the file holds a number)
    bool event_arch_enabled = false;   ///< "isEventArchEnabled"
    std::string collection_prefix; ///< "" when absent; otherwise one URL path segment
    std::size_t campaign_count = 0;
};

struct settings_result {
    std::optional<settings> value; ///< set on success
    std::string error;             ///< on failure: names the field and the problem
};

/// core::parse_account (every check it makes, campaigns included) and its top-level fields. Never throws.
settings_result parse_settings(std::string_view json);

} // namespace vwo::core
