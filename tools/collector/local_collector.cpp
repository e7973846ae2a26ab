// The only translation unit of the collector that includes Asio, Beast and OpenSSL.
#include "local_collector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <type_traits>

namespace vwo::tools {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using tls_stream = asio::ssl::stream<tcp::socket>;
using socket_base_ref = tcp::socket::lowest_layer_type&;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t max_body_bytes = 64ULL * 1024 * 1024;
constexpr std::uint32_t max_header_bytes = 1024 * 1024;
constexpr auto graceful_close_deadline = std::chrono::seconds(1);
constexpr auto destructor_wait = std::chrono::seconds(2);
constexpr auto close_wait = std::chrono::seconds(5);

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes once; '+' is kept; malformed escapes are kept literally.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view part = q.substr(0, amp);
    q = (amp == std::string_view::npos) ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(part), std::string{});
    } else {
      out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
    }
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : static_cast<char>(ch);
  });
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

recorded_request make_record(std::uint64_t connection_id, http::request<http::string_body>&& req) {
  recorded_request r;
  r.connection_id = connection_id;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  const std::string_view target = req.target();
  const auto qpos = target.find('?');
  r.path = std::string(target.substr(0, qpos));
  if (qpos != std::string_view::npos) r.query = parse_query(target.substr(qpos + 1));
  for (const auto& field : req) {
    r.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
  }
  r.http_version = static_cast<int>(req.version());
  r.body = std::move(req.body());
  return r;
}

bool status_forbids_body(unsigned status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

http::response<http::string_body> build_response(const scripted_response& script, unsigned version,
                                                  bool request_keep_alive) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(std::min(script.status, 999U));
  if (res.reason() == "<unknown-status>") res.reason("Scripted");
  res.set(http::field::server, "vwo-local-collector");
  res.set(http::field::content_type, "application/json");
  std::vector<std::string> seen;
  for (const auto& [name, value] : script.headers) {
    const std::string lower = to_lower(name);
    if (std::find(seen.begin(), seen.end(), lower) == seen.end()) {
      seen.push_back(lower);
      res.set(name, value);
    } else {
      res.insert(name, value);
    }
  }
  if (!status_forbids_body(script.status)) res.body() = script.body;
  const bool own_length =
      res.find(http::field::content_length) != res.end() || res.find(http::field::transfer_encoding) != res.end();
  if (!own_length) res.prepare_payload();
  const bool keep_alive = request_keep_alive && !script.close_after && res.keep_alive();
  res.keep_alive(keep_alive);
  return res;
}

bool is_http_parse_error(const error_code& ec) {
  static const auto& http_category = http::make_error_code(http::error::bad_target).category();
  return ec.category() == http_category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

// idle: waiting for a request; busy: a request is being answered (delay pending); writing: the response is
// being written (a close_idle request is deferred until it is complete); parked: never_answer / never_read.
enum class phase { handshake, idle, busy, writing, parked };

struct connection_base {
  explicit connection_base(asio::any_io_executor ex) : strand(ex), delay_timer(ex), deadline(ex) {}
  connection_base(const connection_base&) = delete;
  connection_base& operator=(const connection_base&) = delete;
  virtual ~connection_base() = default;

  virtual socket_base_ref lowest() = 0;

  // Runs on the strand only.
  void close(bool reset) {
    closing = true;
    error_code ec;
    auto& s = lowest();
    if (reset && s.is_open()) s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
    delay_timer.cancel();
    deadline.cancel();
  }

  std::uint64_t id = 0;  // written before the connection is published; immutable afterwards
  asio::any_io_executor strand;
  asio::steady_timer delay_timer;
  asio::steady_timer deadline;
  // Strand-only state:
  phase state = phase::idle;
  bool closing = false;
  bool close_when_written = false;  // close_idle_connections() arrived while the response was being written
};

template <class Stream>
struct connection final : connection_base {
  template <class... Args>
  explicit connection(asio::any_io_executor ex, Args&&... args)
      : connection_base(ex), stream(std::forward<Args>(args)...) {}
  socket_base_ref lowest() override { return stream.lowest_layer(); }
  Stream stream;
};

int openssl_version(tls_version v) noexcept {
  switch (v) {
  case tls_version::tls1_0: return TLS1_VERSION;
  case tls_version::tls1_1: return TLS1_1_VERSION;
  case tls_version::tls1_2: return TLS1_2_VERSION;
  case tls_version::tls1_3: return TLS1_3_VERSION;
  case tls_version::openssl_default: break;
  }
  return 0;
}

template <class Stream>
constexpr bool is_tls_v = std::is_same_v<Stream, tls_stream>;

// Closes the connection when the deadline expires (handler runs on the strand).
void arm_deadline(const std::shared_ptr<connection_base>& c, std::chrono::steady_clock::duration d) {
  c->deadline.expires_after(d);
  c->deadline.async_wait([weak = std::weak_ptr<connection_base>(c)](const error_code& ec) {
    if (ec) return;
    if (auto p = weak.lock()) p->close(false);
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

std::optional<std::string> recorded_request::query_value(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> recorded_request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------

struct local_collector::impl {
  explicit impl(collector_options o) : opts(std::move(o)) {
    if (opts.threads == 0) opts.threads = 1;
    if (opts.tls) {
      ssl_ctx.emplace(asio::ssl::context::tls_server);
      ssl_ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
      ssl_ctx->use_certificate_chain_file(opts.cert_chain_file);
      ssl_ctx->use_private_key_file(opts.private_key_file, asio::ssl::context::pem);
      SSL_CTX* native = ssl_ctx->native_handle();
      if (opts.tls_security_level >= 0) SSL_CTX_set_security_level(native, opts.tls_security_level);
      if (opts.min_tls_version != tls_version::openssl_default &&
          SSL_CTX_set_min_proto_version(native, openssl_version(opts.min_tls_version)) != 1) {
        throw boost::system::system_error(asio::error::invalid_argument, "min_tls_version not supported");
      }
      if (opts.max_tls_version != tls_version::openssl_default &&
          SSL_CTX_set_max_proto_version(native, openssl_version(opts.max_tls_version)) != 1) {
        throw boost::system::system_error(asio::error::invalid_argument, "max_tls_version not supported");
      }
    }
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), opts.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();

    accept_loop_running = true;
    asio::co_spawn(acceptor.get_executor(), accept_loop(), [](const std::exception_ptr&) {});
    work.emplace(ioc.get_executor());
    threads.reserve(opts.threads);
    for (std::size_t i = 0; i < opts.threads; ++i) {
      threads.emplace_back([this] {
        for (;;) {
          try {
            ioc.run();
            return;
          } catch (...) {
            // A handler threw; keep serving. (Sessions catch their own exceptions.)
          }
        }
      });
    }
  }

  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  ~impl() {
    std::vector<std::shared_ptr<connection_base>> snapshot;
    {
      std::lock_guard lk(m);
      stopping = true;
      for (const auto& [id, c] : conns) snapshot.push_back(c);
    }
    asio::post(acceptor.get_executor(), [this] {
      error_code ec;
      acceptor.close(ec);
    });
    for (const auto& c : snapshot) {
      asio::post(c->strand, [c] { c->close(false); });
    }
    snapshot.clear();
    work.reset();
    {
      std::unique_lock lk(m);
      cv.wait_for(lk, destructor_wait, [this] { return conns.empty() && !accept_loop_running; });
    }
    ioc.stop();
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    // Sockets must die before the io_context; coroutine frames still suspended (only if the bounded wait
    // above timed out) are destroyed by ~io_context, which Asio supports.
    std::lock_guard lk(m);
    conns.clear();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] =
          co_await acceptor.async_accept(asio::any_io_executor(asio::make_strand(ioc)), use_nothrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || is_stopping() || !acceptor.is_open()) break;
        // e.g. EMFILE: back off briefly instead of spinning.
        asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(10));
        co_await t.async_wait(use_nothrow);
        continue;
      }
      error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      const asio::any_io_executor ex = sock.get_executor();
      std::shared_ptr<connection_base> base;
      if (opts.tls) {
        auto c = std::make_shared<connection<tls_stream>>(ex, std::move(sock), *ssl_ctx);
        c->state = opts.never_read ? phase::parked : phase::handshake;
        base = c;
      } else {
        auto c = std::make_shared<connection<tcp::socket>>(ex, std::move(sock));
        c->state = opts.never_read ? phase::parked : phase::idle;
        base = c;
      }
      {
        std::lock_guard lk(m);
        if (stopping) break;  // the socket closes with `base`
        base->id = ++next_id;
        ++accepted;
        conns.emplace(base->id, base);
      }
      cv.notify_all();
      if (opts.tls) {
        spawn_session(std::static_pointer_cast<connection<tls_stream>>(base));
      } else {
        spawn_session(std::static_pointer_cast<connection<tcp::socket>>(base));
      }
    }
    {
      std::lock_guard lk(m);
      accept_loop_running = false;
    }
    cv.notify_all();
  }

  template <class Stream>
  void spawn_session(std::shared_ptr<connection<Stream>> c) {
    auto ex = c->strand;
    asio::co_spawn(ex, session(std::move(c)), [](const std::exception_ptr&) {});
  }

  template <class Stream>
  asio::awaitable<void> session(std::shared_ptr<connection<Stream>> c) {
    try {
      co_await serve(c);
    } catch (...) {
      // Never let a test collector take the process down; the connection is simply closed.
    }
    c->close(false);
    {
      std::lock_guard lk(m);
      conns.erase(c->id);
    }
    cv.notify_all();
  }

  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<connection<Stream>> c) {
    auto& s = c->stream;
    if (opts.never_read) {
      if (c->closing) co_return;
      c->state = phase::parked;
      c->delay_timer.expires_at(asio::steady_timer::time_point::max());
      co_await c->delay_timer.async_wait(use_nothrow);
      co_return;
    }
    if constexpr (is_tls_v<Stream>) {
      c->state = phase::handshake;
      auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::server, use_nothrow);
      if (ec) {
        if (!c->closing) note_handshake_failure(ec);
        co_return;
      }
    }
    beast::flat_buffer buffer;
    for (;;) {
      if (c->closing) co_return;
      c->state = phase::idle;
      http::request_parser<http::string_body> parser;
      parser.body_limit(max_body_bytes);
      parser.header_limit(max_header_bytes);
      auto [ec, n] = co_await http::async_read(s, buffer, parser, use_nothrow);
      (void)n;
      if (ec) {
        if (!c->closing && is_http_parse_error(ec)) {
          scripted_response err;
          err.status = (ec == http::error::body_limit) ? 413U : 400U;
          err.body = R"({"error":")" + ec.message() + R"("})";
          err.close_after = true;
          auto res = build_response(err, 11, false);
          c->state = phase::busy;
          arm_deadline(c, graceful_close_deadline);
          auto [wec, wn] = co_await http::async_write(s, res, use_nothrow);
          (void)wec;
          (void)wn;
          co_await graceful_close(c);
        }
        co_return;
      }
      c->state = phase::busy;
      auto req = parser.release();
      const bool request_keep_alive = req.keep_alive();
      const unsigned version = req.version();
      const scripted_response script = record(c->id, std::move(req));

      if (script.delay.count() > 0) {
        if (c->closing) co_return;
        c->delay_timer.expires_after(script.delay);
        auto [tec] = co_await c->delay_timer.async_wait(use_nothrow);
        (void)tec;
        if (c->closing) co_return;
      }
      if (script.reset_connection) {
        c->close(true);
        co_return;
      }
      if (script.never_answer) {
        c->state = phase::parked;
        std::array<char, 4096> sink{};
        for (;;) {
          auto [rec, rn] = co_await s.async_read_some(asio::buffer(sink), use_nothrow);
          (void)rn;
          if (rec) co_return;
        }
      }
      auto res = build_response(script, version, request_keep_alive);
      if (script.truncate_after_bytes > 0) {
        std::ostringstream os;
        os << res;
        const std::string wire = std::move(os).str();
        const std::size_t n_bytes = std::min(script.truncate_after_bytes, wire.size());
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(wire.data(), n_bytes), use_nothrow);
        (void)wec;
        (void)wn;
        error_code ignored;
        c->lowest().shutdown(tcp::socket::shutdown_both, ignored);
        c->close(false);
        co_return;
      }
      c->state = phase::writing;
      auto [wec, wn] = co_await http::async_write(s, res, use_nothrow);
      (void)wn;
      if (wec) co_return;
      if (c->close_when_written) {
        c->close(false);
        co_return;
      }
      if (!res.keep_alive()) {
        co_await graceful_close(c);
        co_return;
      }
    }
  }

  // After a "Connection: close" response: TLS close_notify / TCP FIN, then wait (bounded) for the peer to
  // close, so unread client bytes never turn our close into an RST that could destroy the response.
  template <class Stream>
  asio::awaitable<void> graceful_close(std::shared_ptr<connection<Stream>> c) {
    if (c->closing) co_return;
    arm_deadline(c, graceful_close_deadline);
    if constexpr (is_tls_v<Stream>) {
      auto [ec] = co_await c->stream.async_shutdown(use_nothrow);
      (void)ec;
    } else {
      error_code ignored;
      c->stream.shutdown(tcp::socket::shutdown_send, ignored);
      std::array<char, 1024> sink{};
      for (;;) {
        auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(sink), use_nothrow);
        (void)n;
        if (ec) break;
      }
    }
    c->close(false);
  }

  scripted_response record(std::uint64_t connection_id, http::request<http::string_body>&& req) {
    recorded_request r = make_record(connection_id, std::move(req));
    scripted_response script;
    {
      std::lock_guard lk(m);
      if (auto route = path_responses.find(r.path); route != path_responses.end()) {
        script = route->second;
      } else if (!script_queue.empty()) {
        script = std::move(script_queue.front());
        script_queue.pop_front();
      } else {
        script = default_response;
      }
      for (const auto& [name, value] : script.headers) {
        if (iequals(name, "connection") && iequals(value, "close")) script.close_after = true;
      }
      reqs.push_back(std::move(r));
    }
    cv.notify_all();
    return script;
  }

  void note_handshake_failure(const error_code& ec) {
    {
      std::lock_guard lk(m);
      ++handshake_failures;
      last_tls_error = ec.message();
    }
    cv.notify_all();
  }

  bool is_stopping() const {
    std::lock_guard lk(m);
    return stopping;
  }

  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) const {
    std::unique_lock lk(m);
    return cv.wait_for(lk, timeout, pred);
  }

  std::size_t close_connections(bool idle_only, bool reset) {
    std::vector<std::shared_ptr<connection_base>> snapshot;
    {
      std::lock_guard lk(m);
      for (const auto& [id, c] : conns) snapshot.push_back(c);
    }
    struct progress {
      std::mutex m;
      std::condition_variable cv;
      std::size_t ran = 0;
      std::vector<std::uint64_t> closed;
    };
    auto prog = std::make_shared<progress>();
    for (const auto& c : snapshot) {
      asio::post(c->strand, [c, prog, idle_only, reset] {
        bool do_close = false;
        if (!c->closing) {
          if (!idle_only || c->state == phase::idle) {
            c->close(reset);
            do_close = true;
          } else if (c->state == phase::writing) {
            // The response may already have reached the client: the connection is idle from its point of
            // view. Close as soon as the write completes (never cut the response).
            c->close_when_written = true;
            do_close = true;
          }
        }
        {
          std::lock_guard lk(prog->m);
          ++prog->ran;
          if (do_close) prog->closed.push_back(c->id);
        }
        prog->cv.notify_all();
      });
    }
    const std::size_t total = snapshot.size();
    snapshot.clear();
    std::vector<std::uint64_t> closed;
    {
      std::unique_lock lk(prog->m);
      prog->cv.wait_for(lk, close_wait, [&] { return prog->ran == total; });
      closed = prog->closed;
    }
    // Wait until the sessions of the closed connections have ended (their sockets are closed already).
    wait(std::chrono::duration_cast<std::chrono::milliseconds>(close_wait), [&] {
      return std::none_of(closed.begin(), closed.end(), [&](std::uint64_t id) { return conns.count(id) != 0; });
    });
    return closed.size();
  }

  collector_options opts;

  mutable std::mutex m;
  mutable std::condition_variable cv;
  // Guarded by m:
  std::vector<recorded_request> reqs;
  std::deque<scripted_response> script_queue;
  scripted_response default_response;
  std::map<std::string, scripted_response, std::less<>> path_responses;
  std::size_t accepted = 0;
  std::size_t handshake_failures = 0;
  std::string last_tls_error;
  std::uint64_t next_id = 0;
  bool stopping = false;
  bool accept_loop_running = false;
  std::map<std::uint64_t, std::shared_ptr<connection_base>> conns;

  // Declared before the io_context so that they outlive coroutine frames destroyed by ~io_context.
  std::optional<asio::ssl::context> ssl_ctx;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::uint16_t bound_port = 0;
  std::vector<std::thread> threads;
};

// ---------------------------------------------------------------------------------------------------------

local_collector::local_collector(collector_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

local_collector::~local_collector() = default;

std::uint16_t local_collector::port() const noexcept { return impl_->bound_port; }

std::string local_collector::endpoint() const {
  return std::string(impl_->opts.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->bound_port);
}

bool local_collector::is_tls() const noexcept { return impl_->opts.tls; }

void local_collector::set_default_response(scripted_response r) {
  std::lock_guard lk(impl_->m);
  impl_->default_response = std::move(r);
}

void local_collector::push_responses(std::vector<scripted_response> rs) {
  std::lock_guard lk(impl_->m);
  for (auto& r : rs) impl_->script_queue.push_back(std::move(r));
}

void local_collector::set_path_response(std::string path, std::optional<scripted_response> r) {
  std::lock_guard lk(impl_->m);
  if (r)
    impl_->path_responses.insert_or_assign(std::move(path), std::move(*r));
  else
    impl_->path_responses.erase(path);
}

void local_collector::clear_scripted_responses() {
  std::lock_guard lk(impl_->m);
  impl_->script_queue.clear();
}

std::size_t local_collector::scripted_responses_pending() const {
  std::lock_guard lk(impl_->m);
  return impl_->script_queue.size();
}

std::vector<recorded_request> local_collector::requests() const {
  std::lock_guard lk(impl_->m);
  return impl_->reqs;
}

std::size_t local_collector::request_count() const {
  std::lock_guard lk(impl_->m);
  return impl_->reqs.size();
}

std::size_t local_collector::connections_accepted() const {
  std::lock_guard lk(impl_->m);
  return impl_->accepted;
}

std::size_t local_collector::open_connections() const {
  std::lock_guard lk(impl_->m);
  return impl_->conns.size();
}

std::size_t local_collector::tls_handshake_failures() const {
  std::lock_guard lk(impl_->m);
  return impl_->handshake_failures;
}

std::string local_collector::last_tls_handshake_error() const {
  std::lock_guard lk(impl_->m);
  return impl_->last_tls_error;
}

bool local_collector::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait(timeout, [&] { return impl_->reqs.size() >= n; });
}

bool local_collector::wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait(timeout, [&] { return impl_->accepted >= n; });
}

bool local_collector::wait_for_tls_handshake_failures(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait(timeout, [&] { return impl_->handshake_failures >= n; });
}

bool local_collector::wait_for_open_connections_at_most(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait(timeout, [&] { return impl_->conns.size() <= n; });
}

std::size_t local_collector::close_idle_connections() { return impl_->close_connections(true, false); }

std::size_t local_collector::close_all_connections(bool reset) { return impl_->close_connections(false, reset); }

void local_collector::clear() {
  std::lock_guard lk(impl_->m);
  impl_->reqs.clear();
}

}  // namespace vwo::tools
