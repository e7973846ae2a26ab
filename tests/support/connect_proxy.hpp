// A loopback HTTP proxy for the proxy tests (R11): CONNECT tunnels and absolute-form forwarding.
//
// Standard library only in this header; Asio and Beast live in connect_proxy.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vwo::test {

struct connect_proxy_options {
    /// Set: every request must carry "Proxy-Authorization: Basic base64(user:password)" with exactly
    /// these; anything else is answered 407 with "Proxy-Authenticate: Basic realm=\"vwo-test\"".
    std::optional<std::pair<std::string, std::string>> credentials;
    /// Non-zero: answer every request (after the credential check) with this status instead of
    /// serving it, e.g. 403 (destination not allowed) or 502 (upstream unreachable). For CONNECT the
    /// connection is closed after the answer.
    unsigned refuse_status = 0;
};

/// One request the proxy received, in arrival order.
struct proxy_record {
    std::uint64_t connection_id = 0;  ///< which accepted client connection (1, 2, ...)
    std::string method;               ///< "CONNECT", "GET", "POST", ...
    std::string target;               ///< as sent: "127.0.0.1:8443" or "http://127.0.0.1:8080/path?q"
    std::optional<std::string> host;  ///< the Host header
    std::optional<std::string> proxy_authorization;
    unsigned status = 0;              ///< what the client got: 200 for an opened tunnel, 407, the origin's status, ...

    std::string line() const { return method + " " + target; } ///< "CONNECT 127.0.0.1:8443"
};

/// An HTTP proxy on 127.0.0.1 (ephemeral port) with one io thread of its own. CONNECT opens a
/// tunnel and relays bytes both ways until either side closes; an absolute-form request
/// ("GET http://host:port/path") is forwarded in origin form (Proxy-Authorization and
/// Proxy-Connection removed) over a keep-alive upstream connection, and the answer relayed. Only
/// loopback destinations (127.0.0.1, ::1, localhost) are served, never anything else (403), so no
/// test can reach the internet through it.
///
/// Thread safety: every member function may be called from any thread, except the destructor (which
/// closes every connection, waits at most ~2 s for the sessions to end, and joins the thread).
class connect_proxy {
public:
    explicit connect_proxy(connect_proxy_options options = {});
    ~connect_proxy();
    connect_proxy(const connect_proxy&) = delete;
    connect_proxy& operator=(const connect_proxy&) = delete;

    std::uint16_t port() const noexcept;
    /// "http://127.0.0.1:<port>"
    std::string url() const;
    /// "http://<user>:<password>@127.0.0.1:<port>" (the parts inserted as given: encode them yourself)
    std::string url_with(const std::string& user, const std::string& password) const;

    std::vector<proxy_record> requests() const;  ///< snapshot, in arrival order
    std::vector<std::string> lines() const;      ///< requests()[i].line()
    std::size_t request_count() const;
    std::size_t connections_accepted() const;    ///< TCP connections from clients
    std::size_t tunnels_opened() const;          ///< CONNECTs answered 200
    std::size_t open_tunnels() const;            ///< tunnels whose relay is still running

    /// Block (condition variable, no polling) until the count reaches n or the timeout passes.
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;
    bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vwo::test
