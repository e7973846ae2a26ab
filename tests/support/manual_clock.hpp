#pragma once

// A clock for engine tests: time moves only when the test calls advance(), and the waits that come
// due then complete through the engine's executor in the order they are due.

#include "engine/clock.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <map>
#include <memory>
#include <utility>

namespace vwo::test {

/// The time the test controls, shared by the test and the clock it hands the engine.
/// Thread-safety: the test thread only (it also runs the io_context).
struct manual_time {
    struct wait_state {
        // Constructed in place: any_completion_handler's assignment recurses in Boost 1.81.
        explicit wait_state(engine::clock::wait_handler h) : handler(std::move(h)) {}
        engine::clock::wait_handler handler;
        bool done = false;
    };

    boost::asio::any_io_executor executor;
    engine::clock::time_point now{std::chrono::hours(1)};
    std::multimap<engine::clock::time_point, std::shared_ptr<wait_state>> waits;

    /// Moves time on by `d`; every wait due by then completes (posted; run them with poll()).
    void advance(engine::clock::duration d)
    {
        now += d;
        while (!waits.empty() && waits.begin()->first <= now) {
            auto w = waits.begin()->second;
            waits.erase(waits.begin());
            complete(*w, {});
        }
    }
    /// Waits not yet due and not cancelled.
    std::size_t pending() const
    {
        std::size_t n = 0;
        for (const auto& [due, w] : waits)
            n += w->done ? 0 : 1;
        return n;
    }
    /// When the earliest pending wait is due, relative to now.
    engine::clock::duration next_due() const
    {
        for (const auto& [due, w] : waits)
            if (!w->done)
                return due - now;
        return engine::clock::duration::max();
    }
    void complete(wait_state& w, boost::system::error_code ec)
    {
        if (std::exchange(w.done, true))
            return;
        boost::asio::post(executor, [h = std::move(w.handler), ec]() mutable { std::move(h)(ec); });
    }
};

/// Thread-safety: as engine::clock.
class manual_clock final : public engine::clock {
public:
    manual_clock(boost::asio::any_io_executor executor, std::shared_ptr<manual_time> time) : time_(std::move(time))
    {
        time_->executor = std::move(executor);
    }

    time_point now() const override { return time_->now; }

    std::shared_ptr<timer> wait(duration delay, wait_handler handler) override
    {
        auto w = std::make_shared<manual_time::wait_state>(std::move(handler));
        time_->waits.emplace(time_->now + delay, w);
        return std::make_shared<cancel_handle>(time_, w);
    }

private:
    struct cancel_handle final : timer {
        cancel_handle(std::shared_ptr<manual_time> t, std::shared_ptr<manual_time::wait_state> w)
            : time(std::move(t)), wait(std::move(w))
        {
        }
        void cancel() override { time->complete(*wait, boost::asio::error::operation_aborted); }
        std::shared_ptr<manual_time> time;
        std::shared_ptr<manual_time::wait_state> wait;
    };

    std::shared_ptr<manual_time> time_;
};

} // namespace vwo::test
