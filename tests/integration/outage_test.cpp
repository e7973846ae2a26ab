// Reliability R2/R3/R6 across an outage: the collector refuses connections for ~2 s, then
// comes up on the same port. Every accepted push must arrive exactly once.

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <set>
#include <thread>

using namespace vwo::test;
using vwo::tools::collector_options;
using vwo::tools::local_collector;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;


TEST_CASE("R6 outage: pushes made while the collector refuses connections are delivered exactly once when it returns",
          "[outage]")
{
    constexpr int threads = 2;
    constexpr int per_thread = 100;
    constexpr int total = threads * per_thread;
    // How long the collector stays away. This is the scenario, not synchronisation: nothing
    // below depends on what the client did during it, only on what it did after.
    constexpr auto outage = 2s;

    const std::uint16_t port = free_port();
    log_capture logs;
    vwo::client_options opts;
    opts.settings_file = settings_json();
    opts.endpoint = "http://127.0.0.1:" + std::to_string(port);
    opts.logging.logger = logs.callback();
    opts.logging.level = vwo::log_level::warn;
    opts.retry.base_delay = 50ms;
    opts.retry.max_delay = 500ms;
    // Full jitter over min(500, 50 * 2^n) ms: 10 retries wait only ~1.9 s on average (sd ~0.4 s),
    // so with 200 requests some would exhaust their retries inside a 2 s outage. 30 retries wait
    // ~6.9 s on average (sd ~0.75 s): running out within 2 s is a > 6-sigma event.
    opts.retry.max_retries = 30;
    opts.timeouts.request = 3s;
    opts.shutdown_timeout = 3s;
    auto client = vwo::launch(opts);

    const auto outage_start = steady::now();
    std::vector<std::thread> producers;
    std::vector<int> accepted(threads, 0);
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string value = "t" + std::to_string(t) + "-" + std::to_string(i);
                if (client.push("outage", value, "user-" + std::to_string(i % 13)).get())
                    ++accepted[t];
            }
        });
    for (auto& p : producers)
        p.join();
    REQUIRE(accepted[0] + accepted[1] == total);

    std::this_thread::sleep_until(outage_start + outage);
    const auto during = client.stats();
    CHECK(during.delivered == 0);
    CHECK(during.retries > 0);
    CHECK(during.failed() == 0); // nothing gave up during the outage
    CHECK(accounting_holds(during));

    collector_options back;
    back.port = port;
    local_collector collector(back);
    REQUIRE(collector.wait_for_requests(total, 30s));

    client.shutdown(10s); // waits for the last acknowledgements
    const auto rs = collector.requests();
    CHECK(rs.size() == static_cast<std::size_t>(total)); // no duplicates
    std::set<std::string> values;
    for (const auto& r : rs) {
        const auto tags = json_of(r.query_value("tags").value_or("{}"));
        if (tags.contains("u") && tags["u"].contains("outage"))
            values.insert(tags["u"]["outage"].get<std::string>());
    }
    CHECK(values.size() == static_cast<std::size_t>(total));

    const auto s = client.stats();
    CHECK(s.accepted == static_cast<std::uint64_t>(total));
    CHECK(s.delivered == static_cast<std::uint64_t>(total));
    CHECK(s.failed() == 0);
    CHECK(s.dropped() == 0);
    CHECK(s.attempts == s.retries + total);
    CHECK(s.requests_sent == total); // refused attempts wrote nothing; each push was written once
    CHECK(accounting_holds(s));
}
