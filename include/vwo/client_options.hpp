#pragma once

#include <vwo/log.hpp>
#include <vwo/resolver.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vwo {

/// Which APIs return a std::future ("delivered") instead of an immediate bool ("accepted").
struct return_promise_options {
    bool all = false;  ///< every API
    /// push, and flush_events: a flush only means something as "the queued events were
    /// delivered" (Node's flushEvents always returns a promise), so it follows push.
    bool push = false;
};

/// Called on the SDK thread after each batch request finished: an empty error on 2xx,
/// otherwise why it failed; `payload` is the JSON body that was sent. Never called under SDK locks.
using flush_callback_type = std::function<void(boost::system::error_code, std::string_view payload)>;

/// Batch mode (push-protocol.md B4): events are queued and sent as one POST batch-events.
struct batch_events_options {
    std::size_t events_per_request = 100;                      ///< 1..5000: flush when this many are queued
    std::chrono::seconds request_time_interval{600};           ///< >= 1 s: flush this long after the first queued event
    flush_callback_type flush_callback;                        ///< optional
};

/// TLS settings. Verification of peer and host name is always on unless insecure_skip_verify.
struct tls_options {
    std::string ca_file;               ///< PEM bundle to trust in addition to the system store
    std::string ca_dir;                ///< hashed CA directory to trust in addition to the system store
    bool insecure_skip_verify = false; ///< development only: trusts any certificate; logged as a warning at launch
};

/// Retries of requests that can succeed later (network errors, timeouts, 408, 429, 5xx).
struct retry_options {
    unsigned max_retries = 5;
    std::chrono::milliseconds base_delay{1000}; ///< full jitter over base * 2^n ...
    std::chrono::milliseconds max_delay{30000}; ///< ... capped here
    std::chrono::milliseconds max_retry_after{60000}; ///< a server's Retry-After is honoured up to this
};

/// A deadline for every phase of an exchange.
struct timeout_options {
    std::chrono::milliseconds resolve{5000};
    std::chrono::milliseconds connect{5000};
    std::chrono::milliseconds tls_handshake{5000};
    std::chrono::milliseconds request{10000}; ///< write the request and read the whole response
};

/// Everything vwo::launch needs. Plain value type.
struct client_options {
    /// The settings JSON as served by GET /server-side/settings (see get_settings_file).
    std::string settings_file;
    return_promise_options return_promise_for;
    /// Collector base URL: scheme, host, optional port and path.
    std::string endpoint = "https://dev.visualwebsiteoptimizer.com";
    std::optional<batch_events_options> batch_events;
    /// Validate and log, send nothing; every result is true.
    bool development_mode = false;
    logging_options logging;

    tls_options tls;
    retry_options retry;
    timeout_options timeouts;
    /// Keep-alive connections per collector origin; requests share them.
    std::size_t max_connections = 2;
    /// Bounds on what is accepted but not yet finished (queued or in flight).
    std::size_t max_queue_events = 10000;
    std::size_t max_queue_bytes = 16 * 1024 * 1024;
    /// How long shutdown() and the destructor wait for queued and in-flight requests.
    std::chrono::milliseconds shutdown_timeout{2000};
    /// Host lookup; empty: the system resolver (getaddrinfo). Address literals are never looked up.
    resolve_function resolver;
    /// Run the SDK's I/O on your executor instead of a thread of its own (the SDK then starts
    /// none; it serialises its work on a strand, so a multi-threaded io_context is fine).
    /// Lifetime rules (docs/async-model.md): the execution context must outlive the client
    /// and keep running until shutdown() returns; call shutdown() from a thread that is not
    /// the only one running it, or it cannot wait and returns at its deadline.
    std::optional<boost::asio::any_io_executor> executor;
};

/// For get_settings_file.
struct settings_fetch_options {
    std::string endpoint = "https://dev.visualwebsiteoptimizer.com";
    tls_options tls;
    timeout_options timeouts;
};

} // namespace vwo
