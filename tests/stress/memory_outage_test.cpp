// Reliability R4: during an outage (connection refused) memory stays bounded by max_queue_bytes
// plus a constant, overflow is refused at once and counted, and after recovery everything
// accepted is delivered exactly once and RSS returns near its baseline.
//
// Measured with /proc/self/statm (resident pages × page size), sampled every 2 ms by a thread
// started before the baseline. The numbers are printed so the CI log shows them.
//
// Bounds (documented in docs/reliability.md terms):
//   peak  - baseline <= max_queue_bytes + 32 MiB   (allocator slack, per-request objects the byte
//                                                   accounting does not see, thread stacks)
//   peak after 3 s of outage - peak after 1 s <= 8 MiB   (retrying does not keep accumulating memory;
//                                                          measured: +1.5..+4 MiB per extra second early on, flattening)
//   after - baseline <= 16 MiB                      (after recovery and malloc_trim(0); includes the
//                                                   restarted collector's own thread and buffers)
// Not asserted under AddressSanitizer (quarantine and shadow memory make RSS meaningless there);
// the numbers are still printed.

#include "stress_support.hpp"

#include <catch2/catch.hpp>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace vwo::test;
using namespace vwo::stress;
using vwo::tools::collector_options;
using vwo::tools::local_collector;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t peak_slack = 32 * MiB;
constexpr std::uint64_t after_margin = 16 * MiB;
constexpr std::size_t value_size = 200;
constexpr std::size_t index_digits = 8;

// 200 bytes, unreserved characters only (no percent-encoding on the wire): 8-digit index + filler.
std::string value_of(std::size_t i)
{
    std::string v = std::to_string(i);
    v.insert(0, index_digits - v.size(), '0');
    v.resize(value_size, 'x');
    return v;
}

// Tracks the maximum RSS while running.
class rss_sampler {
public:
    rss_sampler()
        : thread_([this] {
              while (!stop_.load()) {
                  const auto r = rss_bytes();
                  auto m = max_.load();
                  while (r > m && !max_.compare_exchange_weak(m, r)) {
                  }
                  std::this_thread::sleep_for(2ms);
              }
          })
    {
    }
    ~rss_sampler()
    {
        stop_.store(true);
        thread_.join();
    }
    void reset() { max_.store(rss_bytes()); }
    std::uint64_t max() const { return max_.load(); }

private:
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> max_{0};
    std::thread thread_;
};

} // namespace

TEST_CASE("R4 an outage with connection refused: memory stays bounded by max_queue_bytes and returns after recovery",
          "[stress][memory][outage]")
{
    // 8 MiB at scale 1; smaller in scaled-down (sanitizer) runs, never below 1 MiB.
    const std::uint64_t cap =
        std::clamp<std::uint64_t>(static_cast<std::uint64_t>(8.0 * static_cast<double>(MiB) * scale()), MiB, 8 * MiB);
    // What one event counts against the cap (docs/reliability.md R4): key + value + user id + 128.
    const std::uint64_t event_cost = 3 + value_size + 10 + 128;
    // Push far beyond the cap: at least 4× what fits.
    const std::size_t pushes = scaled(200'000, static_cast<std::size_t>(4 * cap / event_cost));

    const std::uint16_t port = free_port();
    log_counter logs;
    vwo::client_options opts;
    opts.proxy.use_environment = false; // loopback only, whatever the machine exports
    opts.settings_file = settings_json();
    opts.endpoint = "http://127.0.0.1:" + std::to_string(port);
    opts.logging.logger = logs.callback();
    opts.logging.level = vwo::log_level::error; // retry warnings are built but not delivered to us
    opts.retry.max_retries = 100'000;            // never exhausted during the outage
    opts.retry.base_delay = 100ms;
    opts.retry.max_delay = 2s; // bounds how long after recovery the last retry comes
    opts.timeouts.request = 10s;
    opts.shutdown_timeout = 10s;
    opts.max_queue_events = 1'000'000;
    opts.max_queue_bytes = cap;

    rss_sampler sampler;
    auto client = vwo::launch(opts);
    malloc_trim(0);
    std::this_thread::sleep_for(50ms);
    const std::uint64_t baseline = rss_bytes();
    sampler.reset();

    // Outage: nothing listens on `port`.
    std::vector<std::uint8_t> accepted(pushes, 0);
    std::size_t accepted_count = 0, refused_count = 0;
    steady::duration slowest_push{0};
    const auto push_start = steady::now();
    for (std::size_t i = 0; i < pushes; ++i) {
        const auto before = steady::now();
        const bool ok = client.push("mem", value_of(i), "user-" + std::to_string(10000 + i % 89999)).get();
        slowest_push = std::max(slowest_push, steady::now() - before);
        accepted[i] = ok ? 1 : 0;
        (ok ? accepted_count : refused_count)++;
    }
    const auto push_time = steady::now() - push_start;
    // Stay down a while: retries keep failing, memory must not keep growing.
    std::this_thread::sleep_for(1s);
    const std::uint64_t peak_1s = std::max(sampler.max(), rss_bytes());
    std::this_thread::sleep_for(2s);
    const std::uint64_t peak = std::max(sampler.max(), rss_bytes());
    const auto during = client.stats();

    // Recovery: a collector comes up on the same port.
    collector_options back;
    back.port = port;
    local_collector collector(back);
    const auto recovery_start = steady::now();
    bool drained = false;
    while (steady::now() - recovery_start < 120s) {
        const auto s = client.stats();
        if (s.queued + s.in_flight == 0) {
            drained = true;
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    const auto recovery_time = steady::now() - recovery_start;

    // What arrived, compacted to one counter per index; then the collector forgets its records
    // so they do not count against the process after recovery.
    std::vector<std::uint8_t> arrived(pushes, 0);
    std::size_t unexpected = 0;
    {
        const auto rs = collector.requests();
        for (const auto& r : rs) {
            const auto tags = json_of(r.query_value("tags").value_or("{}"));
            if (!tags.contains("u") || !tags["u"].contains("mem")) {
                ++unexpected;
                continue;
            }
            const auto v = tags["u"]["mem"].get<std::string>();
            const std::size_t i = std::stoul(v.substr(0, index_digits));
            if (i < pushes && v == value_of(i))
                arrived[i] = static_cast<std::uint8_t>(std::min(arrived[i] + 1, 255));
            else
                ++unexpected;
        }
    }
    collector.clear();
    malloc_trim(0);
    std::this_thread::sleep_for(100ms);
    const std::uint64_t after = rss_bytes();

    std::size_t lost = 0, duplicated = 0, delivered_though_refused = 0;
    for (std::size_t i = 0; i < pushes; ++i) {
        if (accepted[i] && arrived[i] == 0)
            ++lost;
        if (arrived[i] > 1)
            ++duplicated;
        if (!accepted[i] && arrived[i] != 0)
            ++delivered_though_refused;
    }

    const auto s = client.stats();
    const auto peak_delta = static_cast<std::int64_t>(peak) - static_cast<std::int64_t>(baseline);
    const auto after_delta = static_cast<std::int64_t>(after) - static_cast<std::int64_t>(baseline);
    std::printf("[stress] R4 outage: cap %.1f MiB, %zu pushes of %zu-byte values in %.0f ms (slowest push %.2f ms): "
                "%zu accepted, %zu refused; during outage: queued %llu, in flight %llu, retries %llu, "
                "requests %llu; error log lines %llu\n",
                mib(cap), pushes, value_size, std::chrono::duration<double, std::milli>(push_time).count(),
                std::chrono::duration<double, std::milli>(slowest_push).count(), accepted_count, refused_count,
                static_cast<unsigned long long>(during.queued), static_cast<unsigned long long>(during.in_flight),
                static_cast<unsigned long long>(during.retries), static_cast<unsigned long long>(during.requests_sent),
                static_cast<unsigned long long>(logs.count(vwo::log_level::error)));
    std::printf("[stress] R4 RSS: baseline %.1f MiB, peak %.1f MiB (+%.1f MiB; bound cap + %.0f MiB = +%.1f MiB), "
                "after recovery %.1f MiB (%+.1f MiB; bound +%.0f MiB)%s; peak 1 s into the outage %.1f MiB; "
                "recovery took %.0f ms\n",
                mib(baseline), mib(peak), mib(peak_delta), mib(peak_slack), mib(cap + peak_slack), mib(after),
                mib(after_delta), mib(after_margin), !rss_is_meaningful ? " [sanitizer build: not asserted]" : "", mib(peak_1s),
                std::chrono::duration<double, std::milli>(recovery_time).count());

    // Accounting and admission.
    CHECK(refused_count > 0);
    CHECK(during.delivered == 0);
    CHECK(during.dropped_queue_full == refused_count);
    CHECK(during.queued + during.in_flight == accepted_count);
    CHECK(accounting_holds(during));
    // Logged rarely: one line per second at most (plus slack), not one per refusal.
    CHECK(logs.count(vwo::log_level::error) <= 2 + static_cast<std::uint64_t>(
                                                       std::chrono::duration<double>(push_time).count() + 3));

    // Recovery: everything accepted arrives exactly once.
    REQUIRE(drained);
    CHECK(s.accepted == pushes);
    CHECK(s.dropped_queue_full == refused_count);
    CHECK(s.delivered == accepted_count);
    CHECK(s.failed() == 0);
    CHECK(s.dropped_shutdown == 0);
    CHECK(accounting_holds(s));
    CHECK(lost == 0);
    CHECK(duplicated == 0);
    CHECK(delivered_though_refused == 0);
    CHECK(unexpected == 0);

    // Memory.
    if (!rss_is_meaningful) {
        WARN("sanitizer build: RSS bounds not asserted (baseline " << mib(baseline) << " MiB, peak "
                                                                          << mib(peak) << " MiB, after "
                                                                          << mib(after) << " MiB)");
    } else {
        INFO("peak - baseline = " << mib(peak_delta) << " MiB, bound " << mib(cap + peak_slack) << " MiB");
        CHECK(peak_delta <= static_cast<std::int64_t>(cap + peak_slack));
        // Retrying for two more seconds in the outage allocates nothing that stays (retry timers are
        // replaced, not accumulated).
        INFO("peak after 3 s of outage " << mib(peak) << " MiB, after 1 s " << mib(peak_1s) << " MiB");
        CHECK(peak - peak_1s <= 8 * MiB);
        INFO("after - baseline = " << mib(after_delta) << " MiB, bound " << mib(after_margin) << " MiB");
        CHECK(after_delta <= static_cast<std::int64_t>(after_margin));
    }

    client.shutdown(10s);
}
