#pragma once

#include <vwo/async_user_storage.hpp>
#include <vwo/decision_types.hpp>
#include <vwo/log.hpp>
#include <vwo/resolver.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vwo {

/// Which APIs return a std::future instead of an immediate value (docs/async-model.md). A decision is
/// always made at once; the future becomes ready when the request the call sends (if any) was
/// acknowledged with 2xx or finally failed. Its value is the decision either way (a user keeps the
/// variation when tracking fails); push and track give false on failure.
struct return_promise_options {
    bool all = false;  ///< every API
    /// push, and flush_events: a flush only means something as "the queued events were
    /// delivered" (Node's flushEvents always returns a promise), so it follows push.
    bool push = false;
    bool activate = false;
    bool get_variation_name = false; ///< sends nothing: the future is ready at once
    bool track = false;
    bool is_feature_enabled = false;
    bool get_feature_variable_value = false; ///< sends nothing: the future is ready at once
    /// The future becomes true once the client uses the settings VWO served (docs/settings.md).
    bool get_and_update_settings_file = false;
};

/// Called on the SDK thread after each batch request finished: an empty error on 2xx,
/// otherwise why it failed; `payload` is the JSON body that was sent. Never called under SDK locks.
using flush_callback_type = std::function<void(boost::system::error_code, std::string_view payload)>;

/// Batch mode (docs/protocol.md#batch-mode-batch_events): events are queued and sent as one POST batch-events.
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

/// Retries of requests that can succeed later (network errors, timeouts, 408, 429, 5xx). A request is given
/// up (errc::retries_exhausted) only when both budgets are used up: max_retries retries and
/// max_elapsed_time since its first attempt; while a shutdown drains, it is retried until the shutdown
/// deadline whatever the budgets. While the collector cannot be reached at all, only one request probes
/// and the others wait, their budgets untouched (docs/reliability.md R3).
struct retry_options {
    unsigned max_retries = 5;
    std::chrono::milliseconds base_delay{1000}; ///< the step before retry n is base * 2^n, randomised in [0.5, 1.5) of it ...
    std::chrono::milliseconds max_delay{30000}; ///< ... and capped here
    std::chrono::milliseconds max_retry_after{60000}; ///< a server's Retry-After is honoured up to this
    std::chrono::milliseconds max_elapsed_time{300000}; ///< time budget per request; 0: max_retries alone
};

/// Reads one environment variable; nullopt when it is not set.
using environment_function = std::function<std::optional<std::string>(const std::string& name)>;

/// An HTTP proxy between the SDK and the collector (docs/troubleshooting.md#proxy). Chosen once, at
/// launch, the way libcurl chooses: https:// collectors go through a CONNECT tunnel (TLS stays end to
/// end and is verified against the collector, never the proxy); http:// collectors get absolute-form
/// requests. Each explicit field overrides its environment variable(s); the others still apply.
struct proxy_options {
    /// Default unset: the environment decides (https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY for an
    /// https:// endpoint; http_proxy, all_proxy, ALL_PROXY for http://). Set: this proxy, whatever the
    /// environment says: "http://[user[:password]@]host[:port]" (no scheme means http://; port 1080 by
    /// default, as libcurl; user and password percent-encoded; IPv6 in brackets). The empty string
    /// means no proxy at all, even if the environment names one. https:// and socks proxies are
    /// refused at launch (errc::invalid_options).
    std::optional<std::string> url;
    /// Default unset: NO_PROXY / no_proxy from the environment. Set: these hosts are reached directly
    /// ("*" = all; comma-separated names matching the host or a parent domain, IP addresses, IPv4/IPv6
    /// CIDR blocks); the empty string exempts no host, even if the environment sets NO_PROXY.
    std::optional<std::string> no_proxy;
    /// Default true: read the variables above. false: only `url` and `no_proxy` count.
    bool use_environment = true;
    /// Default empty: the process environment (std::getenv), read once by launch() / get_settings_file()
    /// on the calling thread. Set it to supply the variables from elsewhere (configuration, tests).
    environment_function environment;
};

/// A deadline for every phase of an exchange.
struct timeout_options {
    std::chrono::milliseconds resolve{5000};
    std::chrono::milliseconds connect{5000};       ///< TCP connect; through a proxy, also the CONNECT exchange
    std::chrono::milliseconds tls_handshake{5000};
    std::chrono::milliseconds request{10000}; ///< write the request and read the whole response
};

/// Everything vwo::launch needs. Plain value type.
struct client_options {
    /// The settings JSON as served by GET /server-side/settings (see get_settings_file). Empty: launch()
    /// fetches them from `endpoint` with `account_id` and `sdk_key` (docs/settings.md#launch-from-keys).
    std::string settings_file;
    /// The VWO account id. Needed to launch without `settings_file`; when both are given they must agree.
    std::string account_id;
    /// The SDK key for fetching, polling and get_and_update_settings_file(). Empty: the settings file's
    /// sdkKey. Never logged.
    std::string sdk_key;
    /// How often to poll GET /server-side/settings for changed settings (docs/settings.md#polling).
    /// Zero (the default): never. Otherwise at least 1 s; each wait is jittered by up to 10 % so a
    /// fleet does not poll in step, and doubles after each failed poll (up to 10 minutes or the interval,
    /// whichever is longer). Polling stops at shutdown() and set_opt_out().
    std::chrono::milliseconds poll_interval{0};
    return_promise_options return_promise_for;
    /// Collector base URL: scheme, host, optional port and path.
    std::string endpoint = "https://dev.visualwebsiteoptimizer.com";
    std::optional<batch_events_options> batch_events;
    /// Validate and log, send nothing; push results are true, decisions are made as usual.
    bool development_mode = false;
    logging_options logging;

    tls_options tls;
    /// Default: from the environment as libcurl reads it (HTTPS_PROXY, NO_PROXY, ...).
    proxy_options proxy;
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

    // Decision and tracking APIs (docs/decisions.md).
    /// How non-ASCII user ids are hashed; ASCII ids get the same buckets either way.
    bucketing_compat bucketing = bucketing_compat::standard;
    /// Called once per decision on the caller's thread (Node's integrations.callback); empty: none.
    integrations_callback integrations;
    /// Keeps each user's decisions and converted goals (docs/decisions.md#user-storage); empty: none, every
    /// call decides afresh. Shared: the same store may serve several clients.
    std::shared_ptr<vwo::user_storage> user_storage;
    /// The same, asynchronous (docs/decisions.md#asynchronous-user-storage): for a store behind a network
    /// round trip, e.g. vwo::redis_user_storage. Set at most one of the two.
    std::shared_ptr<vwo::async_user_storage> async_user_storage;
    /// How long a call waits for user storage (a get, and a set) before it decides afresh as without it.
    std::chrono::milliseconds storage_deadline{200};
    /// Track users again who already have a stored decision (call_options can override per call).
    bool should_track_returning_user = false;
    /// Which goal types track() counts unless a call says otherwise.
    goal_type goal_type_to_track = goal_type::all;
};

/// For get_settings_file.
struct settings_fetch_options {
    std::string endpoint = "https://dev.visualwebsiteoptimizer.com";
    tls_options tls;
    timeout_options timeouts;
    /// The same proxy rules as client_options::proxy.
    proxy_options proxy;
};

} // namespace vwo
