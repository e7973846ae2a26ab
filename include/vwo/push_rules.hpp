#pragma once

// The rules push() applies to each call, for code that checks or sizes its input before handing it
// over (the vwo-push tool does both). The SDK itself applies exactly these functions.

#include <vwo/export.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vwo {

/// Most Unicode code points a key, a value or a user id may have.
inline constexpr std::size_t max_push_code_points = 255;

/// Why push(key, value, user_id) would be refused by validation (errc::invalid_argument), as the
/// message the SDK logs, e.g. "push rejected: value of key \"price\" has 256 code points (at most 255
/// allowed)"; nullopt when the call passes. Rules: user_id non-empty; key and value non-empty; all three
/// valid UTF-8 of at most max_push_code_points code points.
VWO_API std::optional<std::string> push_validation_error(std::string_view key, std::string_view value,
                                                         std::string_view user_id);

/// What one pending push event (one key of a call) counts against client_options::max_queue_bytes,
/// from acceptance until it is finished: 3 x (key + value + user_id sizes in bytes) + 1536, close to the
/// memory it occupies. At most 10716 for a valid event (255 code points of 4 bytes in each string).
VWO_API std::size_t queued_event_bytes(std::string_view key, std::string_view value,
                                       std::string_view user_id) noexcept;

} // namespace vwo
