// Reliability R13: what an operator sees. Request latencies in client_stats, and an outage that is
// logged as one line per cause with an exact count of the repeats, not one line per attempt.

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <numeric>
#include <set>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;
using namespace std::chrono_literals;

namespace {

std::vector<std::future<vwo::push_result>> push_many(vwo::client& client, int n)
{
    std::vector<std::future<vwo::push_result>> futures;
    for (int i = 0; i < n; ++i)
        futures.push_back(client.async_push("plan", "gold", "user-" + std::to_string(i),
                                            boost::asio::use_future([](boost::system::error_code, vwo::push_result r) {
                                                return r;
                                            })));
    return futures;
}

/// Lines at `level` that start with `message`: written once ("message") or as a count of
/// suppressed copies ("message (repeated N times)"). Returns {lines, occurrences they stand for};
/// fails the test on any other line starting with the same words.
std::pair<std::uint64_t, std::uint64_t> occurrences(const log_capture& logs, vwo::log_level level,
                                                    const std::string& message)
{
    std::uint64_t lines = 0, total = 0;
    for (const auto& [l, m] : logs.lines()) {
        if (l != level || m.rfind(message.substr(0, 24), 0) != 0)
            continue;
        ++lines;
        if (m == message) {
            ++total;
            continue;
        }
        const std::string prefix = message + " (repeated ";
        INFO(m);
        REQUIRE(m.rfind(prefix, 0) == 0); // the same cause always reads the same
        total += std::stoull(m.substr(prefix.size()));
    }
    return {lines, total};
}

} // namespace

TEST_CASE_METHOD(collector_fixture,
                 "R13 every request attempt's latency is recorded; a 40 ms answer is never counted faster",
                 "[observability][latency]")
{
    scripted_response slow;
    slow.delay = 40ms;
    collector.set_default_response(slow);
    launch();

    auto futures = push_many(client, 4);
    for (auto& f : futures) {
        REQUIRE(ready_within(f));
        CHECK(f.get().ok());
    }
    client.shutdown(3s);

    const auto s = client.stats();
    const auto& h = s.request_latency;
    CHECK(s.delivered == 4);
    CHECK(h.count == s.attempts);
    CHECK(h.count >= 4);
    CHECK(std::accumulate(h.counts.begin(), h.counts.end(), std::uint64_t{0}) == h.count);
    for (std::size_t i = 0; i < h.counts.size() - 1; ++i)
        if (vwo::latency_histogram::upper_bounds_us[i] < 40'000)
            CHECK(h.counts[i] == 0); // nothing below the collector's delay
    CHECK(h.max >= 40ms);
    CHECK(h.quantile(0.0) >= 40ms);
    CHECK(h.total >= h.count * 40ms);
    CHECK(h.mean() >= 40ms);
}

TEST_CASE("R13 request latency counts failed attempts too (connection refused)", "[observability][latency]")
{
    log_capture logs;
    auto opts = options_at("http://127.0.0.1:" + std::to_string(free_port()), logs);
    opts.retry.max_retries = 1;
    auto client = vwo::launch(opts);

    auto futures = push_many(client, 1);
    REQUIRE(ready_within(futures[0]));
    CHECK_FALSE(futures[0].get().ok());
    const auto s = client.stats();
    CHECK(s.attempts == 2);
    CHECK(s.requests_sent == 0); // refused: nothing was written
    CHECK(s.request_latency.count == 2);
}

TEST_CASE_METHOD(collector_fixture,
                 "R13 an outage is one log line per cause and a count of repeats, not a line per attempt",
                 "[observability][logging]")
{
    scripted_response unavailable;
    unavailable.status = 503;
    collector.set_default_response(unavailable);
    opts.retry.max_retries = 3;
    launch();

    constexpr int events = 10;
    auto futures = push_many(client, events);
    for (auto& f : futures) {
        REQUIRE(ready_within(f));
        CHECK_FALSE(f.get().ok());
    }
    client.shutdown(3s); // ends with the logger's pending "(repeated N times)" lines
    const auto s = client.stats();
    REQUIRE(s.retries == events * 3);
    REQUIRE(s.failed_retries_exhausted == events);

    // Every occurrence is accounted for exactly, as a line or inside a count.
    const auto [retry_lines, retry_total] =
        occurrences(logs, vwo::log_level::warn, "delivery attempt failed (HTTP 503); retrying with backoff");
    CHECK(retry_total == s.retries);
    const auto [failure_lines, failure_total] =
        occurrences(logs, vwo::log_level::error, "delivery failed for good (retries exhausted): HTTP 503");
    CHECK(failure_total == s.failed_retries_exhausted);
    // The repeat window is 1 s: fewer lines than occurrences unless this test ran for ~30 s.
    CHECK(retry_lines < retry_total);
    CHECK(failure_lines < failure_total);
    // The per-attempt detail is still there for whoever turns debug on.
    CHECK(logs.contains(vwo::log_level::debug, "retry 3 of a request carrying 1 event(s) in "));
}
