// Tests of the local collector itself (tools/collector), driven by a small raw Beast client.
// Every network wait has a deadline; everything talks to 127.0.0.1 only.
#include <catch2/catch.hpp>

#include "local_collector.hpp"
#include "test_certificates.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using vwo::tools::collector_options;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;

constexpr auto default_timeout = std::chrono::milliseconds(5000);

struct client_tls {
  bool enabled = false;
  std::optional<std::filesystem::path> trusted_ca;  // none: trust nothing (verification must fail)
  std::string host = "localhost";                   // SNI and expected host name
};

// A one-connection HTTP/1.1 client with a deadline on every operation (beast::tcp_stream timeouts, plus
// io_context::run_for as a second fence).
class test_client {
public:
  explicit test_client(std::uint16_t port, client_tls tls = {})
      : port_(port), tls_(std::move(tls)), ctx_(ssl::context::tls_client) {
    ctx_.set_verify_mode(ssl::verify_peer);
    if (tls_.trusted_ca) ctx_.load_verify_file(tls_.trusted_ca->string());
    if (tls_.enabled) {
      tls_stream_.emplace(ioc_, ctx_);
    } else {
      plain_.emplace(ioc_);
    }
  }

  beast::tcp_stream& tcp_layer() { return tls_.enabled ? tls_stream_->next_layer() : *plain_; }

  error_code connect(std::chrono::milliseconds timeout = default_timeout) {
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port_);
    error_code ec = run(timeout, [&](auto handler) { tcp_layer().async_connect(ep, std::move(handler)); });
    if (ec || !tls_.enabled) return ec;
    auto& s = *tls_stream_;
    // OpenSSL's own host check (not asio's host_name_verification callback) so that a mismatch is reported
    // as X509_V_ERR_HOSTNAME_MISMATCH. No SNI for an IP literal (RFC 6066).
    error_code parse_ec;
    asio::ip::make_address(tls_.host, parse_ec);
    if (!parse_ec) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s.native_handle()), tls_.host.c_str()) != 1) {
        return asio::error::invalid_argument;
      }
    } else if (SSL_set_tlsext_host_name(s.native_handle(), tls_.host.c_str()) != 1 ||
               SSL_set1_host(s.native_handle(), tls_.host.c_str()) != 1) {
      return asio::error::invalid_argument;
    }
    return run(timeout, [&](auto handler) { s.async_handshake(ssl::stream_base::client, std::move(handler)); });
  }

  // X509_V_OK or the verification error of the last handshake.
  long verify_result() { return tls_stream_ ? SSL_get_verify_result(tls_stream_->native_handle()) : X509_V_OK; }

  error_code send(http::request<http::string_body>& req, std::chrono::milliseconds timeout = default_timeout) {
    req.prepare_payload();
    return with_stream([&](auto& s) {
      return run(timeout, [&](auto handler) { http::async_write(s, req, std::move(handler)); });
    });
  }

  std::pair<error_code, http::response<http::string_body>> receive(
      std::chrono::milliseconds timeout = default_timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    error_code ec = with_stream([&](auto& s) {
      return run(timeout, [&](auto handler) { http::async_read(s, buffer_, parser, std::move(handler)); });
    });
    return {ec, parser.release()};
  }

  std::pair<error_code, http::response<http::string_body>> request(
      http::verb verb, const std::string& target, std::string body = {},
      std::chrono::milliseconds timeout = default_timeout) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    req.set(http::field::user_agent, "collector-test");
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = std::move(body);
    }
    if (error_code ec = send(req, timeout)) return {ec, {}};
    return receive(timeout);
  }

  // Reads whatever arrives; returns the error that ended the read (eof when the server closed).
  error_code read_until_error(std::string& received, std::chrono::milliseconds timeout = default_timeout) {
    received.assign(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    for (;;) {
      std::array<char, 4096> chunk{};
      std::size_t got = 0;
      error_code ec = with_stream([&](auto& s) {
        return run(timeout, [&](auto handler) {
          s.async_read_some(asio::buffer(chunk), [&got, h = std::move(handler)](error_code e, std::size_t n) mutable {
            got = n;
            h(e, n);
          });
        });
      });
      received.append(chunk.data(), got);
      if (ec) return ec;
    }
  }

private:
  template <class F>
  error_code with_stream(F&& f) {
    if (tls_.enabled) return f(*tls_stream_);
    return f(*plain_);
  }

  template <class Start>
  error_code run(std::chrono::milliseconds timeout, Start&& start) {
    auto out = std::make_shared<std::optional<error_code>>();
    tcp_layer().expires_after(timeout);
    start([out](error_code ec, auto&&...) { *out = ec; });
    ioc_.restart();
    ioc_.run_for(timeout + 2s);
    tcp_layer().expires_never();
    if (!out->has_value()) {
      beast::close_socket(tcp_layer());
      ioc_.restart();
      ioc_.run_for(2s);
      return beast::error::timeout;
    }
    return **out;
  }

  std::uint16_t port_;
  client_tls tls_;
  asio::io_context ioc_;
  ssl::context ctx_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  beast::flat_buffer buffer_;
};

collector_options tls_options(const std::filesystem::path& cert, const std::filesystem::path& key) {
  collector_options o;
  o.tls = true;
  o.cert_chain_file = cert.string();
  o.private_key_file = key.string();
  return o;
}

bool is_connection_end(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

TEST_CASE("collector: records method, path, decoded query, lower-cased headers and body", "[collector]") {
  local_collector collector;
  REQUIRE(collector.port() != 0);
  REQUIRE(collector.endpoint() == "http://127.0.0.1:" + std::to_string(collector.port()));

  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  const std::string target =
      "/server-side/push?sId=1795445028&tags=%7B%22u%22%3A%7B%22a%20b%22%3A%22c%2Bd%22%7D%7D&plus=a+b&flag&&"
      "bad=%zz%4";
  auto [ec, res] = client.request(http::verb::get, target);
  REQUIRE_FALSE(ec);
  CHECK(res.result_int() == 200);
  CHECK(res.body() == "{}");
  CHECK(res[http::field::content_type] == "application/json");
  CHECK(res.keep_alive());

  http::request<http::string_body> post{http::verb::post, "/server-side/batch-events?a=123456&env=key", 11};
  post.set("Authorization", "abcdef");
  post.set("X-Mixed-Case", "Value");
  post.body() = R"({"ev":[]})";
  REQUIRE_FALSE(client.send(post));
  auto [ec2, res2] = client.receive();
  REQUIRE_FALSE(ec2);

  REQUIRE(collector.wait_for_requests(2, default_timeout));
  const auto reqs = collector.requests();
  REQUIRE(reqs.size() == 2);
  const auto& get = reqs[0];
  CHECK(get.connection_id == 1);
  CHECK(get.method == "GET");
  CHECK(get.target == target);
  CHECK(get.path == "/server-side/push");
  REQUIRE(get.query.size() == 5);
  CHECK(get.query[0] == std::pair<std::string, std::string>{"sId", "1795445028"});
  CHECK(get.query_value("tags") == std::optional<std::string>(R"({"u":{"a b":"c+d"}})"));
  CHECK(get.query_value("plus") == std::optional<std::string>("a+b"));
  CHECK(get.query_value("flag") == std::optional<std::string>(""));
  CHECK(get.query_value("bad") == std::optional<std::string>("%zz%4"));
  CHECK_FALSE(get.query_value("missing").has_value());
  CHECK(get.header("user-agent") == std::optional<std::string>("collector-test"));
  CHECK(get.body.empty());

  const auto& batch = reqs[1];
  CHECK(batch.method == "POST");
  CHECK(batch.path == "/server-side/batch-events");
  CHECK(batch.query_value("a") == std::optional<std::string>("123456"));
  CHECK(batch.header("authorization") == std::optional<std::string>("abcdef"));
  CHECK(batch.header("x-mixed-case") == std::optional<std::string>("Value"));
  CHECK(batch.header("content-length") == std::optional<std::string>("9"));
  CHECK(batch.body == R"({"ev":[]})");

  collector.clear();
  CHECK(collector.request_count() == 0);
  CHECK(collector.connections_accepted() == 1);
}

TEST_CASE("collector: keep-alive carries several requests on one connection", "[collector]") {
  local_collector collector;
  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  for (int i = 0; i < 3; ++i) {
    auto [ec, res] = client.request(http::verb::post, "/events/t?i=" + std::to_string(i), R"({"d":{}})");
    REQUIRE_FALSE(ec);
    CHECK(res.result_int() == 200);
    CHECK(res.keep_alive());
  }
  REQUIRE(collector.wait_for_requests(3, default_timeout));
  CHECK(collector.connections_accepted() == 1);
  CHECK(collector.open_connections() == 1);
  for (const auto& r : collector.requests()) CHECK(r.connection_id == 1);
}

TEST_CASE("collector: scripted statuses and headers are used in order, then the default", "[collector]") {
  local_collector collector;
  scripted_response unavailable;
  unavailable.status = 503;
  unavailable.body = "busy";
  unavailable.headers = {{"Retry-After", "1"}, {"Content-Type", "text/plain"}};
  scripted_response too_many;
  too_many.status = 429;
  too_many.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  collector.push_responses({unavailable, too_many});
  scripted_response created;
  created.status = 201;
  created.body = R"({"ok":true})";
  collector.set_default_response(created);
  CHECK(collector.scripted_responses_pending() == 2);

  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  auto [ec1, r1] = client.request(http::verb::get, "/server-side/push?x=1");
  REQUIRE_FALSE(ec1);
  CHECK(r1.result_int() == 503);
  CHECK(r1[http::field::retry_after] == "1");
  CHECK(r1[http::field::content_type] == "text/plain");
  CHECK(r1.body() == "busy");
  auto [ec2, r2] = client.request(http::verb::get, "/server-side/push?x=2");
  REQUIRE_FALSE(ec2);
  CHECK(r2.result_int() == 429);
  CHECK(r2[http::field::retry_after] == "Wed, 21 Oct 2015 07:28:00 GMT");
  for (int i = 0; i < 2; ++i) {
    auto [ec, r] = client.request(http::verb::get, "/server-side/push?x=3");
    REQUIRE_FALSE(ec);
    CHECK(r.result_int() == 201);
    CHECK(r.body() == R"({"ok":true})");
  }
  CHECK(collector.scripted_responses_pending() == 0);
  CHECK(collector.connections_accepted() == 1);

  scripted_response no_content;
  no_content.status = 204;  // the default "{}" body must be dropped
  scripted_response odd;
  odd.status = 599;
  collector.push_responses({no_content, odd});
  auto [ec4, r4] = client.request(http::verb::get, "/x");
  REQUIRE_FALSE(ec4);
  CHECK(r4.result_int() == 204);
  CHECK(r4.body().empty());
  auto [ec5, r5] = client.request(http::verb::get, "/x");
  REQUIRE_FALSE(ec5);
  CHECK(r5.result_int() == 599);
}

TEST_CASE("collector: close_idle_connections closes kept-alive connections", "[collector]") {
  local_collector collector;
  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  auto [ec, res] = client.request(http::verb::get, "/server-side/push?a=1");
  REQUIRE_FALSE(ec);
  REQUIRE(collector.open_connections() == 1);

  CHECK(collector.close_idle_connections() == 1);
  CHECK(collector.open_connections() == 0);
  std::string rest;
  const error_code end = client.read_until_error(rest, 2000ms);
  CHECK(end == asio::error::eof);
  CHECK(rest.empty());

  test_client second(collector.port());
  REQUIRE_FALSE(second.connect());
  auto [ec2, res2] = second.request(http::verb::get, "/server-side/push?a=2");
  REQUIRE_FALSE(ec2);
  CHECK(res2.result_int() == 200);
  const auto reqs = collector.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1].connection_id == 2);
  CHECK(collector.connections_accepted() == 2);
  CHECK(collector.close_idle_connections() == 1);
}

TEST_CASE("collector: never_answer makes the client time out and the destructor still returns", "[collector]") {
  std::chrono::steady_clock::duration destroy_time{};
  {
    auto collector = std::make_unique<local_collector>();
    scripted_response hang;
    hang.never_answer = true;
    collector->push_responses({hang});
    test_client client(collector->port());
    REQUIRE_FALSE(client.connect());
    const auto start = std::chrono::steady_clock::now();
    auto [ec, res] = client.request(http::verb::get, "/server-side/push?a=1", {}, 300ms);
    CHECK(ec == beast::error::timeout);
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK(collector->request_count() == 1);

    // A second connection parked the same way, still open on the client side at destruction.
    collector->push_responses({hang});
    test_client other(collector->port());
    REQUIRE_FALSE(other.connect());
    http::request<http::string_body> req{http::verb::get, "/server-side/push?a=2", 11};
    REQUIRE_FALSE(other.send(req));
    REQUIRE(collector->wait_for_requests(2, default_timeout));
    CHECK(collector->close_idle_connections() == 0);  // parked, not idle
    CHECK(collector->open_connections() == 1);

    const auto before = std::chrono::steady_clock::now();
    collector.reset();
    destroy_time = std::chrono::steady_clock::now() - before;
  }
  CHECK(destroy_time < 1500ms);
}

TEST_CASE("collector: delay, close_after, reset and truncation faults", "[collector]") {
  local_collector collector;
  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());

  SECTION("delay holds the response back") {
    scripted_response slow;
    slow.delay = 300ms;
    collector.push_responses({slow});
    const auto start = std::chrono::steady_clock::now();
    auto [ec, res] = client.request(http::verb::get, "/slow");
    REQUIRE_FALSE(ec);
    CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    CHECK(res.result_int() == 200);
  }
  SECTION("close_after sends Connection: close and closes") {
    scripted_response closing;
    closing.close_after = true;
    collector.push_responses({closing});
    auto [ec, res] = client.request(http::verb::get, "/close");
    REQUIRE_FALSE(ec);
    CHECK_FALSE(res.keep_alive());
    std::string rest;
    CHECK(client.read_until_error(rest, 3000ms) == asio::error::eof);
    CHECK(collector.wait_for_open_connections_at_most(0, default_timeout));
  }
  SECTION("reset_connection records the request, then resets") {
    scripted_response reset;
    reset.reset_connection = true;
    collector.push_responses({reset});
    auto [ec, res] = client.request(http::verb::get, "/reset");
    CHECK(ec == asio::error::connection_reset);
    CHECK(collector.request_count() == 1);
  }
  SECTION("truncate_after_bytes cuts the response and closes") {
    scripted_response cut;
    cut.body = std::string(1000, 'x');
    cut.truncate_after_bytes = 60;
    collector.push_responses({cut});
    http::request<http::string_body> req{http::verb::get, "/cut", 11};
    REQUIRE_FALSE(client.send(req));
    std::string received;
    const error_code end = client.read_until_error(received, 3000ms);
    CHECK(is_connection_end(end));
    CHECK(received.size() == 60);
    CHECK(received.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  }
  SECTION("a lying Content-Length is sent as given") {
    scripted_response liar;
    liar.body = "{}";
    liar.headers = {{"Content-Length", "10"}};
    liar.close_after = true;
    collector.push_responses({liar});
    auto [ec, res] = client.request(http::verb::get, "/liar", {}, 2000ms);
    CHECK(ec == http::error::partial_message);
  }
  SECTION("chunked responses") {
    scripted_response chunked;
    chunked.body = R"({"chunked":true})";
    chunked.headers = {{"Transfer-Encoding", "chunked"}};
    collector.push_responses({chunked});
    auto [ec, res] = client.request(http::verb::get, "/chunked");
    REQUIRE_FALSE(ec);
    CHECK(res.chunked());
    CHECK(res.body() == R"({"chunked":true})");
  }
}

TEST_CASE("collector: large bodies and the 64 MiB limit", "[collector]") {
  local_collector collector;
  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  std::string big(8 * 1024 * 1024, 'e');
  auto [ec, res] = client.request(http::verb::post, "/server-side/batch-events", big, 20000ms);
  REQUIRE_FALSE(ec);
  CHECK(res.result_int() == 200);
  REQUIRE(collector.wait_for_requests(1, default_timeout));
  CHECK(collector.requests()[0].body.size() == big.size());
}

TEST_CASE("collector: concurrent clients on a multi-threaded collector", "[collector]") {
  collector_options options;
  options.threads = 2;
  local_collector collector(options);
  constexpr int clients = 4;
  constexpr int per_client = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c) {
    workers.emplace_back([&, c] {
      test_client client(collector.port());
      if (client.connect()) return;
      for (int i = 0; i < per_client; ++i) {
        auto [ec, res] = client.request(http::verb::get,
                                        "/server-side/push?c=" + std::to_string(c) + "&i=" + std::to_string(i));
        if (ec || res.result_int() != 200) return;
        ++ok;
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(ok == clients * per_client);
  CHECK(collector.wait_for_requests(clients * per_client, default_timeout));
  CHECK(collector.connections_accepted() == clients);
}

TEST_CASE("collector: never_read accepts but never reads", "[collector]") {
  collector_options options;
  options.never_read = true;
  local_collector collector(options);
  test_client client(collector.port());
  REQUIRE_FALSE(client.connect());
  REQUIRE(collector.wait_for_connections(1, default_timeout));
  auto [ec, res] = client.request(http::verb::get, "/x", {}, 200ms);
  CHECK(ec == beast::error::timeout);
  CHECK(collector.request_count() == 0);
  CHECK(collector.close_all_connections() == 1);
}

TEST_CASE("collector: TLS with a trusted certificate", "[collector][tls]") {
  const auto& pki = vwo::test::make_test_pki();
  local_collector collector(tls_options(pki.server_cert, pki.server_key));
  CHECK(collector.is_tls());
  CHECK(collector.endpoint() == "https://127.0.0.1:" + std::to_string(collector.port()));

  for (const std::string host : {"localhost", "127.0.0.1"}) {
    test_client client(collector.port(), client_tls{true, pki.ca_cert, host});
    REQUIRE_FALSE(client.connect());
    for (int i = 0; i < 3; ++i) {
      auto [ec, res] = client.request(http::verb::get, "/server-side/push?tags=%7B%7D");
      REQUIRE_FALSE(ec);
      CHECK(res.result_int() == 200);
      CHECK(res.body() == "{}");
    }
  }
  REQUIRE(collector.wait_for_requests(6, default_timeout));
  CHECK(collector.connections_accepted() == 2);
  CHECK(collector.tls_handshake_failures() == 0);
  CHECK(collector.requests()[0].query_value("tags") == std::optional<std::string>("{}"));

  // close_after over TLS ends with close_notify: the client sees a clean end of stream.
  scripted_response closing;
  closing.close_after = true;
  collector.push_responses({closing});
  test_client client(collector.port(), client_tls{true, pki.ca_cert});
  REQUIRE_FALSE(client.connect());
  auto [ec, res] = client.request(http::verb::get, "/close");
  REQUIRE_FALSE(ec);
  CHECK_FALSE(res.keep_alive());
  std::string rest;
  CHECK(client.read_until_error(rest, 3000ms) == asio::error::eof);
}

TEST_CASE("collector: a TLS client that rejects the certificate is counted, nothing is recorded",
          "[collector][tls]") {
  const auto& pki = vwo::test::make_test_pki();
  local_collector collector(tls_options(pki.server_cert, pki.server_key));
  test_client client(collector.port(), client_tls{true, std::nullopt});
  const error_code ec = client.connect();
  REQUIRE(ec);
  CHECK(client.verify_result() == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  REQUIRE(collector.wait_for_tls_handshake_failures(1, default_timeout));
  CHECK(collector.tls_handshake_failures() == 1);
  CHECK_FALSE(collector.last_tls_handshake_error().empty());
  CHECK(collector.request_count() == 0);
  CHECK(collector.wait_for_open_connections_at_most(0, default_timeout));

  // Plain HTTP against the TLS port is a handshake failure too, not a crash.
  test_client plain(collector.port());
  REQUIRE_FALSE(plain.connect());
  auto [ec2, res2] = plain.request(http::verb::get, "/", {}, 2000ms);
  CHECK(ec2);
  REQUIRE(collector.wait_for_tls_handshake_failures(2, default_timeout));
  CHECK(collector.request_count() == 0);
}

TEST_CASE("test PKI: each bad certificate fails verification with its own error", "[collector][tls][pki]") {
  const auto& pki = vwo::test::make_test_pki();
  struct row {
    const char* name;
    std::filesystem::path cert, key;
    long expected;
  };
  const std::vector<row> rows = {
      {"wrong host", pki.wrong_host_cert, pki.wrong_host_key, X509_V_ERR_HOSTNAME_MISMATCH},
      {"expired", pki.expired_cert, pki.expired_key, X509_V_ERR_CERT_HAS_EXPIRED},
      {"self-signed", pki.self_signed_cert, pki.self_signed_key, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
      {"unknown CA", pki.unknown_ca_server_cert, pki.unknown_ca_server_key,
       X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    local_collector collector(tls_options(r.cert, r.key));
    test_client client(collector.port(), client_tls{true, pki.ca_cert});
    CHECK(client.connect());
    CHECK(client.verify_result() == r.expected);
    CHECK(collector.wait_for_tls_handshake_failures(1, default_timeout));
    CHECK(collector.request_count() == 0);
  }
  // The good certificate verifies against the test CA only.
  local_collector good(tls_options(pki.server_cert, pki.server_key));
  test_client trusting(good.port(), client_tls{true, pki.ca_cert});
  CHECK_FALSE(trusting.connect());
  CHECK(trusting.verify_result() == X509_V_OK);
  test_client other(good.port(), client_tls{true, pki.other_ca_cert});
  CHECK(other.connect());
}

TEST_CASE("collector: a restart on the same port leaves the client's kept-alive connection stale",
          "[collector]") {
  std::uint16_t port = 0;
  auto first = std::make_unique<local_collector>();
  port = first->port();
  test_client client(port);
  REQUIRE_FALSE(client.connect());
  auto [ec, res] = client.request(http::verb::get, "/a");
  REQUIRE_FALSE(ec);
  first.reset();

  collector_options options;
  options.port = port;
  local_collector second(options);
  REQUIRE(second.port() == port);
  auto [ec2, res2] = client.request(http::verb::get, "/b", {}, 2000ms);
  CHECK(ec2);  // the old connection is gone; a client must reconnect
  test_client fresh(port);
  REQUIRE_FALSE(fresh.connect());
  auto [ec3, res3] = fresh.request(http::verb::get, "/c");
  REQUIRE_FALSE(ec3);
  CHECK(second.request_count() == 1);
}
