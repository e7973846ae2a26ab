// The --rate token bucket, driven by made-up time points: no clock, no sleeping.

#include "rate_limiter.hpp"

#include <catch2/catch.hpp>

#include <vector>

using vwo::cli::rate_limiter;
using namespace std::chrono_literals;

namespace {
const rate_limiter::clock::time_point t0{std::chrono::hours(1)};
}

TEST_CASE("rate limiter: a full bucket lets a burst through, then one event per 1/rate", "[cli][rate]")
{
    rate_limiter limiter(10.0, 3.0);
    CHECK(limiter.acquire(t0) == t0);
    CHECK(limiter.acquire(t0) == t0);
    CHECK(limiter.acquire(t0) == t0);
    CHECK(limiter.acquire(t0) == t0 + 100ms); // bucket empty: the next token in 1/10 s
    CHECK(limiter.acquire(t0) == t0 + 200ms); // booked after the previous one, not on top of it
}

TEST_CASE("rate limiter: a caller that waits as told sends exactly at the rate", "[cli][rate]")
{
    rate_limiter limiter(50.0, 1.0);
    auto now = t0;
    std::vector<rate_limiter::clock::time_point> sends;
    for (int i = 0; i < 101; ++i) {
        now = limiter.acquire(now); // the caller sleeps until then, then sends
        sends.push_back(now);
    }
    CHECK(sends.front() == t0);
    CHECK(sends.back() == t0 + 2s); // 100 intervals of 20 ms
    for (std::size_t i = 1; i < sends.size(); ++i)
        CHECK(sends[i] - sends[i - 1] == 20ms);
}

TEST_CASE("rate limiter: idle time refills the bucket, but never beyond the burst", "[cli][rate]")
{
    rate_limiter limiter(10.0, 2.0);
    CHECK(limiter.acquire(t0) == t0);
    CHECK(limiter.acquire(t0) == t0);
    const auto later = t0 + 1h; // an hour idle earns 2 tokens, not 36,000
    CHECK(limiter.acquire(later) == later);
    CHECK(limiter.acquire(later) == later);
    CHECK(limiter.acquire(later) == later + 100ms);
}

TEST_CASE("rate limiter: a partial refill shortens the wait", "[cli][rate]")
{
    rate_limiter limiter(4.0, 1.0);
    CHECK(limiter.acquire(t0) == t0);
    CHECK(limiter.acquire(t0 + 125ms) == t0 + 250ms); // half a token earned, half a token to wait for
}

TEST_CASE("rate limiter: fractional rates and the default burst", "[cli][rate]")
{
    rate_limiter slow(0.5, rate_limiter::default_burst(0.5));
    CHECK(slow.acquire(t0) == t0);
    CHECK(slow.acquire(t0) == t0 + 2s);
    CHECK(rate_limiter::default_burst(0.5) == 1.0);
    CHECK(rate_limiter::default_burst(1000) == 100.0);
}

TEST_CASE("rate limiter: over any window the count stays within rate x window + burst", "[cli][rate]")
{
    const double rate = 1000;
    rate_limiter limiter(rate, rate_limiter::default_burst(rate));
    auto now = t0;
    std::vector<rate_limiter::clock::time_point> sends;
    for (int i = 0; i < 5000; ++i) {
        // A bursty producer: sometimes late, never early.
        if (i % 97 == 0)
            now += 30ms;
        now = std::max(now, limiter.acquire(now));
        sends.push_back(now);
    }
    for (std::size_t i = 0; i < sends.size(); ++i) {
        std::size_t j = i;
        while (j < sends.size() && sends[j] - sends[i] < 1s)
            ++j;
        CHECK(j - i <= static_cast<std::size_t>(rate + rate_limiter::default_burst(rate)));
        if (j - i > rate + rate_limiter::default_burst(rate))
            break;
    }
}
