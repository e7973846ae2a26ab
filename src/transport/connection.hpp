#pragma once

// One connection of http_client's pool, and what all connections of a pool share. A private header
// of the transport, deliberately free of Beast and OpenSSL (only Asio's awaitable): http_client.cpp
// includes it, and the templates that make connections expensive to compile stay in connection.cpp.

#include "core/request_builder.hpp"
#include "transport/http_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace vwo::transport {

/// A request made ready for the wire once and sent unchanged on every attempt (the stale-connection
/// resend included): its bytes as Beast serializes them. Opaque here, complete in connection.cpp only.
struct prepared_request;
struct prepared_request_deleter {
    void operator()(prepared_request* request) const noexcept;
};
using prepared_request_ptr = std::unique_ptr<prepared_request, prepared_request_deleter>;

/// What every connection to one origin shares: the settings, the route (direct or through the proxy),
/// the TLS context and the looked-up address.
/// Thread-safety: used on the pool's executor only; stop() may also run where http_client's close()
/// runs (the same executor by http_client's contract).
class dialer {
public:
    /// Throws transport_setup_error when the TLS settings cannot be applied.
    dialer(boost::asio::any_io_executor executor, transport_config config);
    ~dialer();
    dialer(const dialer&) = delete;
    dialer& operator=(const dialer&) = delete;

    const transport_config& config() const noexcept;
    /// The origin's Host header value (for messages).
    const std::string& host_header() const noexcept;

    /// The request in wire form, or null with `why` when it cannot be sent safely: a header value
    /// with CR/LF/NUL would inject headers or a second request, and Beast throws for a field past
    /// its size limit.
    prepared_request_ptr prepare(const core::wire_request& request, std::string& why) const;

    /// Late answers of name lookups still running are dropped from now on (the io_context may be
    /// destroyed soon after close()).
    void stop();

    struct impl;

private:
    friend class connection;
    std::unique_ptr<impl> impl_;
};

/// One keep-alive connection (plain TCP, TLS, or TLS through a CONNECT tunnel), reopened on demand.
/// Every phase runs under its own deadline (timeouts: resolve, connect and the CONNECT exchange,
/// tls_handshake, request for the write and the whole response).
/// Thread-safety: owned by one pool slot and driven by that slot's worker coroutine on the pool's
/// executor; close() may come from the pool (its close()) on that same executor between two steps.
class connection {
public:
    explicit connection(dialer& shared);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Connected and kept alive by the last answer: the next attempt reuses it.
    bool is_open() const noexcept;
    /// Shuts the socket down; a pending operation on it completes with an error.
    void close() noexcept;

    /// One attempt: connects first unless open, writes `request`, reads the response (through the
    /// shipped response_reader). `stale` is set when the failure means the server had closed the
    /// kept-alive connection before the request reached it (nothing came back, no deadline fired):
    /// the pool may then resend once. Never throws for I/O failures; they are in the result.
    boost::asio::awaitable<exchange_result> attempt(const prepared_request& request, bool& stale);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vwo::transport
