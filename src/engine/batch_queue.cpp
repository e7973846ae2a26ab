#include "engine/batch_queue.hpp"

#include <algorithm>
#include <iterator>

namespace vwo::engine {

void batch_queue::after_add()
{
    if (keys_.size() >= per_request_) {
        flush(false, nullptr);
        return;
    }
    if (timer_)
        return;
    timer_ = clock_.wait(interval_, [this, keep = owner_.lock()](boost::system::error_code ec) {
        if (ec)
            return; // cancelled: flushed or stopped before the interval ended
        timer_.reset();
        flush(true, nullptr);
    });
}

void batch_queue::flush(bool all, const std::shared_ptr<flush_waiter>& waiter)
{
    while (!keys_.empty() && (all || keys_.size() >= per_request_)) {
        const std::size_t n = std::min(per_request_, keys_.size());
        std::vector<carried_key> taken(std::make_move_iterator(keys_.begin()),
                                       std::make_move_iterator(keys_.begin() + static_cast<std::ptrdiff_t>(n)));
        keys_.erase(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(n));
        core::batch_body sent;
        if (n == body_.size()) {
            sent = std::move(body_); // the common case: the whole queue is one request
            body_ = core::batch_body();
        } else {
            sent = body_.slice(0, n);
            body_ = body_.slice(n, body_.size());
        }
        send_(std::move(taken), std::move(sent), waiter);
    }
    if (keys_.empty())
        stop_timer();
}

void batch_queue::stop_timer()
{
    if (auto t = std::exchange(timer_, nullptr))
        t->cancel();
}

} // namespace vwo::engine
