#pragma once

// The seam between the delivery engine and the network (docs/architecture.md): the engine hands a
// built request to a transport and gets one exchange_result back. http_client is the real one;
// tests/support/fake_transport.hpp answers from the test, without sockets or sleeps.

#include "core/request_builder.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace vwo::transport {

/// The outcome of one attempt (one request written, one response read).
struct exchange_result {
    boost::system::error_code error; ///< a vwo::errc transport error; empty when a response arrived
    unsigned status = 0;             ///< HTTP status of the response
    std::optional<std::string> retry_after; ///< raw Retry-After header value
    std::size_t bytes_sent = 0;      ///< request bytes written, resends included
    std::string body;                ///< response body (up to the transport's body limit)
    bool body_too_large = false;     ///< the body passed the limit: `status` is real, `body` empty
    std::string detail;              ///< for logs: what exactly failed ("certificate verify failed: ...")
};

using exchange_handler = boost::asio::any_completion_handler<void(exchange_result)>;

/// One origin's delivery: sends a request once and reports how that attempt ended. Never retries
/// (that is the engine's policy).
///
/// Thread-safety: an implementation is driven from one executor (the engine's strand); its handlers
/// run there too.
class transport {
public:
    virtual ~transport() = default;

    /// Sends `request` once and completes `handler` with the outcome, never inside this call.
    virtual void async_send(std::shared_ptr<const core::wire_request> request, exchange_handler handler) = 0;

    /// Completes everything queued or in flight with errc::shutting_down; later sends complete at once
    /// with the same error.
    virtual void close() = 0;
};

} // namespace vwo::transport
