// R3: an outage of the collector loses nothing it need not lose, with the DEFAULT retry options: the
// backoff never collapses towards zero, the budget is time (5 min) and at least the shutdown deadline,
// and while the collector is unreachable one request probes and the rest wait (issue 14, row 9).
// 1,000 immediate pushes are made while nothing listens; the collector comes up `outage` later;
// shutdown(60 s) then must deliver every one, each exactly once, without a request storm.
#include "stress_support.hpp"

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::uint16_t unused_port()
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::address_v4::loopback(), 0});
    return acceptor.local_endpoint().port();
}

std::string settings()
{
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";
}

void run_outage(std::chrono::milliseconds outage)
{
    constexpr int pushes = 1000;
    const std::uint16_t port = unused_port();
    vwo::stress::log_counter logs;
    vwo::client_options opts; // default retry options: what a user gets
    opts.settings_file = settings();
    opts.endpoint = "http://127.0.0.1:" + std::to_string(port);
    opts.logging.logger = logs.callback();
    opts.logging.level = vwo::log_level::warn;
    opts.proxy.use_environment = false;
    auto client = vwo::launch(opts);

    const auto start = steady::now();
    for (int i = 0; i < pushes; ++i)
        REQUIRE(client.push("outage", "v" + std::to_string(i), "user-" + std::to_string(i % 17)).get());

    std::unique_ptr<vwo::tools::local_collector> collector;
    std::thread comes_back([&] {
        std::this_thread::sleep_until(start + outage);
        vwo::tools::collector_options back;
        back.port = port;
        collector = std::make_unique<vwo::tools::local_collector>(back);
    });
    client.shutdown(60s);
    const auto took = steady::now() - start;
    comes_back.join();

    const auto s = client.stats();
    std::printf("[stress] R3 outage %lld ms: delivered %llu of %d in %lld ms (attempts %llu, retries %llu, "
                "requests written %llu, connections %zu)\n",
                static_cast<long long>(outage.count()), static_cast<unsigned long long>(s.delivered), pushes,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
                static_cast<unsigned long long>(s.attempts), static_cast<unsigned long long>(s.retries),
                static_cast<unsigned long long>(s.requests_sent), collector ? collector->connections_accepted() : 0);
    INFO("outage " << outage.count() << " ms: delivered " << s.delivered << " of " << pushes << " in "
                   << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms, attempts "
                   << s.attempts << ", retries " << s.retries << ", failed " << s.failed() << ", dropped "
                   << s.dropped());
    CHECK(s.delivered == pushes);
    CHECK(s.failed() == 0);
    CHECK(s.dropped() == 0);
    REQUIRE(collector);
    CHECK(collector->request_count() == static_cast<std::size_t>(pushes)); // each exactly once
    std::set<std::string> values;
    for (const auto& r : collector->requests())
        values.insert(r.query_value("tags").value_or(""));
    CHECK(values.size() == static_cast<std::size_t>(pushes));
    // No storm: the probe retried alone; everything else was written once after recovery, over at most
    // max_connections (2) connections at a time.
    CHECK(s.requests_sent == static_cast<std::uint64_t>(pushes));
    CHECK(collector->connections_accepted() <= 4);
    CHECK(took < 60s);
    CHECK(s.accepted == s.delivered + s.failed() + s.dropped() + s.queued + s.in_flight);
}

} // namespace

TEST_CASE("R3 a 3 s outage with default retry options: all 1,000 pushes delivered once", "[stress][outage]")
{
    run_outage(3s);
}

TEST_CASE("R3 a 30 s outage with default retry options: all 1,000 pushes delivered once", "[stress][outage]")
{
    // 30 s at scale 1; sanitizer runs scale it down (3 s at 0.1).
    run_outage(std::chrono::milliseconds(static_cast<long long>(30000 * std::min(1.0, vwo::stress::scale()))));
}
