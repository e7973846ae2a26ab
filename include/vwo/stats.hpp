#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>

namespace vwo {

/// A snapshot of a client's delivery counters, in events (one event = one key of a push).
/// Invariant at any moment: accepted == delivered + failed + dropped() + queued + in_flight.
struct client_stats {
    std::uint64_t accepted = 0;          ///< passed validation and admission
    std::uint64_t delivered = 0;         ///< acknowledged with 2xx
    std::uint64_t failed = 0;            ///< refused by the collector or retries exhausted
    std::uint64_t dropped_shutdown = 0;  ///< still pending when the shutdown deadline passed
    std::uint64_t queued = 0;            ///< accepted, waiting for a request
    std::uint64_t in_flight = 0;         ///< in a request that has not finished

    std::uint64_t rejected_invalid = 0;  ///< calls refused by validation (not accepted)
    std::uint64_t rejected_queue_full = 0; ///< events refused because the queue was full (not accepted)
    std::uint64_t rejected_opted_out = 0;  ///< calls refused after set_opt_out() (not accepted)

    std::uint64_t requests_sent = 0;     ///< HTTP attempts, retries included
    std::uint64_t retries = 0;
    std::uint64_t bytes_sent = 0;        ///< request bytes written (headers and body)
    boost::system::error_code last_error;

    std::uint64_t dropped() const noexcept { return dropped_shutdown; }
};

} // namespace vwo
