#include <vwo/stats.hpp>

#include <algorithm>
#include <cmath>

namespace vwo {

void latency_histogram::record(std::chrono::microseconds sample) noexcept
{
    sample = std::max(sample, std::chrono::microseconds{0}); // a clock never runs back, but be safe
    const auto bucket = std::lower_bound(upper_bounds_us.begin(), upper_bounds_us.end(), sample.count());
    ++counts[static_cast<std::size_t>(bucket - upper_bounds_us.begin())];
    ++count;
    total += sample;
    max = std::max(max, sample);
}

std::chrono::microseconds latency_histogram::mean() const noexcept
{
    return count == 0 ? std::chrono::microseconds{0} : total / static_cast<std::chrono::microseconds::rep>(count);
}

std::chrono::microseconds latency_histogram::quantile(double q) const noexcept
{
    if (count == 0)
        return std::chrono::microseconds{0};
    q = std::isnan(q) ? 1.0 : std::clamp(q, 0.0, 1.0);
    // The rank of the sample that is the q-quantile, 1-based: at least the first sample.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < upper_bounds_us.size(); ++i) {
        seen += counts[i];
        if (seen >= rank)
            return std::min(std::chrono::microseconds{upper_bounds_us[i]}, max);
    }
    return max; // in the overflow bucket: nothing better than the largest sample
}

} // namespace vwo
