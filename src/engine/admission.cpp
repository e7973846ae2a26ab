#include "engine/admission.hpp"

#include "core/retry_policy.hpp"

#include <vwo/error.hpp>

#include <mutex>
#include <string>

namespace vwo::engine {

using boost::system::error_code;

void admission::count_rejected_invalid()
{
    std::lock_guard lock(mutex_);
    ++stats_.rejected_invalid;
}

void admission::count_rejected_opted_out()
{
    std::lock_guard lock(mutex_);
    ++stats_.rejected_opted_out;
}

admission::verdict admission::admit(std::shared_ptr<push_op> op)
{
    const std::uint32_t events = op->event_count();
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < events; ++i)
        bytes += op->event_bytes(i);
    std::uint64_t full_since_last_log = 0;
    {
        std::lock_guard lock(mutex_);
        if (!accepting_) {
            ++stats_.rejected_shut_down;
            return {make_error_code(errc::shutting_down), false};
        }
        if (pending_events_ + events <= max_events_ && pending_bytes_ + bytes <= max_bytes_) {
            pending_events_ += events;
            pending_bytes_ += bytes;
            stats_.accepted += events;
            stats_.queued += events;
            inbox_.push_back(std::move(op));
            return {error_code{}, !std::exchange(sdk_awake_, true)};
        }
        stats_.accepted += events;
        stats_.dropped_queue_full += events;
        stats_.last_error = make_error_code(errc::queue_full);
        // One log line per second at most, however hard callers push into a full queue.
        queue_full_unlogged_ += events;
        const auto now = std::chrono::steady_clock::now();
        if (now - queue_full_logged_at_ >= std::chrono::seconds(1)) {
            queue_full_logged_at_ = now;
            full_since_last_log = std::exchange(queue_full_unlogged_, 0);
        }
    }
    if (full_since_last_log != 0)
        log_.error("send queue full (max_queue_events " + std::to_string(max_events_) + ", max_queue_bytes " +
                   std::to_string(max_bytes_) + "): " + std::to_string(full_since_last_log) +
                   " events dropped since the last report");
    return {make_error_code(errc::queue_full), false};
}

bool admission::stop_accepting()
{
    std::lock_guard lock(mutex_);
    return std::exchange(accepting_, false);
}

bool admission::accepting() const
{
    std::lock_guard lock(mutex_);
    return accepting_;
}

bool admission::has_queued_events() const
{
    std::lock_guard lock(mutex_);
    return stats_.queued > 0 && accepting_;
}

client_stats admission::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

void admission::take_inbox(std::vector<std::shared_ptr<push_op>>& drained)
{
    std::lock_guard lock(mutex_);
    drained.swap(inbox_);
}

bool admission::inbox_empty() const
{
    std::lock_guard lock(mutex_);
    return inbox_.empty();
}

bool admission::sleep_if_idle()
{
    std::lock_guard lock(mutex_);
    if (!inbox_.empty())
        return false;
    sdk_awake_ = false;
    return true;
}

void admission::count_sent(std::uint64_t events)
{
    std::lock_guard lock(mutex_);
    stats_.queued -= events;
    stats_.in_flight += events;
}

void admission::count_attempt(bool cut_short, std::size_t bytes_sent, std::chrono::microseconds latency)
{
    std::lock_guard lock(mutex_);
    if (!cut_short) { // as request_latency: an attempt that ended on its own
        ++stats_.attempts;
        stats_.request_latency.record(latency);
    }
    if (bytes_sent != 0) // written to a socket: queued-at-shutdown and refused ones are not
        ++stats_.requests_sent;
    stats_.bytes_sent += bytes_sent;
}

void admission::count_retry(error_code last_error)
{
    std::lock_guard lock(mutex_);
    ++stats_.retries;
    if (last_error)
        stats_.last_error = last_error;
}

void admission::count_finished(std::uint64_t events, std::uint64_t bytes, error_code ec, bool shutdown_drop)
{
    std::lock_guard lock(mutex_);
    stats_.in_flight -= events;
    switch (core::classify_finished(ec, shutdown_drop)) {
    case core::delivery_bucket::delivered: stats_.delivered += events; break;
    case core::delivery_bucket::dropped_shutdown: stats_.dropped_shutdown += events; break;
    case core::delivery_bucket::failed_retries_exhausted: stats_.failed_retries_exhausted += events; break;
    case core::delivery_bucket::failed_rejected: stats_.failed_rejected += events; break;
    case core::delivery_bucket::failed_other: stats_.failed_other += events; break;
    }
    if (ec)
        stats_.last_error = ec;
    pending_events_ -= events;
    pending_bytes_ -= bytes;
}

std::uint64_t admission::undelivered() const
{
    std::lock_guard lock(mutex_);
    return stats_.in_flight + stats_.queued;
}

} // namespace vwo::engine
