#pragma once

// Helpers shared by the stress tests: the size scale, a logger that only counts, and process
// resource probes (/proc/self/fd, /proc/self/task, /proc/self/statm). Linux only.

#include "../integration/fixtures.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace vwo::stress {

/// VWO_STRESS_SCALE: a positive number multiplying every loop count (default 1.0). Sanitizer
/// jobs set e.g. 0.1. Anything unparsable or not positive means 1.0.
inline double scale()
{
    static const double value = [] {
        const char* text = std::getenv("VWO_STRESS_SCALE");
        if (text == nullptr || *text == '\0')
            return 1.0;
        char* end = nullptr;
        const double v = std::strtod(text, &end);
        if (end == text || !std::isfinite(v) || v <= 0.0)
            return 1.0;
        return v;
    }();
    return value;
}

/// `n` at scale 1, scaled, but never below `minimum` (the smallest size that still tests something).
inline std::size_t scaled(std::size_t n, std::size_t minimum)
{
    const auto v = static_cast<std::size_t>(std::llround(static_cast<double>(n) * scale()));
    return std::max(v, minimum);
}

/// True in an AddressSanitizer build (GCC defines __SANITIZE_ADDRESS__; Clang has __has_feature).
inline constexpr bool address_sanitizer =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

/// True in a ThreadSanitizer build: its allocator and shadow memory keep what they map, so
/// resident-memory figures say nothing about the SDK there either.
inline constexpr bool thread_sanitizer =
#if defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

/// Resident-memory bounds are asserted only without a sanitizer runtime.
inline constexpr bool rss_is_meaningful = !address_sanitizer && !thread_sanitizer;

/// A logger that only counts lines per level: storing millions of retry warnings (as
/// log_capture would) would itself distort memory and time measurements.
class log_counter {
public:
    vwo::log_callback callback()
    {
        return [this](vwo::log_level level, std::string_view) {
            const auto i = static_cast<std::size_t>(level);
            if (i < counts_.size())
                counts_[i].fetch_add(1, std::memory_order_relaxed);
        };
    }
    std::uint64_t count(vwo::log_level level) const
    {
        const auto i = static_cast<std::size_t>(level);
        return i < counts_.size() ? counts_[i].load(std::memory_order_relaxed) : 0;
    }

private:
    std::array<std::atomic<std::uint64_t>, 8> counts_{};
};

inline std::size_t count_entries(const char* dir)
{
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++n;
    return n;
}

/// Open file descriptors of this process (the directory iterator's own fd is counted every
/// time, so differences are exact).
inline std::size_t open_fds() { return count_entries("/proc/self/fd"); }
/// Threads of this process.
inline std::size_t thread_count() { return count_entries("/proc/self/task"); }

/// Resident set size in bytes (/proc/self/statm: resident pages × page size).
inline std::uint64_t rss_bytes()
{
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

inline double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
inline double mib(std::int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

using vwo::test::free_port; // a loopback port nothing listens on

} // namespace vwo::stress
