#pragma once

// What a settings download's one exchange means for get_settings_file and launch from keys (launch.cpp): kept next to the
// transport, as a pure function, so the mapping of statuses to errors is in one place and testable
// without a server.

#include "transport/transport.hpp"

#include <boost/system/error_code.hpp>

#include <cstddef>

namespace vwo::transport {

/// The largest settings response read (a settings file of thousands of campaigns is a few MB).
inline constexpr std::size_t settings_response_limit = 64 * 1024 * 1024;

/// Empty when `result` carries the settings in its body. Otherwise: the transport's own error; a body
/// past the limit is errc::response_too_large (never an empty "success": the settings are what was
/// asked for); 401/403 errc::http_unauthorized; any other non-2xx errc::http_rejected.
/// Thread-safety: pure; call from any thread.
boost::system::error_code classify_settings_response(const exchange_result& result) noexcept;

} // namespace vwo::transport
