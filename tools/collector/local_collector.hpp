// A scriptable HTTP/1.1 (plain or TLS) collector on 127.0.0.1 for tests, benchmarks and the demo.
//
// This header deliberately includes only the standard library: every Asio/Beast/OpenSSL detail lives in
// local_collector.cpp, so test translation units that only drive the collector compile fast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vwo::tools {

// One complete HTTP request as the collector received it.
struct recorded_request {
  std::uint64_t connection_id = 0;  // which accepted connection carried it (1, 2, ... in accept order)
  std::string method;               // "GET", "POST", ...
  std::string target;               // raw request target, e.g. "/server-side/push?sId=..."
  std::string path;                 // target up to (excluding) '?', not decoded: "/server-side/push"
  // Query parameters in order; names and values percent-decoded exactly once ('+' stays '+').
  // A parameter without '=' has an empty value; empty segments ("a=1&&b=2", trailing '&') are skipped.
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values as sent, in order
  std::string body;
  int http_version = 11;            // 10 or 11

  // First parameter with this (decoded) name, if any.
  std::optional<std::string> query_value(std::string_view name) const;
  // First header with this name; `lower_name` must be lower-case.
  std::optional<std::string> header(std::string_view lower_name) const;
};

// How the collector answers one request. The defaults give "HTTP/1.1 200 OK", Content-Type
// application/json, body "{}", keep-alive as the request asks.
struct scripted_response {
  unsigned status = 200;
  std::string body = "{}";
  // Extra or overriding headers, e.g. {"Retry-After", "1"}. A "Content-Type" here replaces the default.
  // A "Content-Length" here is sent as given (no automatic length; lets a test lie about the size);
  // "Transfer-Encoding: chunked" makes the body go out chunked. "Connection: close" acts like close_after.
  // For 1xx, 204 and 304 the body is dropped.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};    // wait before answering (an Asio timer; the io thread stays free)
  bool close_after = false;              // send "Connection: close" and close after the response
  bool never_answer = false;             // record the request, never respond; the socket stays open until the
                                         // client closes it, close_all_connections() or the destructor
  bool reset_connection = false;         // record the request, then close abruptly (RST, SO_LINGER 0)
  std::size_t truncate_after_bytes = 0;  // > 0: write only this many bytes of the serialized response
                                         // (status line + headers + body), then close (FIN, no close_notify)
};

// A TLS protocol version for collector_options' version bounds.
enum class tls_version { openssl_default, tls1_0, tls1_1, tls1_2, tls1_3 };

struct collector_options {
  bool tls = false;
  std::string cert_chain_file;   // PEM, leaf first (used when tls)
  std::string private_key_file;  // PEM (used when tls)
  std::size_t threads = 1;       // io threads (0 is treated as 1)
  // 0 = ephemeral. A fixed port (with SO_REUSEADDR) lets a test "restart" a collector on the port a
  // previous instance used, e.g. to produce stale keep-alive connections in the client's pool.
  std::uint16_t port = 0;
  // Accept TCP connections but never read from them (and never start the TLS handshake): a black hole for
  // handshake / request timeout tests. Connections are counted; nothing is ever recorded.
  bool never_read = false;
  // TLS version bounds of the server (SSL_CTX_set_min/max_proto_version); openssl_default leaves OpenSSL's
  // (and the system openssl.cnf's) choice. E.g. max_tls_version = tls1_1 makes an old server that a
  // client requiring TLS 1.2 must refuse.
  tls_version min_tls_version = tls_version::openssl_default;
  tls_version max_tls_version = tls_version::openssl_default;
  // >= 0: SSL_CTX_set_security_level for the server. OpenSSL 3 refuses TLS 1.0/1.1 (and SHA-1 signatures)
  // above level 0, so a TLS 1.1-only server needs 0. -1 keeps the default.
  int tls_security_level = -1;
};

// A local HTTP/1.1 server on 127.0.0.1 that records every request and answers from a script.
//
// Thread safety: every public member function may be called concurrently from any number of threads,
// except the destructor (which must not race with other calls). close_idle_connections(),
// close_all_connections() and the destructor wait for the io threads, so they must not be called from a
// handler running on the collector's own io thread (there are none exposed, so this only matters for code
// that would call them from a callback of its own).
class local_collector {
public:
  // Binds 127.0.0.1:<options.port> (0 = ephemeral) and listens before returning, then starts its io thread(s).
  // Throws boost::system::system_error (derived from std::runtime_error) if binding fails or, with tls, if
  // the certificate or key cannot be loaded.
  explicit local_collector(collector_options options = {});
  // Stops accepting, closes every socket (also never_answer / never_read ones), waits at most ~2 s for the
  // connections to wind down, then stops and joins the io threads.
  ~local_collector();

  local_collector(const local_collector&) = delete;
  local_collector& operator=(const local_collector&) = delete;

  std::uint16_t port() const noexcept;
  std::string endpoint() const;  // "http://127.0.0.1:<port>" or "https://127.0.0.1:<port>"
  bool is_tls() const noexcept;

  // Used once the queue given to push_responses() is empty.
  void set_default_response(scripted_response r);
  // Appended to the script queue; each request consumes the next one, in arrival order.
  void push_responses(std::vector<scripted_response> rs);
  // Drops scripted responses not consumed yet (the default response is kept).
  void clear_scripted_responses();
  // Every request for exactly this path (no query) gets `r`, before the script queue and the default;
  // e.g. "/server-side/settings" serves settings a test can change or fail at any time. nullopt: removed.
  void set_path_response(std::string path, std::optional<scripted_response> r);
  std::size_t scripted_responses_pending() const;

  std::vector<recorded_request> requests() const;  // snapshot copy, in arrival order
  std::size_t request_count() const;               // number of recorded requests (since the last clear())
  std::size_t connections_accepted() const;        // TCP connections accepted since construction
  std::size_t open_connections() const;            // connections currently open on the collector's side
  std::size_t tls_handshake_failures() const;      // failed server-side TLS handshakes since construction
  std::string last_tls_handshake_error() const;    // message of the last failure ("" if none)

  // Block (condition variable, no polling) until the count reaches n or the timeout passes;
  // return whether it was reached.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const;
  bool wait_for_tls_handshake_failures(std::size_t n, std::chrono::milliseconds timeout) const;
  // Until open_connections() <= n.
  bool wait_for_open_connections_at_most(std::size_t n, std::chrono::milliseconds timeout) const;

  // Server-initiated close (plain FIN, like a server's keep-alive timeout) of every connection that is
  // waiting for its next request (or its first). A connection whose response is still being written is
  // closed right after the write completes (the response is never cut). Connections waiting out a delay,
  // parked by never_answer, handshaking or never_read are left alone. Returns once the closed
  // connections' sessions have ended (bounded wait of ~5 s). Returns how many were closed.
  std::size_t close_idle_connections();
  // Closes every open connection, whatever its state; with reset = true by RST (SO_LINGER 0).
  // Returns once they are closed (bounded wait). Returns how many were closed.
  std::size_t close_all_connections(bool reset = false);

  void clear();  // forget recorded requests (counters of connections and handshake failures are kept)

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vwo::tools
