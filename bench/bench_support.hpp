#pragma once

// Small pieces shared by the benchmark programs: the settings file they launch with, latency
// percentiles, process CPU time and minor page faults (getrusage).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace vwo::bench {

/// The account the benchmarks launch with; the same as tests/node_compat/settings/legacy.json,
/// so the official Node SDK is driven with identical settings.
inline const std::string settings_json =
    R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";

/// "user-<thread>-<i>": distinct ids of realistic length (snprintf: g++ 12 -O3 warns falsely on
/// chained std::string concatenation).
inline std::string user_id(std::size_t thread, std::size_t i)
{
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "user-%zu-%zu", thread, i);
    return buffer;
}

/// Percentiles of a set of per-call durations in nanoseconds (nearest rank).
/// Thread-safety: a value type; not shared.
struct percentiles {
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
    std::size_t count = 0;

    static percentiles of(std::vector<std::uint32_t> samples)
    {
        percentiles p;
        p.count = samples.size();
        if (samples.empty())
            return p;
        std::sort(samples.begin(), samples.end());
        auto rank = [&](double q) {
            const auto i = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
            return static_cast<double>(samples[std::min(i, samples.size() - 1)]);
        };
        p.p50 = rank(0.50);
        p.p90 = rank(0.90);
        p.p99 = rank(0.99);
        p.p999 = rank(0.999);
        p.max = static_cast<double>(samples.back());
        double sum = 0;
        for (auto s : samples)
            sum += s;
        p.mean = sum / static_cast<double>(samples.size());
        return p;
    }

    std::string to_json() const
    {
        char buffer[256];
        std::snprintf(buffer, sizeof buffer,
                      R"({"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f,"mean":%.1f,"count":%zu})", p50, p90,
                      p99, p999, max, mean, count);
        return buffer;
    }
};

/// User + system CPU time of the whole process.
inline std::chrono::microseconds process_cpu_time()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto us = [](const timeval& t) { return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec); };
    return std::chrono::duration_cast<std::chrono::microseconds>(us(usage.ru_utime) + us(usage.ru_stime));
}

/// Minor page faults of the whole process so far (first touches of newly mapped memory).
inline long minor_faults()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

} // namespace vwo::bench
