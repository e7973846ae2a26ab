#pragma once
// A throwaway redis-server on 127.0.0.1 for the tests and the example: Debian's /usr/bin/redis-server on a
// free ephemeral port, no persistence, its files in a temporary directory that is removed at the end.
// Stopped by PID: SIGTERM, then SIGKILL after a deadline. Not part of the installed SDK.
//
// Thread-safety: none; one thread starts, stops and restarts it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace vwo::testing {

class local_redis_server {
public:
    /// Where Debian installs the server. available() is false when it is not there.
    static constexpr const char* default_executable = "/usr/bin/redis-server";
    static bool available();

    /// Starts the server (throws std::runtime_error when it does not answer PING within 10 s).
    /// `password` non-empty: started with --requirepass.
    explicit local_redis_server(std::string password = {});
    ~local_redis_server();
    local_redis_server(const local_redis_server&) = delete;
    local_redis_server& operator=(const local_redis_server&) = delete;

    std::uint16_t port() const { return port_; }
    /// SIGTERM (graceful: true) or SIGKILL at once, and waits for the process to end.
    void stop(bool graceful = true);
    /// Starts it again on the same port (after stop()).
    void restart();
    bool running() const { return pid_ > 0; }

    /// A command through a short-lived synchronous connection (AUTH'd when needed), for checks from the
    /// outside: the reply as text ("(nil)" for nil, "(error) ..." for an error, integers in decimal).
    std::string command(const std::vector<std::string>& argv, int database = 0) const;

private:
    void start();
    bool answers_ping() const;

    std::string password_;
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

/// A free TCP port on 127.0.0.1 (bound to port 0, read back, released). Another process may take it
/// before it is used: callers retry.
std::uint16_t free_local_port();

} // namespace vwo::testing
