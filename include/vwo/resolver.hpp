#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vwo {

/// Called at most once per lookup, from any thread, with the addresses to try in order.
using resolve_callback =
    std::function<void(boost::system::error_code, std::vector<boost::asio::ip::tcp::endpoint>)>;

/// Looks up the collector's host. The SDK waits at most timeouts.resolve for the callback
/// and ignores a late one, so a lookup that never answers cannot hold up push, flush,
/// shutdown or the destructor. The default runs getaddrinfo on a short-lived thread of its
/// own; replace it for service discovery or tests. Must be thread-safe.
using resolve_function = std::function<void(const std::string& host, std::uint16_t port, resolve_callback done)>;

} // namespace vwo
