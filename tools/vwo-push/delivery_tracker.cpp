#include "delivery_tracker.hpp"

#include <algorithm>
#include <utility>

namespace vwo::cli {

delivery_tracker::delivery_tracker(bad_row_callback on_bad_row, unsigned max_refusals)
    : on_bad_row_(std::move(on_bad_row)), max_refusals_(max_refusals)
{
}

void delivery_tracker::row_read()
{
    std::lock_guard lock(mutex_);
    ++counts_.rows_read;
}

void delivery_tracker::record_outcome_locked(std::uint64_t line, row_outcome outcome)
{
    switch (outcome) {
    case row_outcome::delivered:
        ++counts_.delivered;
        break;
    case row_outcome::invalid:
        ++counts_.invalid;
        invalid_lines_.push_back(line);
        break;
    case row_outcome::failed:
        ++counts_.failed;
        failed_lines_.push_back(line);
        break;
    case row_outcome::dropped:
        ++counts_.dropped;
        dropped_lines_.push_back(line);
        break;
    }
}

void delivery_tracker::record_invalid(std::uint64_t line, std::string reason)
{
    {
        std::lock_guard lock(mutex_);
        record_outcome_locked(line, row_outcome::invalid);
    }
    if (on_bad_row_)
        on_bad_row_(bad_row{line, row_outcome::invalid, std::move(reason)});
}

void delivery_tracker::submitted(bool first_attempt)
{
    std::lock_guard lock(mutex_);
    ++counts_.pending;
    if (first_attempt)
        ++counts_.submitted;
}

void delivery_tracker::not_sent(std::uint64_t line, std::string reason)
{
    {
        std::lock_guard lock(mutex_);
        ++counts_.not_sent;
        record_outcome_locked(line, row_outcome::dropped);
    }
    if (on_bad_row_)
        on_bad_row_(bad_row{line, row_outcome::dropped, std::move(reason)});
}

void delivery_tracker::finished(std::uint64_t line, row_outcome outcome, std::string reason)
{
    {
        std::lock_guard lock(mutex_);
        if (counts_.pending > 0)
            --counts_.pending;
        ++completions_;
        record_outcome_locked(line, outcome);
    }
    changed_.notify_all();
    if (outcome != row_outcome::delivered && on_bad_row_)
        on_bad_row_(bad_row{line, outcome, std::move(reason)});
}

void delivery_tracker::refused(submission s)
{
    const std::uint64_t line = s.data.line;
    bool give_up = false;
    {
        std::lock_guard lock(mutex_);
        if (counts_.pending > 0)
            --counts_.pending;
        if (++s.refusals > max_refusals_) {
            give_up = true;
            ++completions_;
            record_outcome_locked(line, row_outcome::dropped);
        } else {
            ++counts_.waiting_retry;
            retries_.push_back(refused_row{std::move(s), completions_});
        }
    }
    changed_.notify_all();
    if (give_up && on_bad_row_)
        on_bad_row_(bad_row{line, row_outcome::dropped,
                            "the SDK's send queue stayed full through " + std::to_string(max_refusals_) +
                                " attempts"});
}

bool delivery_tracker::retry_ready_locked() const
{
    return !retries_.empty() &&
           (completions_ > retries_.front().completions_at_refusal || counts_.pending == 0);
}

std::optional<submission> delivery_tracker::take_retry()
{
    std::lock_guard lock(mutex_);
    if (!retry_ready_locked())
        return std::nullopt;
    submission s = std::move(retries_.front().s);
    retries_.pop_front();
    --counts_.waiting_retry;
    ++counts_.refusals;
    return s;
}

delivery_tracker::wait_status delivery_tracker::wait_for_room(std::size_t max_pending, clock::time_point deadline)
{
    std::unique_lock lock(mutex_);
    const bool ok = changed_.wait_until(lock, deadline, [&] {
        return interrupted_ ||
               (counts_.pending < max_pending && (retries_.empty() || retry_ready_locked()));
    });
    if (interrupted_)
        return wait_status::interrupted;
    return ok ? wait_status::ready : wait_status::timed_out;
}

delivery_tracker::wait_status delivery_tracker::wait_until_settled(clock::time_point deadline)
{
    std::unique_lock lock(mutex_);
    const bool ok = changed_.wait_until(lock, deadline,
                                        [&] { return counts_.pending == 0 || retry_ready_locked(); });
    return ok ? wait_status::ready : wait_status::timed_out;
}

bool delivery_tracker::sleep_until(clock::time_point t)
{
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, t, [&] { return interrupted_; });
    return !interrupted_;
}

void delivery_tracker::drop_waiting(const std::string& reason)
{
    std::deque<refused_row> left;
    {
        std::lock_guard lock(mutex_);
        left.swap(retries_);
        counts_.waiting_retry = 0;
        for (const auto& r : left)
            record_outcome_locked(r.s.data.line, row_outcome::dropped);
    }
    changed_.notify_all();
    if (on_bad_row_)
        for (const auto& r : left)
            on_bad_row_(bad_row{r.s.data.line, row_outcome::dropped, reason});
}

void delivery_tracker::interrupt()
{
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    changed_.notify_all();
}

bool delivery_tracker::interrupted() const
{
    std::lock_guard lock(mutex_);
    return interrupted_;
}

tracker_counts delivery_tracker::counts() const
{
    std::lock_guard lock(mutex_);
    return counts_;
}

std::vector<std::uint64_t> delivery_tracker::lines_with(row_outcome outcome) const
{
    std::vector<std::uint64_t> lines;
    {
        std::lock_guard lock(mutex_);
        if (outcome == row_outcome::invalid)
            lines = invalid_lines_;
        else if (outcome == row_outcome::failed)
            lines = failed_lines_;
        else if (outcome == row_outcome::dropped)
            lines = dropped_lines_;
    }
    std::sort(lines.begin(), lines.end()); // completions arrive in any order
    return lines;
}

} // namespace vwo::cli
