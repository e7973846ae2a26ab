// Reliability R7: every phase of an exchange has a deadline, and a host lookup that never
// answers holds up neither the caller nor shutdown.

#include "fixtures.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;
using clock_type = std::chrono::steady_clock;

namespace {

// Options for a deadline test: one retry, tiny backoff, and the phase under test short.
vwo::client_options deadline_options(log_capture& logs, std::string endpoint)
{
    vwo::client_options o;
    o.settings_file = settings_json();
    o.endpoint = std::move(endpoint);
    o.logging.logger = logs.callback();
    o.return_promise_for.push = true;
    o.retry.max_retries = 1;
    o.retry.max_elapsed_time = std::chrono::milliseconds(0); // the count alone
    o.retry.base_delay = std::chrono::milliseconds(5);
    o.retry.max_delay = std::chrono::milliseconds(10);
    o.shutdown_timeout = std::chrono::milliseconds(500);
    return o;
}

// The error a single push completes with, and how long that took.
std::pair<boost::system::error_code, clock_type::duration> timed_push(vwo::client& client)
{
    const auto start = clock_type::now();
    auto f = client.async_push("k", "v", "u",
                               boost::asio::use_future([](boost::system::error_code ec, vwo::push_result) { return ec; }));
    REQUIRE(ready_within(f));
    return {f.get(), clock_type::now() - start};
}

} // namespace

TEST_CASE("a resolver that never answers costs the caller nothing and times out", "[deadline][resolve]")
{
    log_capture logs;
    auto opts = deadline_options(logs, "http://collector.test:8080");
    std::atomic<int> lookups{0};
    opts.resolver = [&lookups](const std::string&, std::uint16_t, vwo::resolve_callback) { ++lookups; };
    opts.timeouts.resolve = std::chrono::milliseconds(150);
    opts.return_promise_for.push = false;
    auto client = vwo::launch(opts);

    const auto before_push = clock_type::now();
    CHECK(client.push("k", "v", "u").get()); // accepted at once: the lookup is the SDK thread's business
    CHECK(clock_type::now() - before_push < std::chrono::milliseconds(50));

    auto [ec, took] = timed_push(client);
    CHECK(ec == vwo::errc::retries_exhausted);
    CHECK(took >= std::chrono::milliseconds(280)); // two attempts, each waiting out the resolve deadline
    CHECK(took < std::chrono::seconds(3));
    CHECK(lookups.load() >= 2);
    CHECK(logs.contains(vwo::log_level::error, "resolve deadline"));

    const auto before_shutdown = clock_type::now();
    client.shutdown(std::chrono::milliseconds(200));
    CHECK(clock_type::now() - before_shutdown < std::chrono::seconds(1));
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("a lookup answering after the client is gone is ignored safely", "[deadline][resolve]")
{
    log_capture logs;
    auto opts = deadline_options(logs, "http://collector.test:8080");
    opts.timeouts.resolve = std::chrono::milliseconds(50);
    std::mutex m;
    std::vector<vwo::resolve_callback> pending;
    opts.resolver = [&](const std::string&, std::uint16_t, vwo::resolve_callback done) {
        std::lock_guard lock(m);
        pending.push_back(std::move(done));
    };
    {
        auto client = vwo::launch(opts);
        auto [ec, took] = timed_push(client);
        CHECK(ec);
    }
    std::lock_guard lock(m);
    REQUIRE_FALSE(pending.empty());
    for (auto& done : pending) // the client and its io_context are destroyed by now
        done({}, {boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 9)});
}

TEST_CASE("a custom resolver decides where a host name goes", "[deadline][resolve]")
{
    local_collector collector;
    log_capture logs;
    auto opts = deadline_options(logs, "http://collector.test:" + std::to_string(collector.port()));
    std::atomic<int> lookups{0};
    opts.resolver = [&lookups](const std::string& host, std::uint16_t port, vwo::resolve_callback done) {
        ++lookups;
        CHECK(host == "collector.test");
        done({}, {boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)});
    };
    auto client = vwo::launch(opts);
    REQUIRE(client.push("k", "1", "u").get());
    REQUIRE(client.push("k", "2", "u").get());
    CHECK(lookups.load() == 1); // cached while connections succeed
    const auto r = collector.requests().front();
    CHECK(r.header("host") == std::optional<std::string>("collector.test:" + std::to_string(collector.port())));
}

TEST_CASE("the connect deadline holds when SYNs go unanswered", "[deadline][connect]")
{
    // A listener that never accepts, with its backlog filled: the kernel drops further SYNs.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor full(ioc);
    const boost::asio::ip::tcp::endpoint loopback(boost::asio::ip::make_address("127.0.0.1"), 0);
    full.open(loopback.protocol());
    full.bind(loopback);
    full.listen(0);
    // Raw non-blocking connects: they only need to be started to occupy the backlog.
    std::vector<int> fillers;
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(full.local_endpoint().port());
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        REQUIRE(fd >= 0);
        (void)::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target);
        fillers.push_back(fd);
    }
    struct close_fds {
        std::vector<int>& fds;
        ~close_fds()
        {
            for (int fd : fds)
                ::close(fd);
        }
    } closer{fillers};
    log_capture logs;
    auto opts = deadline_options(logs, "http://127.0.0.1:" + std::to_string(full.local_endpoint().port()));
    opts.timeouts.connect = std::chrono::milliseconds(200);
    opts.retry.max_retries = 0;
    auto client = vwo::launch(opts);
    auto [ec, took] = timed_push(client);
    CHECK(ec == vwo::errc::retries_exhausted);
    CHECK(took >= std::chrono::milliseconds(180));
    CHECK(took < std::chrono::seconds(3));
    CHECK(logs.contains(vwo::log_level::error, "cannot connect"));
}

TEST_CASE("the TLS handshake deadline holds against a server that never speaks", "[deadline][tls]")
{
    vwo::tools::collector_options silent;
    silent.never_read = true; // accepts TCP, never reads or writes: the ClientHello goes unanswered
    local_collector collector(silent);
    log_capture logs;
    auto opts = deadline_options(logs, "https://127.0.0.1:" + std::to_string(collector.port()));
    opts.timeouts.tls_handshake = std::chrono::milliseconds(200);
    opts.retry.max_retries = 0;
    auto client = vwo::launch(opts);
    auto [ec, took] = timed_push(client);
    CHECK(ec == vwo::errc::retries_exhausted);
    CHECK(took >= std::chrono::milliseconds(180));
    CHECK(took < std::chrono::seconds(3));
    CHECK(logs.contains(vwo::log_level::error, "TLS handshake"));
}

TEST_CASE("the request deadline holds against a server that never answers", "[deadline][request]")
{
    local_collector collector;
    scripted_response silent;
    silent.never_answer = true;
    collector.set_default_response(silent);
    log_capture logs;
    auto opts = deadline_options(logs, collector.endpoint());
    opts.timeouts.request = std::chrono::milliseconds(200);
    opts.retry.max_retries = 0;
    auto client = vwo::launch(opts);
    auto [ec, took] = timed_push(client);
    CHECK(ec == vwo::errc::retries_exhausted);
    CHECK(took >= std::chrono::milliseconds(180));
    CHECK(took < std::chrono::seconds(3));
    CHECK(collector.request_count() == 1);
}
