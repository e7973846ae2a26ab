#pragma once

// The dial address of one pool: looked up once through the configured resolve_function, under the
// resolve deadline, then cached for the pool's life. Asio only (no Beast): included by connection.cpp
// and name_lookup.cpp.

#include <vwo/resolver.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vwo::transport {

/// Thread-safety: used on the pool's executor only, except that the resolver's threads reach it
/// through the gate (below), which is what makes a late answer after close() harmless.
class name_lookup {
public:
    /// `proxy`: the host is the proxy's (said so in the details).
    name_lookup(boost::asio::any_io_executor executor, resolve_function resolver, std::string host,
                std::uint16_t port, bool proxy, std::chrono::milliseconds deadline);

    /// The endpoints to connect to, looking them up unless cached. errc::timeout when the lookup
    /// outlives the deadline (it cannot be cancelled: it is left behind), errc::resolve_failed when
    /// it fails; `detail` then says so.
    boost::asio::awaitable<boost::system::error_code> resolve(std::string& detail);
    const std::vector<boost::asio::ip::tcp::endpoint>& endpoints() const noexcept { return resolved_; }
    /// Look the name up again next time (a connect failed: the address may have moved).
    void forget() noexcept { resolved_.clear(); }
    /// From now on a late answer from a resolver thread neither posts to nor (by destroying an
    /// executor copy) touches the io_context, which may be gone by then. Called by http_client's close.
    void stop();

private:
    // Resolver threads post back through this while the executor is known to be alive; it holds
    // the only executor copy they can reach, so once stop() empties it a late callback is dropped.
    struct gate {
        std::mutex mutex;
        std::optional<boost::asio::any_io_executor> executor;
    };

    boost::asio::any_io_executor executor_;
    resolve_function resolver_;
    std::string host_;
    std::uint16_t port_;
    bool proxy_;
    bool is_ip_;
    std::chrono::milliseconds deadline_;
    std::vector<boost::asio::ip::tcp::endpoint> resolved_;
    std::shared_ptr<gate> gate_ = std::make_shared<gate>();
};

} // namespace vwo::transport
