#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>

namespace vwo {

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

    std::uint64_t requests_sent = 0;       ///< HTTP attempts, retries included
    std::uint64_t retries = 0;
    std::uint64_t bytes_sent = 0;          ///< request bytes written (headers and body)
    boost::system::error_code last_error;  ///< most recent delivery error (empty: none yet)

    std::uint64_t failed() const noexcept { return failed_rejected + failed_retries_exhausted + failed_other; }
    std::uint64_t dropped() const noexcept { return dropped_queue_full + dropped_shutdown; }
};

} // namespace vwo
