#pragma once

// Batch mode's queue (docs/protocol.md#batch-mode-batch_events): events wait here, rendered straight into the
// next batch-events body, until events_per_request of them are queued, request_time_interval has passed
// since the first, or flush_events() / opt-out / shutdown asks for them.

#include "core/batch_body.hpp"
#include "engine/clock.hpp"
#include "engine/operation.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace vwo::engine {

/// Thread-safety: the SDK thread (the engine's strand) only.
class batch_queue {
public:
    /// Receives each batch taken from the queue: its keys, its body, and the flush that asked for it (if any).
    using sink = std::function<void(std::vector<carried_key>, core::batch_body, std::shared_ptr<flush_waiter>)>;

    /// `owner` is kept alive while the interval timer runs (the timer's handler touches this queue).
    batch_queue(std::size_t events_per_request, clock::duration interval, clock& time, sink send,
                std::weak_ptr<void> owner)
        : per_request_(events_per_request), interval_(interval), clock_(time), send_(std::move(send)),
          owner_(std::move(owner))
    {
    }

    /// Queues one event; `render(std::string&)` appends its JSON to the body. A full batch goes at once;
    /// the first event of a batch starts the interval.
    template <class Render>
    void add(carried_key key, Render&& render)
    {
        keys_.push_back(std::move(key));
        body_.append_event(std::forward<Render>(render));
        after_add();
    }

    /// Sends full batches, and with `all` the last partial one too; `waiter` counts each request.
    void flush(bool all, const std::shared_ptr<flush_waiter>& waiter);
    bool empty() const noexcept { return keys_.empty(); }
    /// Stops the interval timer (shutdown).
    void stop_timer();

private:
    void after_add();

    const std::size_t per_request_;
    const clock::duration interval_;
    clock& clock_;
    sink send_;
    std::weak_ptr<void> owner_;
    std::vector<carried_key> keys_;
    core::batch_body body_; ///< the events of keys_, rendered as the next request's body
    std::shared_ptr<clock::timer> timer_; ///< set while the interval runs
};

} // namespace vwo::engine
