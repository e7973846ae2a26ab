// Reliability R3 under concurrency: 8 producer threads push at once against a healthy collector;
// every accepted event reaches the collector exactly once, in immediate and in batch mode.

#include "stress_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using namespace vwo::test;
using namespace vwo::stress;
using vwo::tools::local_collector;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr int producers = 8;

std::string value_of(int thread, std::size_t i)
{
    return "p" + std::to_string(thread) + "-" + std::to_string(i);
}

// Runs `producers` threads, each pushing `per_thread` unique values with key "c"; returns how
// many pushes returned true. All threads start together to maximise contention.
std::size_t push_concurrently(vwo::client& client, std::size_t per_thread)
{
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::size_t> accepted(producers, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < producers; ++t)
        threads.emplace_back([&, t] {
            ready.fetch_add(1);
            while (!go.load())
                std::this_thread::yield();
            for (std::size_t i = 0; i < per_thread; ++i)
                if (client.push("c", value_of(t, i), "user-" + std::to_string((i * producers + t) % 251)).get())
                    ++accepted[t];
        });
    while (ready.load() < producers)
        std::this_thread::yield();
    go.store(true);
    for (auto& th : threads)
        th.join();
    std::size_t sum = 0;
    for (auto a : accepted)
        sum += a;
    return sum;
}

struct tally {
    std::size_t events = 0;   // events seen at the collector (duplicates included)
    std::size_t distinct = 0; // distinct expected values
    std::size_t duplicates = 0;
    std::size_t unexpected = 0; // values we never pushed
};

tally count_values(const std::vector<std::string>& seen, std::size_t per_thread)
{
    std::unordered_map<std::string, int> counts;
    counts.reserve(seen.size());
    for (const auto& v : seen)
        ++counts[v];
    tally t;
    t.events = seen.size();
    for (int p = 0; p < producers; ++p)
        for (std::size_t i = 0; i < per_thread; ++i) {
            const auto it = counts.find(value_of(p, i));
            if (it == counts.end())
                continue;
            ++t.distinct;
            t.duplicates += static_cast<std::size_t>(it->second - 1);
            counts.erase(it);
        }
    for (const auto& [v, n] : counts)
        t.unexpected += static_cast<std::size_t>(n);
    return t;
}

vwo::client_options stress_options(const local_collector& collector, log_counter& logs)
{
    vwo::client_options o;
    o.proxy.use_environment = false; // loopback only, whatever the machine exports
    o.settings_file = settings_json();
    o.endpoint = collector.endpoint();
    o.logging.logger = logs.callback();
    o.logging.level = vwo::log_level::warn;
    o.retry.base_delay = 5ms;
    o.retry.max_delay = 50ms;
    o.retry.max_retries = 5;
    o.retry.max_elapsed_time = std::chrono::milliseconds(0); // the count alone
    o.timeouts.request = 10s;
    // Room for everything: this test is about loss and duplication, not the R4 caps.
    o.max_queue_events = 1'000'000;
    o.max_queue_bytes = 512u * 1024 * 1024;
    return o;
}

} // namespace

TEST_CASE("R3 8 producer threads in immediate mode: every event delivered exactly once", "[stress][concurrency]")
{
    const std::size_t per_thread = scaled(2000, 200);
    const std::size_t total = per_thread * producers;
    local_collector collector;
    log_counter logs;
    auto client = vwo::launch(stress_options(collector, logs));

    const auto start = steady::now();
    const std::size_t accepted = push_concurrently(client, per_thread);
    const auto pushed = steady::now();
    REQUIRE(accepted == total);

    client.shutdown(120s); // a healthy collector: shutdown delivers everything before returning
    const auto done = steady::now();

    const auto s = client.stats();
    std::vector<std::string> seen;
    std::size_t other_paths = 0;
    for (const auto& r : collector.requests()) {
        if (r.path != "/server-side/push") {
            ++other_paths;
            continue;
        }
        const auto tags = json_of(r.query_value("tags").value_or("{}"));
        if (tags.contains("u") && tags["u"].contains("c"))
            seen.push_back(tags["u"]["c"].get<std::string>());
    }
    const auto t = count_values(seen, per_thread);
    std::printf("[stress] immediate mode: %zu events from %d threads, push phase %.0f ms, until shutdown "
                "returned %.0f ms, %zu requests, %zu connections\n",
                total, producers, std::chrono::duration<double, std::milli>(pushed - start).count(),
                std::chrono::duration<double, std::milli>(done - start).count(), collector.request_count(),
                collector.connections_accepted());
    INFO("events at collector " << t.events << ", distinct " << t.distinct << ", duplicates " << t.duplicates
                                << ", unexpected " << t.unexpected);
    CHECK(other_paths == 0);
    CHECK(t.distinct == total);
    CHECK(t.duplicates == 0);
    CHECK(t.unexpected == 0);
    CHECK(t.events == total);
    CHECK(s.accepted == total);
    CHECK(s.delivered == total);
    CHECK(s.failed() == 0);
    CHECK(s.dropped() == 0);
    CHECK(s.queued == 0);
    CHECK(s.in_flight == 0);
    CHECK(s.requests_sent == total + s.retries);
    CHECK(accounting_holds(s));
}

TEST_CASE("R3 8 producer threads in batch mode (100 per request): every event delivered exactly once",
          "[stress][concurrency][batch]")
{
    const std::size_t per_thread = scaled(2000, 200);
    const std::size_t total = per_thread * producers;
    local_collector collector;
    log_counter logs;
    auto opts = stress_options(collector, logs);
    opts.batch_events = vwo::batch_events_options{};
    opts.batch_events->events_per_request = 100;
    opts.batch_events->request_time_interval = std::chrono::seconds(600); // only size and shutdown flush
    auto client = vwo::launch(opts);

    const auto start = steady::now();
    const std::size_t accepted = push_concurrently(client, per_thread);
    const auto pushed = steady::now();
    REQUIRE(accepted == total);

    client.shutdown(120s); // flushes the partial batch, waits for every acknowledgement
    const auto done = steady::now();

    const auto s = client.stats();
    std::vector<std::string> seen;
    std::size_t other_paths = 0, oversized = 0, malformed = 0;
    const auto rs = collector.requests();
    for (const auto& r : rs) {
        if (r.path != "/server-side/batch-events") {
            ++other_paths;
            continue;
        }
        const auto body = json_of(r.body);
        const auto& ev = body.at("ev");
        if (ev.size() > 100)
            ++oversized;
        for (const auto& e : ev) {
            // "t" is encodeURIComponent({"u":{"c":value}}): decode it as the collector would.
            const auto t = json_of(percent_decode(e.at("t").get<std::string>()));
            if (t.contains("u") && t["u"].contains("c"))
                seen.push_back(t["u"]["c"].get<std::string>());
            else
                ++malformed;
        }
    }
    const auto t = count_values(seen, per_thread);
    std::printf("[stress] batch mode: %zu events from %d threads, push phase %.0f ms, until shutdown returned "
                "%.0f ms, %zu requests\n",
                total, producers, std::chrono::duration<double, std::milli>(pushed - start).count(),
                std::chrono::duration<double, std::milli>(done - start).count(), rs.size());
    INFO("events at collector " << t.events << ", distinct " << t.distinct << ", duplicates " << t.duplicates
                                << ", unexpected " << t.unexpected);
    CHECK(other_paths == 0);
    CHECK(oversized == 0);
    CHECK(malformed == 0);
    CHECK(t.distinct == total);
    CHECK(t.duplicates == 0);
    CHECK(t.unexpected == 0);
    CHECK(t.events == total);
    // Full batches of 100 plus at most one partial batch flushed by shutdown.
    CHECK(rs.size() >= total / 100);
    CHECK(rs.size() <= total / 100 + 1);
    CHECK(s.accepted == total);
    CHECK(s.delivered == total);
    CHECK(s.failed() == 0);
    CHECK(s.dropped() == 0);
    CHECK(s.queued == 0);
    CHECK(s.in_flight == 0);
    CHECK(accounting_holds(s));
}
