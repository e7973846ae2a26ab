#pragma once

// The --rate limit as a token bucket whose only input is the time passed in, so the arithmetic is
// unit-tested with made-up time points and the pusher just waits until the time it is given.

#include <chrono>
#include <optional>

namespace vwo::cli {

/// A token bucket: `rate` tokens per second accumulate up to `burst`; each event takes one. Tokens
/// may go negative: acquire() books the token at once and answers when it becomes available, so
/// callers that wait until that time never exceed the rate, and never wait for one another.
///
/// Thread-safety: none; one thread (the pusher's reading loop) owns it.
class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    /// `events_per_second` > 0. `burst` >= 1 (tokens the bucket holds; it starts full).
    rate_limiter(double events_per_second, double burst);

    /// The burst used by vwo-push for a given rate: a tenth of a second's worth (at least one
    /// event), which keeps any one-second window within 10 % of the rate while a short stall in
    /// the reading loop does not lower the average.
    static double default_burst(double events_per_second) noexcept;

    /// Takes one token at `now` (never earlier than the previous call's `now`); returns when the
    /// event may be sent: `now` itself while tokens last, later once the bucket is empty.
    clock::time_point acquire(clock::time_point now);

private:
    double rate_;
    double burst_;
    double tokens_;
    std::optional<clock::time_point> last_;
};

} // namespace vwo::cli
