#pragma once
// A hostile HTTP/1.1 peer on 127.0.0.1 for the bounded-read tests (docs/reliability.md "Limits"): it
// reads each request (header section and Content-Length body), then writes whatever bytes the test's
// script returns, valid HTTP or not, and can trickle a repeated piece without end (an endless chunk
// extension, header or trailer) until the client closes the connection or a byte cap is reached.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vwo::test {

/// What the server writes for one request.
struct raw_reply {
    std::string bytes;             ///< written once, right after the request was read
    std::string repeat;            ///< then written again and again, while the client reads ...
    std::size_t repeat_limit = 0;  ///< ... until this many bytes of it went out (0 with a repeat: 1 GiB)
    bool close_after = false;      ///< close the connection after writing
    std::chrono::milliseconds repeat_interval{0}; ///< pause before each repeat: a peer that trickles
};

/// Thread-safety: the script runs on the server's connection threads (one per connection, so it must
/// be thread-safe if connections overlap); every public member may be called from any thread. The
/// destructor shuts every connection down and joins the threads (bounded: sockets are shut down).
class raw_http_server {
public:
    using script = std::function<raw_reply(std::size_t request_index, const std::string& request)>;

    explicit raw_http_server(script s);
    ~raw_http_server();
    raw_http_server(const raw_http_server&) = delete;
    raw_http_server& operator=(const raw_http_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::size_t requests() const noexcept { return requests_.load(); }
    std::size_t connections() const noexcept { return connections_.load(); }
    std::size_t bytes_written() const noexcept { return bytes_written_.load(); }
    /// The raw requests read so far (header section and body), in order.
    std::vector<std::string> raw_requests() const;

private:
    void accept_loop();
    void serve(int fd);
    bool write_all(int fd, const std::string& bytes);

    script script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> requests_{0};
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> bytes_written_{0};
    mutable std::mutex mutex_;
    std::vector<int> open_fds_;
    std::vector<std::string> raw_requests_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

/// Resident set size of this process in bytes (/proc/self/statm), for memory-growth bounds.
std::size_t resident_bytes();

} // namespace vwo::test
