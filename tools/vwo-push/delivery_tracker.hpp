#pragma once

// The outcome of every row, and the backpressure between the reading loop and the SDK: the loop
// waits here for room (bounded rows in flight) and gets back the rows the SDK's full queue refused,
// which it sends again instead of losing them. No SDK types: completions are reported in the
// tracker's own terms, so the logic is unit-tested without a client.

#include "row_reader.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vwo::cli {

enum class row_outcome {
    delivered, ///< the collector acknowledged it (or, in a dry run, it passed validation)
    invalid,   ///< unusable input or broke the validation rule; never sent
    failed,    ///< the SDK tried and gave up (rejected by the collector, retries exhausted, ...)
    dropped,   ///< never got a final answer (deadline passed, interrupted, queue stayed full)
};

/// A row on its way to the SDK, with how often the SDK's full queue refused it. Plain value type.
struct submission {
    row data;
    unsigned refusals = 0;
};

/// A row that did not make it, for the report on stderr. Plain value type.
struct bad_row {
    std::uint64_t line = 0;
    row_outcome outcome = row_outcome::invalid;
    std::string reason;
};

/// A consistent snapshot of the tallies. Plain value type.
struct tracker_counts {
    std::uint64_t rows_read = 0;
    std::uint64_t submitted = 0;   ///< rows handed to the SDK (first attempts only)
    std::uint64_t pending = 0;     ///< handed over, no outcome yet
    std::uint64_t waiting_retry = 0; ///< refused by a full queue, waiting to be handed over again
    std::uint64_t delivered = 0;
    std::uint64_t invalid = 0;
    std::uint64_t failed = 0;
    std::uint64_t dropped = 0;
    std::uint64_t refusals = 0;    ///< queue-full refusals that were retried (not losses)
    std::uint64_t not_sent = 0;    ///< dropped without ever reaching the SDK (also in dropped)

    std::uint64_t done() const noexcept { return delivered + invalid + failed + dropped; }
    std::uint64_t failures() const noexcept { return invalid + failed + dropped; }
};

/// Thread-safety: every member function may be called from any thread. The reading loop uses the
/// waits; SDK completion handlers (on the SDK's thread) call finished() and refused(). The bad-row
/// callback runs on the reporting thread after the tracker's lock is released, so it may take
/// locks of its own (the progress reporter's) without any ordering concern.
class delivery_tracker {
public:
    using clock = std::chrono::steady_clock;
    using bad_row_callback = std::function<void(const bad_row&)>;

    enum class wait_status { ready, interrupted, timed_out };

    /// After `max_refusals` refusals of one row it is counted as dropped ("queue stayed full").
    explicit delivery_tracker(bad_row_callback on_bad_row = {}, unsigned max_refusals = 100);
    delivery_tracker(const delivery_tracker&) = delete;
    delivery_tracker& operator=(const delivery_tracker&) = delete;

    // The reading loop.
    void row_read();
    void record_invalid(std::uint64_t line, std::string reason);
    /// A row is about to be handed to the SDK (call before the SDK can complete it).
    void submitted(bool first_attempt);

    /// A row that was read but is not handed over after all (the run was interrupted): dropped.
    void not_sent(std::uint64_t line, std::string reason);

    // Completion handlers.
    void finished(std::uint64_t line, row_outcome outcome, std::string reason = {});
    /// The SDK's queue was full: the row comes back for another attempt once something has
    /// finished (so room was made), or is dropped after max_refusals.
    void refused(submission s);

    /// The oldest refused row, once it may be retried: something finished since its refusal, or
    /// nothing is pending (so the queue is empty). Never blocks.
    std::optional<submission> take_retry();

    /// Until fewer than `max_pending` rows are pending and the SDK's queue is not known to be full
    /// (a refused row waits for a completion); or until interrupt() or `deadline`.
    wait_status wait_for_room(std::size_t max_pending, clock::time_point deadline);
    /// Until nothing is pending or a refused row may be retried, or `deadline`. Not cut short by
    /// interrupt(): an interrupted run still delivers what it handed over.
    wait_status wait_until_settled(clock::time_point deadline);
    /// Waits until `t` (the rate limit) unless interrupted first; false when interrupted.
    bool sleep_until(clock::time_point t);

    /// Counts every row still waiting for a retry as dropped with `reason` (the run is ending).
    void drop_waiting(const std::string& reason);

    /// Ends the reading loop's waits early (SIGINT/SIGTERM).
    void interrupt();
    bool interrupted() const;

    tracker_counts counts() const;
    /// Line numbers (ascending) of the rows with this outcome; empty for delivered.
    std::vector<std::uint64_t> lines_with(row_outcome outcome) const;

private:
    struct refused_row {
        submission s;
        std::uint64_t completions_at_refusal;
    };
    bool retry_ready_locked() const;
    void record_outcome_locked(std::uint64_t line, row_outcome outcome);

    const bad_row_callback on_bad_row_;
    const unsigned max_refusals_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    tracker_counts counts_;
    std::uint64_t completions_ = 0;   ///< outcomes from the SDK so far (each frees room in its queue)
    std::deque<refused_row> retries_;
    bool interrupted_ = false;
    std::vector<std::uint64_t> invalid_lines_, failed_lines_, dropped_lines_;
};

} // namespace vwo::cli
