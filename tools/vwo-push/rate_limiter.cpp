#include "rate_limiter.hpp"

#include <algorithm>

namespace vwo::cli {

rate_limiter::rate_limiter(double events_per_second, double burst)
    : rate_(events_per_second), burst_(std::max(1.0, burst)), tokens_(burst_)
{
}

double rate_limiter::default_burst(double events_per_second) noexcept
{
    return std::max(1.0, events_per_second / 10.0);
}

rate_limiter::clock::time_point rate_limiter::acquire(clock::time_point now)
{
    if (last_ && now > *last_) {
        const double elapsed = std::chrono::duration<double>(now - *last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    }
    if (!last_ || now > *last_)
        last_ = now;
    tokens_ -= 1.0;
    if (tokens_ >= 0.0)
        return now;
    // The debt is paid off at `rate_`; rounding up keeps the wait from ever being a hair short.
    const auto wait = std::chrono::duration<double>(-tokens_ / rate_);
    return *last_ + std::chrono::ceil<clock::duration>(wait);
}

} // namespace vwo::cli
