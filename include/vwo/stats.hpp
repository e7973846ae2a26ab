#pragma once

#include <vwo/export.hpp>

#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstdint>

namespace vwo {

/// Distribution of request latencies over fixed buckets, so that two snapshots can be subtracted
/// (rates over an interval) or summed (several clients) bucket by bucket. Resolution is a factor of
/// about 2 to 2.5 per bucket, from 250 us to 30 s (then one overflow bucket); `max` and `total`
/// are exact.
///
/// Value type; safe to copy anywhere. record() is not synchronised: the client records under its
/// own lock and hands out copies.
struct VWO_API latency_histogram {
    /// Upper bound (inclusive) of bucket i; one more bucket, `counts.back()`, holds everything above.
    static constexpr std::array<std::chrono::microseconds::rep, 16> upper_bounds_us = {
        250, 500, 1'000, 2'000, 5'000, 10'000, 20'000, 50'000, 100'000, 200'000,
        500'000, 1'000'000, 2'000'000, 5'000'000, 10'000'000, 30'000'000};

    std::array<std::uint64_t, upper_bounds_us.size() + 1> counts{};
    std::uint64_t count = 0;              ///< samples recorded (the sum of counts)
    std::chrono::microseconds total{0};   ///< sum of all samples
    std::chrono::microseconds max{0};     ///< largest sample

    void record(std::chrono::microseconds sample) noexcept;
    /// total / count; zero when empty.
    std::chrono::microseconds mean() const noexcept;
    /// An upper estimate of the q-quantile (q in [0, 1], clamped): the upper bound of the bucket
    /// that holds it, never more than `max`. Zero when empty. quantile(0.99) is "p99 <= this".
    std::chrono::microseconds quantile(double q) const noexcept;
};

/// A snapshot of a client's delivery counters, in events (one event = one key of a push).
/// Taken under one lock, so the invariant holds in every snapshot:
///
///     accepted == delivered + failed() + dropped() + queued + in_flight
///
/// Value type; produced by client::stats(), safe to copy anywhere.
struct client_stats {
    /// Passed validation (and was not refused for opt-out or shutdown): the SDK took
    /// responsibility for it, or dropped it at once because the queue was full.
    std::uint64_t accepted = 0;
    std::uint64_t delivered = 0;         ///< acknowledged with 2xx
    std::uint64_t queued = 0;            ///< waiting for a request (batch queue, or not yet picked up)
    std::uint64_t in_flight = 0;         ///< in a request that has not finished (incl. waiting to retry)

    // failed(): the SDK tried and gave up.
    std::uint64_t failed_rejected = 0;          ///< non-retryable status (4xx other than 408/429)
    std::uint64_t failed_retries_exhausted = 0; ///< retryable failures through every retry
    std::uint64_t failed_other = 0;             ///< permanent transport errors (certificate refused, ...)

    // dropped(): never got a final answer.
    std::uint64_t dropped_queue_full = 0; ///< refused at admission: max_queue_events / max_queue_bytes
    std::uint64_t dropped_shutdown = 0;   ///< still pending when the shutdown deadline passed

    // Not accepted at all (not part of the invariant).
    std::uint64_t rejected_invalid = 0;    ///< calls refused by validation
    std::uint64_t rejected_opted_out = 0;  ///< calls refused after set_opt_out()
    std::uint64_t rejected_shut_down = 0;  ///< calls made after shutdown() began

    std::uint64_t attempts = 0;            ///< HTTP attempts, retries included, not cut short by a shutdown
    std::uint64_t requests_sent = 0;       ///< attempts whose request was written to a socket (a refused
                                           ///< connection, or a request still queued at shutdown, is none)
    std::uint64_t retries = 0;             ///< attempts repeated: retries, and resends of requests held in an outage
    std::uint64_t bytes_sent = 0;          ///< request bytes written (headers and body)
    boost::system::error_code last_error;  ///< most recent delivery error (empty: none yet)
    // Settings refreshes (docs/settings.md#accounting): polls, get_and_update_settings_file() and
    // update_settings_file(). attempted == updated + unchanged + failed + (refreshes still running).
    std::uint64_t settings_refreshes_attempted = 0;
    std::uint64_t settings_updated = 0;   ///< the client switched to new settings
    std::uint64_t settings_unchanged = 0; ///< the settings served were the ones in use
    std::uint64_t settings_failed = 0;    ///< fetch failed, or invalid / another account's settings refused
    /// Since the settings in use were loaded or last confirmed by a refresh (unchanged counts).
    std::chrono::milliseconds settings_age{0};
    // client_options::async_user_storage (docs/decisions.md#asynchronous-user-storage): operations that did
    // not help a call, which then went on as without storage.
    std::uint64_t storage_errors = 0;   ///< the store completed with an error, or threw
    std::uint64_t storage_timeouts = 0; ///< the store did not answer within storage_deadline

    /// Per HTTP attempt (retries included, so request_latency.count == attempts unless a
    /// shutdown cut attempts short): from handing the request to the transport, which includes
    /// waiting for a free connection and connecting, to the full response or the transport error.
    /// Attempts abandoned at the shutdown deadline are not recorded.
    latency_histogram request_latency;

    std::uint64_t failed() const noexcept { return failed_rejected + failed_retries_exhausted + failed_other; }
    std::uint64_t dropped() const noexcept { return dropped_queue_full + dropped_shutdown; }
};

} // namespace vwo
