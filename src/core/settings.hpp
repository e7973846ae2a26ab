#pragma once

// The parts of VWO's settings file that the SDK uses (docs/protocol.md#settings-file,
// docs/configuration.md#the-settings-file-settings_file).

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

/// Parses and checks the settings JSON. Required: accountId (non-negative integer, or a
/// string of decimal digits), sdkKey (non-empty string), version (number or string),
/// campaigns (array). Optional: isEventArchEnabled (bool), collectionPrefix (string of
/// RFC 3986 unreserved characters; empty means none). Malformed JSON reports the parser's message.
settings_result parse_settings(std::string_view json);

} // namespace vwo::core
