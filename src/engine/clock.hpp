#pragma once

// The engine's time: what time it is, and "call me back after a delay". The real clock is the
// steady clock with Asio timers on the engine's strand; tests replace it with a manual clock
// (tests/support/manual_clock.hpp) and so drive retries, batch intervals and shutdown
// deadlines without sleeping.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>

namespace vwo::engine {

/// Thread-safety: used from the engine's strand only; handlers run there.
class clock {
public:
    using time_point = std::chrono::steady_clock::time_point;
    using duration = std::chrono::steady_clock::duration;
    using wait_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    /// A started wait. cancel() completes it with operation_aborted unless it already fired.
    class timer {
    public:
        virtual ~timer() = default;
        virtual void cancel() = 0;
    };

    virtual ~clock() = default;
    virtual time_point now() const = 0;
    /// Calls `handler` (never inside this call) once `delay` has passed: with an empty error, or with
    /// operation_aborted when cancelled first.
    virtual std::shared_ptr<timer> wait(duration delay, wait_handler handler) = 0;
};

/// std::chrono::steady_clock and steady_timers on `executor` (the engine's strand).
std::unique_ptr<clock> make_steady_clock(boost::asio::any_io_executor executor);

} // namespace vwo::engine
