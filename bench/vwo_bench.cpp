// The benchmark driver behind bench/run_comparison.sh. Each run prints one JSON line.
//
//   vwo_bench caller     --endpoint URL [--ca FILE] [--keys 1|3] [--threads N] [--rate R] [--events N] [--promise]
//       Caller cost: the time of each push() call on the calling thread, per call (percentiles).
//       --rate R paces each thread at R calls/s (0 = back to back); --events N calls per thread;
//       --warmup runs the same calls once untimed first; --down: the collector refuses connections
//       (default queue bounds, so most calls meet a full queue).
//   vwo_bench throughput --endpoint URL [--ca FILE] [--events N] [--batch K] [--connections C] [--window W]
//                        [--collector NAME]   (a label for the report: nginx, own)
//       Delivered events/s: N single-key pushes, at most W undelivered at a time, until the collector
//       answered all of them (immediate mode; --batch K: batch events of K per request). Also the
//       process CPU time per delivered event (the collector runs in another process).
//   vwo_bench memory     [--events N] [--state inbox|batch|outage]
//       Heap bytes per pending single-key push beyond its own strings (malloc's in-use count):
//       inbox  = accepted, not yet picked up by the SDK thread (its executor is not running);
//       batch  = waiting in the batch-events queue (N < 5000, one request's worth);
//       outage = built requests waiting to retry against a collector that refuses connections.

#include "bench_support.hpp"

#include <vwo/vwo.hpp>

#include <boost/asio/io_context.hpp>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct arguments {
    std::map<std::string, std::string> values;

    arguments(int argc, char** argv)
    {
        for (int i = 2; i < argc; ++i) {
            if (std::strncmp(argv[i], "--", 2) != 0)
                throw std::invalid_argument(std::string("unexpected argument ") + argv[i]);
            const std::string name(argv[i] + 2);
            const bool has_value = i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0;
            values.emplace(name, std::string_view(has_value ? argv[++i] : "1"));
        }
    }
    std::string text(const std::string& name, std::string fallback = "") const
    {
        auto it = values.find(name);
        return it == values.end() ? fallback : it->second;
    }
    long long number(const std::string& name, long long fallback) const
    {
        auto it = values.find(name);
        return it == values.end() ? fallback : std::stoll(it->second);
    }
    bool flag(const std::string& name) const { return values.count(name) != 0; }
};

vwo::client_options base_options(const arguments& args)
{
    vwo::client_options options;
    options.settings_file = vwo::bench::settings_json;
    options.endpoint = args.text("endpoint", "http://127.0.0.1:1");
    options.tls.ca_file = args.text("ca");
    options.logging.level = vwo::log_level::error;
    options.logging.logger = [](vwo::log_level, std::string_view) {}; // a benchmark measures, it does not log
    return options;
}

std::vector<std::string> user_ids(std::size_t count, std::size_t thread)
{
    std::vector<std::string> ids;
    ids.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        ids.push_back(vwo::bench::user_id(thread, i));
    return ids;
}

std::string stats_json(const vwo::client_stats& s)
{
    return "\"accepted\":" + std::to_string(s.accepted) + ",\"delivered\":" + std::to_string(s.delivered) +
           ",\"failed\":" + std::to_string(s.failed()) + ",\"dropped\":" + std::to_string(s.dropped()) +
           ",\"requests\":" + std::to_string(s.requests_sent) + ",\"retries\":" + std::to_string(s.retries);
}

/// What reading the clock twice costs, so caller-cost figures can be read against it.
double clock_overhead_ns()
{
    std::vector<std::uint32_t> samples(200000);
    for (auto& s : samples) {
        const auto t0 = steady::now();
        const auto t1 = steady::now();
        s = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
    return vwo::bench::percentiles::of(std::move(samples)).p50;
}

int run_caller(const arguments& args)
{
    auto options = base_options(args);
    const bool promise = args.flag("promise");
    options.return_promise_for.push = promise;
    const bool down = args.flag("down");
    if (!down) {
        // Room for every call: the figure is the cost of an accepted push, not of a refusal.
        options.max_queue_events = 1u << 22;
        options.max_queue_bytes = std::size_t(1) << 33;
    }
    const auto keys = args.number("keys", 1);
    const auto threads = static_cast<std::size_t>(args.number("threads", 1));
    const auto rate = args.number("rate", 0);
    const auto events = static_cast<std::size_t>(args.number("events", 100000));

    vwo::client client = vwo::launch(options);
    if (args.flag("warmup")) {
        // One untimed round of the same calls first, so the timed round reuses warm heap pages
        // instead of measuring the kernel's first-touch page faults.
        for (std::size_t i = 0; i < events; ++i)
            (void)client.push("plan", "premium", vwo::bench::user_id(99, i)).get();
        const auto deadline = steady::now() + 60s;
        for (auto s = client.stats(); s.queued + s.in_flight > 0 && steady::now() < deadline; s = client.stats())
            std::this_thread::sleep_for(1ms);
    }
    const long faults_before = vwo::bench::minor_faults();
    std::vector<std::vector<std::uint32_t>> samples(threads);
    std::vector<std::thread> producers;
    std::atomic<std::size_t> accepted{0};
    for (std::size_t t = 0; t < threads; ++t) {
        producers.emplace_back([&, t] {
            const auto ids = user_ids(events, t);
            auto& mine = samples[t];
            mine.resize(events);
            std::vector<vwo::api_result<bool>> results;
            if (promise)
                results.reserve(events);
            const auto interval = rate > 0 ? std::chrono::nanoseconds(1'000'000'000LL / rate) : 0ns;
            auto next = steady::now();
            std::size_t ok = 0;
            for (std::size_t i = 0; i < events; ++i) {
                if (rate > 0) {
                    next += interval;
                    std::this_thread::sleep_until(next); // pacing the load, not synchronising
                }
                const auto t0 = steady::now();
                auto result = keys == 1 ? client.push("plan", "premium", ids[i])
                                        : client.push({{"plan", "premium"}, {"region", "eu-west"}, {"cohort", "2026-11"}},
                                                      ids[i]);
                const auto t1 = steady::now();
                mine[i] = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
                if (promise)
                    results.push_back(std::move(result));
                else if (result.get())
                    ++ok;
            }
            for (auto& r : results)
                ok += r.get() ? 1 : 0;
            accepted += ok;
        });
    }
    for (auto& p : producers)
        p.join();
    const double faults_per_call = static_cast<double>(vwo::bench::minor_faults() - faults_before) /
                                   static_cast<double>(events * threads);
    client.shutdown(std::chrono::seconds(down ? 1 : 60));
    std::vector<std::uint32_t> all;
    for (auto& s : samples)
        all.insert(all.end(), s.begin(), s.end());
    const auto p = vwo::bench::percentiles::of(std::move(all));
    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"caller\",\"keys\":%lld,\"threads\":%zu,\"rate\":%lld,"
                "\"promise\":%s,\"down\":%s,\"warmup\":%s,\"true_results\":%zu,\"minor_faults_per_call\":%.3f,"
                "\"clock_overhead_ns\":%.0f,\"caller_ns\":%s,%s}\n",
                keys, threads, rate, promise ? "true" : "false", down ? "true" : "false",
                args.flag("warmup") ? "true" : "false", accepted.load(), faults_per_call,
                clock_overhead_ns(), p.to_json().c_str(), stats_json(client.stats()).c_str());
    return 0;
}

int run_throughput(const arguments& args)
{
    auto options = base_options(args);
    const auto events = static_cast<std::uint64_t>(args.number("events", 200000));
    const auto batch = args.number("batch", 0);
    const auto window = static_cast<std::uint64_t>(args.number("window", batch > 0 ? 200000 : 10000));
    options.max_connections = static_cast<std::size_t>(args.number("connections", 2));
    options.max_queue_events = window;
    options.max_queue_bytes = std::size_t(1) << 33;
    if (batch > 0)
        options.batch_events = vwo::batch_events_options{static_cast<std::size_t>(batch), std::chrono::seconds(600), {}};
    const auto ids = user_ids(events, 0);

    vwo::client client = vwo::launch(options);
    const auto cpu0 = vwo::bench::process_cpu_time();
    const auto t0 = steady::now();
    std::uint64_t refused = 0;
    for (std::uint64_t i = 0; i < events; ++i) {
        if ((i & 255) == 0) {
            // Keep at most `window` undelivered, without spinning on a core the SDK needs: the
            // window holds far more than 2 ms of deliveries, so 2 ms naps never starve the SDK,
            // and they wake this thread rarely enough not to steal CPU from it.
            for (;;) {
                const auto s = client.stats();
                if (s.accepted - s.delivered - s.failed() - s.dropped() + 256 <= window)
                    break;
                std::this_thread::sleep_for(2ms);
            }
        }
        if (!client.push("plan", "premium", ids[i]).get())
            ++refused;
    }
    client.shutdown(std::chrono::seconds(120)); // sends what is queued and waits for every answer
    const auto seconds = std::chrono::duration<double>(steady::now() - t0).count();
    const auto cpu = vwo::bench::process_cpu_time() - cpu0;
    const auto s = client.stats();
    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"%s\",\"endpoint\":\"%s\",\"collector\":\"%s\","
                "\"events\":%llu,\"batch\":%lld,"
                "\"connections\":%zu,\"refused\":%llu,\"seconds\":%.4f,\"events_per_s\":%.0f,"
                "\"cpu_us_per_event\":%.3f,%s}\n",
                batch > 0 ? "batch_throughput" : "throughput", options.endpoint.c_str(),
                args.text("collector", "nginx").c_str(),
                static_cast<unsigned long long>(events), batch, options.max_connections,
                static_cast<unsigned long long>(refused), seconds, static_cast<double>(s.delivered) / seconds,
                static_cast<double>(cpu.count()) / static_cast<double>(std::max<std::uint64_t>(s.delivered, 1)),
                stats_json(s).c_str());
    return s.delivered == events ? 0 : 3;
}

std::size_t heap_in_use()
{
    malloc_trim(0);
    return mallinfo2().uordblks;
}

int run_memory(const arguments& args)
{
    const std::string state = args.text("state", "inbox");
    const auto events = static_cast<std::size_t>(args.number("events", state == "batch" ? 4999 : 100000));
    auto options = base_options(args);
    options.max_queue_events = events + 1;
    options.max_queue_bytes = std::size_t(1) << 33;
    // The SDK runs on this thread's io_context, driven step by step below, so each state is
    // measured exactly when every event has reached it.
    boost::asio::io_context sdk_context(1);
    options.executor = sdk_context.get_executor();
    if (state == "batch")
        options.batch_events = vwo::batch_events_options{5000, std::chrono::seconds(600), {}};
    if (state == "outage") {
        options.endpoint = "http://127.0.0.1:1"; // refuses connections at once
        options.retry.base_delay = 600s;         // every request then waits for its retry
        options.retry.max_delay = 600s;
    }
    const auto ids = user_ids(events, 0);
    std::size_t string_bytes = 0;
    for (const auto& id : ids)
        string_bytes += id.size() + std::strlen("plan") + std::strlen("premium");

    std::optional<vwo::client> client(vwo::launch(options));
    client->push("warm", "up", "user-warm-up").get(); // first-use allocations are not per event
    auto run_until = [&](auto done) {
        const auto deadline = steady::now() + 60s;
        while (!done(client->stats()) && steady::now() < deadline)
            sdk_context.run_for(5ms);
    };
    if (state == "batch")
        sdk_context.poll();
    if (state == "outage")
        run_until([&](const vwo::client_stats& s) { return s.retries == 1; });
    const std::size_t before = heap_in_use();
    for (const auto& id : ids)
        client->push("plan", "premium", id).get();
    if (state == "batch")
        sdk_context.poll(); // the inbox moves into the batch queue
    if (state == "outage")
        run_until([&](const vwo::client_stats& s) { return s.retries >= events + 1; });
    const std::size_t after = heap_in_use();
    const double per_event = (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(events);
    const double strings = static_cast<double>(string_bytes) / static_cast<double>(events);
    const auto s = client->stats();
    std::thread runner([&] { sdk_context.run_for(10s); });
    client->shutdown(0ms);
    client.reset();
    runner.join();
    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"memory\",\"state\":\"%s\",\"events\":%zu,"
                "\"heap_bytes_per_event\":%.1f,\"string_bytes_per_event\":%.1f,\"beyond_strings\":%.1f,%s}\n",
                state.c_str(), events, per_event, strings, per_event - strings, stats_json(s).c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: vwo_bench caller|throughput|memory [--options]\n");
        return 2;
    }
    try {
        const arguments args(argc, argv);
        const std::string mode = argv[1];
        if (mode == "caller")
            return run_caller(args);
        if (mode == "throughput")
            return run_throughput(args);
        if (mode == "memory")
            return run_memory(args);
        std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vwo_bench: %s\n", e.what());
        return 2;
    }
}
