#include "engine/clock.hpp"

#include <boost/asio/steady_timer.hpp>

namespace vwo::engine {

namespace {

class steady_timer_wait final : public clock::timer {
public:
    explicit steady_timer_wait(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
    void cancel() override { timer_.cancel(); }
    boost::asio::steady_timer timer_;
};

/// Thread-safety: as engine::clock (strand only).
class steady_clock final : public clock {
public:
    explicit steady_clock(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    time_point now() const override { return std::chrono::steady_clock::now(); }

    std::shared_ptr<timer> wait(duration delay, wait_handler handler) override
    {
        auto t = std::make_shared<steady_timer_wait>(executor_);
        t->timer_.expires_after(delay);
        // The handler owns the timer until it runs, so a wait nobody keeps still fires.
        t->timer_.async_wait([t, h = std::move(handler)](boost::system::error_code ec) mutable {
            std::move(h)(ec);
        });
        return t;
    }

private:
    boost::asio::any_io_executor executor_;
};

} // namespace

std::unique_ptr<clock> make_steady_clock(boost::asio::any_io_executor executor)
{
    return std::make_unique<steady_clock>(std::move(executor));
}

} // namespace vwo::engine
