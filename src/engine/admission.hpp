#pragma once

// The only part of the engine that callers' threads touch (docs/architecture.md): the queue bounds,
// the inbox the SDK thread drains, and the delivery counters behind client::stats(). All under one
// brief lock, so that a push takes exactly one lock and every stats() snapshot keeps the invariant
//     accepted == delivered + failed + dropped + queued + in_flight.

#include "engine/brief_mutex.hpp"
#include "engine/logger.hpp"
#include "engine/operation.hpp"

#include <vwo/stats.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace vwo::engine {

/// Thread-safety: every member function may be called from any thread at once. One brief_mutex
/// guards all state; it is never held while logging or calling out.
class admission {
public:
    admission(std::uint64_t max_events, std::uint64_t max_bytes, const logger& log)
        : max_events_(max_events), max_bytes_(max_bytes), log_(log)
    {
    }

    // ---- callers' threads -----------------------------------------------------------------------
    void count_rejected_invalid();
    void count_rejected_opted_out();

    struct verdict {
        boost::system::error_code error; ///< shutting_down or queue_full; empty: queued
        bool wake = false;               ///< first push of a busy period: the SDK thread must be woken
    };
    /// Queues `op` for the SDK thread within the bounds, counting it accepted (or dropped for a full
    /// queue, with one log line per second at most).
    verdict admit(std::shared_ptr<push_op> op);

    /// Stops accepting; true for the first call.
    bool stop_accepting();
    bool accepting() const;
    /// Batch events are waiting and the client accepts calls (immediate flush_events()).
    bool has_queued_events() const;
    client_stats stats() const;

    // ---- the SDK thread -------------------------------------------------------------------------
    /// Swaps the inbox with `drained` (both keep their capacity: callers rarely allocate to queue).
    void take_inbox(std::vector<std::shared_ptr<push_op>>& drained);
    bool inbox_empty() const;
    /// The SDK thread stops polling when the inbox is empty: the next push wakes it. True when it did.
    bool sleep_if_idle();

    /// `events` left the queue for their first request.
    void count_sent(std::uint64_t events);
    /// One attempt ended: `cut_short` by a shutdown (then neither an attempt nor a latency sample).
    void count_attempt(bool cut_short, std::size_t bytes_sent, std::chrono::microseconds latency);
    /// An attempt will be repeated; `last_error` (if any) becomes stats().last_error.
    void count_retry(boost::system::error_code last_error);
    /// A request finished: its `events` (costing `bytes`) left the bounds, counted by how it ended.
    void count_finished(std::uint64_t events, std::uint64_t bytes, boost::system::error_code ec, bool shutdown_drop);
    /// Events not yet finished (queued + in flight).
    std::uint64_t undelivered() const;

private:
    const std::uint64_t max_events_;
    const std::uint64_t max_bytes_;
    const logger& log_;

    mutable brief_mutex mutex_;
    std::vector<std::shared_ptr<push_op>> inbox_;
    bool sdk_awake_ = false; ///< the SDK thread polls the inbox; pushes need not wake it
    bool accepting_ = true;
    std::uint64_t pending_events_ = 0; ///< queued + in flight, for the queue bounds
    std::uint64_t pending_bytes_ = 0;
    client_stats stats_;
    std::uint64_t queue_full_unlogged_ = 0;
    std::chrono::steady_clock::time_point queue_full_logged_at_{};
};

} // namespace vwo::engine
