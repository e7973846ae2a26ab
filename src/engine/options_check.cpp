#include "engine/options_check.hpp"

#include <vwo/error.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace vwo::engine {

core::outcome<void> check_options(const client_options& o)
{
    const auto refuse = [](std::string why) -> core::outcome<void> {
        return core::fail(errc::invalid_options, std::move(why));
    };
    if (o.batch_events) {
        const auto& b = *o.batch_events;
        if (b.events_per_request < 1 || b.events_per_request > 5000)
            return refuse("batch_events.events_per_request must be in 1..5000, got " +
                          std::to_string(b.events_per_request));
        if (b.request_time_interval < std::chrono::seconds(1))
            return refuse("batch_events.request_time_interval must be at least 1 s, got " +
                          std::to_string(b.request_time_interval.count()) + " s");
    }
    if (o.max_connections < 1 || o.max_connections > 64)
        return refuse("max_connections must be in 1..64, got " + std::to_string(o.max_connections));
    if (o.max_queue_events < 1)
        return refuse("max_queue_events must be at least 1");
    if (o.max_queue_bytes < 1024)
        return refuse("max_queue_bytes must be at least 1024");
    const auto& t = o.timeouts;
    if (t.resolve.count() <= 0 || t.connect.count() <= 0 || t.tls_handshake.count() <= 0 || t.request.count() <= 0)
        return refuse("every timeouts.* deadline must be positive");
    if (o.retry.base_delay.count() < 0 || o.retry.max_delay < o.retry.base_delay)
        return refuse("retry.base_delay must be >= 0 and retry.max_delay >= retry.base_delay");
    if (o.retry.max_elapsed_time.count() < 0)
        return refuse("retry.max_elapsed_time must be >= 0 (0: the retry count alone)");
    if (o.shutdown_timeout.count() < 0)
        return refuse("shutdown_timeout must be >= 0");
    if (o.poll_interval.count() < 0 || (o.poll_interval.count() > 0 && o.poll_interval < std::chrono::seconds(1)))
        return refuse("poll_interval must be 0 (no polling) or at least 1000 ms, got " +
                      std::to_string(o.poll_interval.count()) + " ms");
    // Both reach a URL and account_id a log line: checked, never quoted (the key is a secret).
    const auto digits = [](std::string_view s) {
        return s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!o.account_id.empty() && !digits(o.account_id))
        return refuse("account_id must be the account's number (up to 20 digits)");
    const auto printable = [](std::string_view s) {
        return s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
    };
    if (o.user_storage && o.async_user_storage)
        return refuse("set user_storage or async_user_storage, not both");
    if (o.storage_deadline.count() <= 0)
        return refuse("storage_deadline must be positive");
    if (!printable(o.sdk_key))
        return refuse("sdk_key must be up to 256 printable ASCII characters without spaces");
    return {};
}

} // namespace vwo::engine
