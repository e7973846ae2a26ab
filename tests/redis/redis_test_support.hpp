#pragma once
// Shared by the Redis tests: options pointing at a local server, and waiting for async completions.
#include <local_redis_server.hpp>
#include <vwo/redis_user_storage.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <iostream>
#include <mutex>

namespace vwo::test {

// Each test starts with this: without Debian's redis-server there is nothing to test against.
#define VWO_REQUIRE_REDIS_SERVER()                                                                                 \
    do {                                                                                                           \
        if (!vwo::testing::local_redis_server::available()) {                                                      \
            std::cout << "redis-server not installed: skipped (Debian package redis-server)\n";                    \
            return;                                                                                                \
        }                                                                                                          \
    } while (false)

inline redis_user_storage_options options_for(const vwo::testing::local_redis_server& server)
{
    redis_user_storage_options options;
    options.port = server.port();
    options.connect_deadline = std::chrono::milliseconds(2000);
    options.command_deadline = std::chrono::milliseconds(2000);
    return options;
}

/// Counts completions; wait_for(n) waits (bounded) until n arrived.
class completion_counter {
public:
    void add()
    {
        std::lock_guard lock(mutex_);
        ++count_;
        changed_.notify_all();
    }
    bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(30))
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return count_ >= n; });
    }
    std::size_t count()
    {
        std::lock_guard lock(mutex_);
        return count_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t count_ = 0;
};

inline user_storage_record record_of(std::string user, std::string campaign, std::string variation)
{
    user_storage_record r;
    r.user_id = std::move(user);
    r.campaign_key = std::move(campaign);
    r.variation_name = std::move(variation);
    return r;
}

} // namespace vwo::test
