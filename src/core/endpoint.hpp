#pragma once

// The collector's base URL, split once at launch.

#include "core/outcome.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

struct endpoint {
    bool tls = true;          ///< https:// (true) or http:// (false)
    std::string host;         ///< name or address; IPv6 without brackets
    std::uint16_t port = 443; ///< explicit port, or 443 / 80 by scheme
    std::string base_path;    ///< "" or "/path" without a trailing slash

    /// Value for the Host header: host, bracketed when IPv6, plus ":port" when not the scheme default.
    std::string host_header() const;
};

/// Parses "http[s]://host[:port][/path]". Scheme is case-insensitive; user info, query
/// and fragment are refused. A failure has code vwo::errc::invalid_options and a message
/// naming the problem ("endpoint \"ftp://x\": scheme must be http or https").
outcome<endpoint> parse_endpoint(std::string_view url);

} // namespace vwo::core
