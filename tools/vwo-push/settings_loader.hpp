#pragma once

// Where the settings JSON comes from: --settings-file, or fetched from --endpoint with
// --account-id and --sdk-key (vwo::get_settings_file).

#include "cli_options.hpp"

#include <string>

namespace vwo::cli {

/// Plain value type.
struct settings_load_result {
    std::string json;  ///< the settings file's text when error is empty
    std::string error; ///< one line naming what went wrong
};

/// Reads or fetches the settings (the fetch is bounded by the SDK's connect and request deadlines).
/// Thread-safety: a free function with no shared state.
settings_load_result load_settings(const cli_options& options);

} // namespace vwo::cli
