#pragma once

// Keep-alive HTTP/1.1 delivery to one origin over plain TCP or TLS. The Beast and OpenSSL code
// lives in connection.cpp and tls_context.cpp only (see http_client.cpp for the other parts), so
// this header is cheap to include.

#include "core/endpoint.hpp"
#include "core/proxy.hpp"
#include "core/request_builder.hpp"
#include "transport/transport.hpp"

#include <vwo/client_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <stdexcept>
#include <memory>
#include <optional>
#include <string>

namespace vwo::transport {

struct transport_config {
    core::endpoint origin;
    tls_options tls;
    timeout_options timeouts;
    std::size_t max_connections = 2;
    std::size_t max_response_body = 1024 * 1024; ///< larger bodies are discarded with the connection
                                                 ///< (exchange_result::body_too_large)
    resolve_function resolver;                   ///< empty: system_resolver()
    /// Set: every connection goes to this HTTP proxy (looked up with `resolver`). An https origin
    /// is reached through a CONNECT tunnel (the TLS handshake, SNI and certificate check are the
    /// origin's); an http origin gets absolute-form requests. Decided by core::choose_proxy.
    std::optional<core::proxy_server> proxy;
};

/// core::choose_proxy for the public proxy_options and an origin: the proxy to put in
/// transport_config::proxy (nullopt in `server`: direct). Reads the environment (on the calling
/// thread) unless told not to. nullopt with `error` set when the proxy URL is unusable.
inline core::outcome<core::proxy_choice> choose_proxy(const proxy_options& options, const core::endpoint& origin)
{
    core::proxy_settings settings{options.url, options.no_proxy, options.use_environment, options.environment};
    return core::choose_proxy(settings, origin.tls, origin.host);
}

/// getaddrinfo on a detached thread per lookup: unlike asio's resolver, a hung lookup then
/// blocks neither the io_context nor its destruction (which joins asio's resolver thread).
/// Defined in name_lookup.cpp.
resolve_function system_resolver();

/// Frees this thread's OpenSSL state now rather than at thread exit (for short-lived
/// threads that must be done with OpenSSL before they signal completion). Defined in tls_context.cpp.
void release_thread_state() noexcept;

/// Thrown by http_client's constructor when the TLS settings cannot be applied
/// (unreadable CA file, ...); the message names the problem.
struct transport_setup_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A pool of up to max_connections keep-alive connections to one origin; requests queue
/// in order and go out on the most recently used idle connection, so light traffic stays
/// on one connection. A reused connection that turns out closed by the server is reopened
/// and the request resent once (not a retry). Every phase has the configured deadline; through a
/// proxy the CONNECT exchange (request written, response header read) has a deadline of its own,
/// timeouts.connect, between the TCP connect and the TLS handshake. A tunnel is the connection:
/// keep-alive reuse works through it unchanged.
///
/// Thread-safety: all member functions must be called on the executor given at
/// construction (a single-threaded io_context); handlers are invoked there too. The destructor
/// may run elsewhere once close() has run on the executor and its completion was observed.
class http_client final : public transport {
public:
    http_client(boost::asio::any_io_executor executor, transport_config config);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// Sends `request` once (plus the transparent stale-connection resend) and completes
    /// with the outcome. Never retries: that is the caller's policy.
    void async_send(std::shared_ptr<const core::wire_request> request, exchange_handler handler) override;

    /// Closes every connection and completes everything queued or in flight with
    /// errc::shutting_down. Later sends complete at once with the same error.
    void close() override;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace vwo::transport
