#pragma once

// A tiny JSON string writer for the hot request-building path (nlohmann is used for
// parsing; writing a few fixed shapes by hand avoids building a DOM per event).

#include <string>
#include <string_view>

namespace vwo::core {

/// Appends `text` (valid UTF-8) as a JSON string literal, quotes included, escaping
/// exactly as JavaScript's JSON.stringify does: \" \\ \b \f \n \r \t, other control
/// characters as \u00xx (lower-case hex); non-ASCII and '/' are written as is.
void append_json_string(std::string& out, std::string_view text);

} // namespace vwo::core
