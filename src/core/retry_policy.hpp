#pragma once

// What to do after one HTTP attempt: a pure function of the outcome, so every rule
// of the retry table is unit-tested without a network.

#include <vwo/error.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace vwo::core {

struct retry_policy {
    unsigned max_retries = 5;                            ///< retries after the first attempt
    std::chrono::milliseconds base_delay{1000};          ///< backoff before retry n: base * 2^n, capped
    std::chrono::milliseconds max_delay{30000};          ///< cap of the exponential part
    std::chrono::milliseconds max_retry_after{60000};    ///< Retry-After is clamped to this
    /// Time budget of one request from its first attempt (time spent held during an outage excluded);
    /// 0: none. A request is given up only when both budgets, count and time, are used up.
    std::chrono::milliseconds max_elapsed{0};
};

/// The result of one attempt. Either `transport_error` is set (no status), or `status` is.
struct attempt_outcome {
    boost::system::error_code transport_error;           ///< a vwo::errc value from the transport
    unsigned status = 0;                                 ///< HTTP status when a response arrived
    std::optional<std::chrono::milliseconds> retry_after;///< parsed Retry-After, if any
    std::size_t events = 1;                              ///< events the request carries (413 split)
    std::chrono::milliseconds elapsed{0};                ///< since the first attempt, held time excluded
    bool until_deadline = false;                         ///< a shutdown is draining: retry until its deadline
};

enum class verdict { success, retry, fail, split };

struct retry_decision {
    verdict action = verdict::fail;
    std::chrono::milliseconds delay{0};                  ///< for retry: wait this long first
    boost::system::error_code error;                     ///< for fail: the error to report
};

/// The rules:
/// - 2xx: success.
/// - transport errors of vwo::condition::network (timeout, resolve_failed, connect_failed, connection_lost, bad_response,
///   tls_handshake_failed, proxy_failed); statuses 408, 429, 5xx: retry while retries_done < max_retries,
///   or elapsed < max_elapsed (when set), or until_deadline; else fail with errc::retries_exhausted.
///   Delay: step = min(max_delay, base_delay * 2^retries_done), randomised within a band around it,
///   min(max_delay, step * (0.5 + jitter01)): never below half the step, so an outage's attempts never
///   bunch up near zero (as OpenTelemetry's exporters randomise with a 0.5 factor); when retry_after is
///   set the delay is at least min(retry_after, max_retry_after).
/// - certificate errors (certificate_untrusted, _expired, _hostname_mismatch, _self_signed,
///   _verification_failed), proxy_auth_required (407), proxy_rejected and any other transport
///   error: fail with that error.
/// - 413: split when events > 1, else fail with errc::payload_too_large.
/// - 401, 403: fail with errc::http_unauthorized.
/// - any other status (1xx, 3xx, 4xx): fail with errc::http_rejected.
/// `jitter01` is a uniform random number in [0, 1).
retry_decision decide_retry(const attempt_outcome& outcome, unsigned retries_done, const retry_policy& policy,
                            double jitter01) noexcept;

/// The stats bucket (include/vwo/stats.hpp) of a finished request, by condition: no error → delivered;
/// `shutdown_drop` → dropped_shutdown; vwo::condition::gave_up → failed_retries_exhausted;
/// vwo::condition::rejected → failed_rejected; anything else → failed_other.
enum class delivery_bucket { delivered, dropped_shutdown, failed_retries_exhausted, failed_rejected, failed_other };
delivery_bucket classify_finished(const boost::system::error_code& ec, bool shutdown_drop) noexcept;

/// True when the outcome says the collector could not be reached at all (no HTTP answer: connect,
/// resolve, TLS, proxy, timeout, connection lost): the engine then holds other requests and probes.
bool signals_unreachable(const attempt_outcome& outcome) noexcept;

/// Parses a Retry-After value: delta-seconds ("120") or an IMF-fixdate / RFC 850 / asctime
/// HTTP-date, relative to `now` (a date in the past gives 0). A malformed value is the generic code
/// boost::system::errc::invalid_argument: the header is then ignored, nothing more to say.
boost::system::result<std::chrono::milliseconds> read_retry_after(std::string_view value,
                                                                  std::chrono::system_clock::time_point now) noexcept;

} // namespace vwo::core
