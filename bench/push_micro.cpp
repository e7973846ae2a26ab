// Google Benchmark: the mean cost of the calls users make on their own threads, and of the pure
// request-building steps the SDK thread runs per event (to see where delivery time goes).
// Tails (p99, p99.9) come from `vwo_bench caller`, which times every call.
//
//   VWO_BENCH_ENDPOINT=http://127.0.0.1:PORT vwo_bench_micro [--benchmark_filter=...]
// Without VWO_BENCH_ENDPOINT an embedded loopback collector in this process answers.

#include "bench_support.hpp"

#include "core/request_builder.hpp"
#include "core/uuid.hpp"
#include "core/validation.hpp"

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

namespace {

using namespace std::chrono_literals;

// One client per configuration, shared by the benchmark threads (as a server shares one client).
struct shared_client {
    std::unique_ptr<vwo::tools::local_collector> collector;
    std::unique_ptr<vwo::client> client;

    explicit shared_client(bool promise)
    {
        vwo::client_options options;
        options.settings_file = vwo::bench::settings_json;
        if (const char* endpoint = std::getenv("VWO_BENCH_ENDPOINT")) {
            options.endpoint = endpoint;
        } else {
            collector = std::make_unique<vwo::tools::local_collector>();
            options.endpoint = collector->endpoint();
        }
        options.return_promise_for.push = promise;
        options.max_queue_events = 1u << 22;
        options.max_queue_bytes = std::size_t(1) << 33;
        options.logging.logger = [](vwo::log_level, std::string_view) {};
        client = std::make_unique<vwo::client>(vwo::launch(options));
    }

    /// Lets the SDK catch up so the queue never fills: the figure is the cost of an accepted push.
    void drain(benchmark::State& state)
    {
        state.PauseTiming();
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto s = client->stats();
            if (s.queued + s.in_flight < 1000)
                break;
            std::this_thread::sleep_for(1ms);
        }
        state.ResumeTiming();
    }
};

shared_client& immediate_client()
{
    static shared_client c(false);
    return c;
}

shared_client& promise_client()
{
    static shared_client c(true);
    return c;
}

std::vector<std::string> make_ids(int thread)
{
    std::vector<std::string> ids;
    for (int i = 0; i < 4096; ++i)
        ids.push_back(vwo::bench::user_id(static_cast<std::size_t>(thread), static_cast<std::size_t>(i)));
    return ids;
}

void push_one_key(benchmark::State& state)
{
    auto& c = immediate_client();
    const auto ids = make_ids(state.thread_index());
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(c.client->push("plan", "premium", ids[i++ & 4095]).get());
        if ((i & 0xFFFF) == 0)
            c.drain(state);
    }
}
BENCHMARK(push_one_key)->Threads(1)->Threads(2)->UseRealTime();

void push_three_keys(benchmark::State& state)
{
    auto& c = immediate_client();
    const auto ids = make_ids(state.thread_index());
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            c.client->push({{"plan", "premium"}, {"region", "eu-west"}, {"cohort", "2026-11"}}, ids[i++ & 4095]).get());
        if ((i & 0x3FFF) == 0)
            c.drain(state);
    }
}
BENCHMARK(push_three_keys)->Threads(1)->Threads(2)->UseRealTime();

void push_promise_mode(benchmark::State& state)
{
    auto& c = promise_client();
    const auto ids = make_ids(state.thread_index());
    std::size_t i = 0;
    for (auto _ : state) {
        auto future = c.client->push("plan", "premium", ids[i++ & 4095]).to_future();
        benchmark::DoNotOptimize(future);
        if ((i & 0xFFFF) == 0)
            c.drain(state);
    }
}
BENCHMARK(push_promise_mode)->Threads(1)->UseRealTime();

// --- what the SDK thread does per event -------------------------------------------------------

const vwo::core::request_context& context()
{
    static const vwo::core::request_context ctx("", "123456", "abcdef0123456789abcdef0123456789", "vwo-cpp-sdk",
                                                "0.1.0", {});
    return ctx;
}

// Named as before the check became core::check_push, so figures compare across versions.
void validate_push(benchmark::State& state)
{
    vwo::core::dimensions dims{{"plan", "premium"}};
    for (auto _ : state)
        benchmark::DoNotOptimize(vwo::core::check_push(dims, "user-0-1234"));
}
BENCHMARK(validate_push);

void build_push_get(benchmark::State& state)
{
    const vwo::core::dimension dim{"plan", "premium"};
    const auto now = std::chrono::system_clock::now();
    for (auto _ : state)
        benchmark::DoNotOptimize(vwo::core::build_push_get(context(), dim, "user-0-1234", now, 0.123456789));
}
BENCHMARK(build_push_get);

void build_batch_event(benchmark::State& state)
{
    const vwo::core::dimension dim{"plan", "premium"};
    const auto now = std::chrono::system_clock::now();
    for (auto _ : state)
        benchmark::DoNotOptimize(vwo::core::build_batch_event(context(), dim, "user-0-1234", now));
}
BENCHMARK(build_batch_event);

void visitor_uuid(benchmark::State& state)
{
    for (auto _ : state)
        benchmark::DoNotOptimize(context().uuids("user-0-1234"));
}
BENCHMARK(visitor_uuid);

} // namespace

BENCHMARK_MAIN();
