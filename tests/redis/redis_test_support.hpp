#pragma once
// Shared by the Redis tests: options pointing at a local server, and waiting for async completions.
#include <local_redis_server.hpp>
#include <vwo/redis_user_storage.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
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

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshakes (the backlog),
// nobody ever reads or answers. What a hung server looks like to a client.
class silent_listener {
public:
    silent_listener()
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 64) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~silent_listener() { ::close(fd_); }
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

} // namespace vwo::test
