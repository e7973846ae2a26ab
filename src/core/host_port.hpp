#pragma once

// The one "host[:port]" parser, shared by the collector endpoint (core/endpoint) and the proxy URL
// (core/proxy), so both accept and refuse the same hosts and ports.

#include "core/outcome.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

/// What "host:" (a colon with no digits) means: refused (the endpoint), or the caller's default port
/// (the proxy URL, as libcurl reads it).
enum class empty_port { refused, means_default };

struct host_port {
    std::string_view host;             ///< a name or IPv4 address, or an IPv6 address without its brackets
    std::optional<std::uint16_t> port; ///< nullopt: no port given
};

/// Splits an authority without user info. Rules:
/// - an IPv6 address is in brackets ("[::1]", "[::1]:8080") and must be a valid address (inet_pton;
///   no zone id); only ":port" may follow the closing bracket;
/// - otherwise the host runs to the first ':' and holds letters, digits and "-._~" only, so it can never
///   carry a space, a slash or a line break into a request line or header;
/// - the host is never empty;
/// - a port is decimal digits only (no sign, no spaces), 1 to 65535.
/// A failure has code errc::invalid_options and a short phrase as its message ("port must be a number
/// from 1 to 65535", "invalid IPv6 address", ...) that the caller puts after its own prefix.
outcome<host_port> parse_host_port(std::string_view authority, empty_port empty);

} // namespace vwo::core
