#include <vwo/stats.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <numeric>

using namespace std::chrono_literals;
using us = std::chrono::microseconds;

TEST_CASE("latency_histogram: an empty histogram reports zeros", "[stats][latency]")
{
    const vwo::latency_histogram h;
    CHECK(h.count == 0);
    CHECK(h.mean() == 0us);
    CHECK(h.quantile(0.5) == 0us);
    CHECK(h.quantile(1.0) == 0us);
    CHECK(h.max == 0us);
}

TEST_CASE("latency_histogram: bucket edges are inclusive upper bounds", "[stats][latency]")
{
    vwo::latency_histogram h;
    h.record(0us);    // bucket 0 (<= 250 us)
    h.record(250us);  // bucket 0
    h.record(251us);  // bucket 1 (<= 500 us)
    h.record(10ms);   // bucket 5 (<= 10 ms)
    h.record(30s);    // last bounded bucket (<= 30 s)
    h.record(31s);    // overflow
    CHECK(h.counts[0] == 2);
    CHECK(h.counts[1] == 1);
    CHECK(h.counts[5] == 1);
    CHECK(h.counts[vwo::latency_histogram::upper_bounds_us.size() - 1] == 1);
    CHECK(h.counts.back() == 1);
    CHECK(h.count == 6);
    CHECK(std::accumulate(h.counts.begin(), h.counts.end(), std::uint64_t{0}) == h.count);
    CHECK(h.max == 31s);
    CHECK(h.total == 0us + 250us + 251us + 10ms + 30s + 31s);
}

TEST_CASE("latency_histogram: quantiles are the holding bucket's bound, capped by max", "[stats][latency]")
{
    vwo::latency_histogram h;
    for (int i = 0; i < 90; ++i)
        h.record(3ms); // bucket <= 5 ms
    for (int i = 0; i < 9; ++i)
        h.record(40ms); // bucket <= 50 ms
    h.record(150ms);    // bucket <= 200 ms, and the max

    CHECK(h.quantile(0.0) == 5ms); // the first sample's bucket
    CHECK(h.quantile(0.5) == 5ms);
    CHECK(h.quantile(0.90) == 5ms);  // rank 90 is the last 3 ms sample
    CHECK(h.quantile(0.91) == 50ms); // rank 91 is the first 40 ms one
    CHECK(h.quantile(0.99) == 50ms);
    CHECK(h.quantile(1.0) == 150ms); // the bucket says <= 200 ms, max knows better
    CHECK(h.mean() == 7800us); // (90 * 3 ms + 9 * 40 ms + 150 ms) / 100

    SECTION("out-of-range and NaN arguments are clamped, never undefined")
    {
        CHECK(h.quantile(-1.0) == 5ms);
        CHECK(h.quantile(7.0) == 150ms);
        CHECK(h.quantile(std::numeric_limits<double>::quiet_NaN()) == 150ms);
    }
}

TEST_CASE("latency_histogram: the overflow bucket answers with max, a negative sample counts as 0", "[stats][latency]")
{
    vwo::latency_histogram h;
    h.record(45s);
    h.record(-5us);
    CHECK(h.quantile(1.0) == 45s);
    CHECK(h.counts[0] == 1);
    CHECK(h.counts.back() == 1);
    CHECK(h.total == 45s);
}

TEST_CASE("latency_histogram: snapshots subtract bucket by bucket", "[stats][latency]")
{
    vwo::latency_histogram before;
    before.record(1ms);
    vwo::latency_histogram after = before;
    after.record(1ms);
    after.record(80ms);
    std::uint64_t in_interval = 0;
    for (std::size_t i = 0; i < after.counts.size(); ++i)
        in_interval += after.counts[i] - before.counts[i];
    CHECK(in_interval == 2);
    CHECK(after.count - before.count == 2);
    CHECK(after.total - before.total == 81ms);
}
