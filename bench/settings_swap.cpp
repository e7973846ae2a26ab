// What a settings swap costs a caller (docs/benchmarks.md, "Decisions during settings swaps"): the
// per-call latency of get_variation_name on a realistic account, first in steady state, then while
// another thread swaps the settings every 10 ms (update_settings_file, alternating two versions of the
// account whose weights differ). Each call is timed on its own; percentiles by nearest rank.
//
//   vwo_bench_swap [--calls N] [--campaigns C] [--swap-every-ms M]
//
// Prints one JSON line. No network: get_variation_name sends nothing, and the client runs in
// development mode so nothing could be sent anyway.

#include "bench_support.hpp"

#include <vwo/vwo.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// An account of `campaigns` running A/B campaigns with three variations each; `version` changes the
/// weights, so two versions decide differently and the swap is real.
std::string account(int campaigns, int version)
{
    const int w1 = version == 1 ? 34 : 50, w2 = version == 1 ? 33 : 25, w3 = 100 - w1 - w2;
    std::string s = R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":)" +
                    std::to_string(version) + R"(,"campaigns":[)";
    for (int c = 0; c < campaigns; ++c) {
        if (c)
            s += ',';
        const std::string id = std::to_string(100 + c);
        s += R"({"id":)" + id + R"(,"key":"CAMPAIGN_)" + std::to_string(c) +
             R"(","type":"VISUAL_AB","status":"RUNNING","percentTraffic":90,"segments":{},)"
             R"("goals":[{"id":1,"identifier":"purchase","type":"REVENUE_TRACKING"}],"variations":[)"
             R"({"id":1,"name":"Control","weight":)" + std::to_string(w1) + R"(,"segments":{}},)"
             R"({"id":2,"name":"Variation-1","weight":)" + std::to_string(w2) + R"(,"segments":{}},)"
             R"({"id":3,"name":"Variation-2","weight":)" + std::to_string(w3) + R"(,"segments":{}}]})";
    }
    return s + "]}";
}

long long arg(int argc, char** argv, const char* name, long long fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return std::atoll(argv[i + 1]);
    return fallback;
}

struct phase {
    vwo::bench::percentiles latency;
    std::size_t swaps = 0;
    double swap_mean_us = 0;
};

/// `calls` decisions on this thread, each timed; with `swap_every` > 0 another thread swaps meanwhile.
phase measure(vwo::client& client, std::size_t calls, std::chrono::milliseconds swap_every, const std::string& a,
              const std::string& b)
{
    std::atomic<bool> done{false};
    std::size_t swaps = 0;
    std::chrono::nanoseconds swapping{0};
    std::thread swapper;
    if (swap_every.count() > 0) {
        swapper = std::thread([&] {
            while (!done.load(std::memory_order_relaxed)) {
                const auto start = std::chrono::steady_clock::now();
                if (client.update_settings_file(swaps % 2 ? a : b))
                    std::abort(); // both versions are valid: a refusal is a bug, not a figure
                swapping += std::chrono::steady_clock::now() - start;
                ++swaps;
                std::this_thread::sleep_for(swap_every);
            }
        });
    }
    std::vector<std::uint32_t> samples;
    samples.reserve(calls);
    std::size_t decided = 0;
    for (std::size_t i = 0; i < calls; ++i) {
        const std::string user = vwo::bench::user_id(0, i);
        const std::string campaign = "CAMPAIGN_" + std::to_string(i % 20);
        const auto start = std::chrono::steady_clock::now();
        decided += client.get_variation_name(campaign, user).get().has_value();
        const auto took = std::chrono::steady_clock::now() - start;
        samples.push_back(static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
    }
    done = true;
    if (swapper.joinable())
        swapper.join();
    if (decided == 0)
        std::abort(); // 90 % traffic: most calls decide
    phase p;
    p.latency = vwo::bench::percentiles::of(std::move(samples));
    p.swaps = swaps;
    p.swap_mean_us = swaps ? std::chrono::duration<double, std::micro>(swapping).count() / static_cast<double>(swaps) : 0;
    return p;
}

} // namespace

int main(int argc, char** argv)
{
    const auto calls = static_cast<std::size_t>(arg(argc, argv, "--calls", 2'000'000));
    const int campaigns = static_cast<int>(arg(argc, argv, "--campaigns", 20));
    const auto swap_every = std::chrono::milliseconds(arg(argc, argv, "--swap-every-ms", 10));
    const std::string a = account(campaigns, 1), b = account(campaigns, 2);

    vwo::client_options options;
    options.settings_file = a;
    options.development_mode = true;
    options.logging.level = vwo::log_level::error;
    vwo::client client = vwo::launch(options);

    measure(client, calls / 10, std::chrono::milliseconds(0), a, b); // warm-up
    const phase steady = measure(client, calls, std::chrono::milliseconds(0), a, b);
    const phase swapping = measure(client, calls, swap_every, a, b);
    client.shutdown();

    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"settings_swap\",\"campaigns\":%d,\"settings_bytes\":%zu,"
                "\"swap_every_ms\":%lld,\"steady_ns\":%s,\"swapping_ns\":%s,\"swaps\":%zu,\"swap_mean_us\":%.1f,"
                "\"p99_ratio\":%.2f}\n",
                campaigns, a.size(), static_cast<long long>(swap_every.count()), steady.latency.to_json().c_str(),
                swapping.latency.to_json().c_str(), swapping.swaps, swapping.swap_mean_us,
                steady.latency.p99 > 0 ? swapping.latency.p99 / steady.latency.p99 : 0.0);
    return 0;
}
