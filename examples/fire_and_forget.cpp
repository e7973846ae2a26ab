// fire_and_forget: async_push with asio::detached inside a (simulated) request handler. The handler
// answers its client at once; the SDK thread delivers the push in the background; client.stats()
// shows at the end what really happened.
//
// When to use it:
//  - the response must not wait for VWO, and nothing in the handler depends on the outcome;
//  - you are in Asio code already and want no future or callback per call.
// What you give up: a per-call result. Invalid input, refusals and delivery failures still reach
// the log and the counters in client.stats() (watch `failed()` and `dropped()` in your metrics),
// and shutdown() / the destructor still sends what was accepted.
// Prefer plain push() if you want to know at once whether the input was valid and accepted (it
// returns that bool just as cheaply), and co_await async_push(...) if the handler must know that
// the push was delivered (see coroutine_server.cpp).
//
// Runs against an embedded collector on 127.0.0.1 (no VWO account needed). Exits non-zero unless
// every push was delivered.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct request {
    std::string user_id;
    std::string plan;
};

// Your request handler. async_push copies its arguments at once, so `r` may go away right after.
std::string handle_checkout(vwo::client& vwo_client, const request& r)
{
    vwo_client.async_push("plan", r.plan, r.user_id, asio::detached);
    return "200 OK: thanks, " + r.user_id; // answered without waiting for VWO
}

} // namespace

int main()
{
    vwo::tools::local_collector collector; // stands in for VWO's collector

    vwo::client_options options;
    options.settings_file =
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";
    options.endpoint = collector.endpoint();
    options.logging.level = vwo::log_level::warn; // failures and retries would show up here
    vwo::client client = vwo::launch(options);

    // The "server": 4 worker threads handling 200 requests.
    constexpr int requests = 200;
    std::atomic<int> answered{0};
    std::atomic<long long> slowest_us{0};
    {
        asio::thread_pool server(4);
        for (int i = 0; i < requests; ++i)
            asio::post(server, [&, i] {
                const auto start = std::chrono::steady_clock::now();
                const std::string response =
                    handle_checkout(client, {"user-" + std::to_string(i), i % 3 == 0 ? "gold" : "free"});
                const long long us =
                    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
                        .count();
                for (long long seen = slowest_us.load(); us > seen && !slowest_us.compare_exchange_weak(seen, us);) {
                }
                answered += response.starts_with("200") ? 1 : 0;
            });
        server.join();
    }
    const vwo::client_stats before = client.stats();
    std::printf("%d requests answered; slowest handler took %lld us (no network wait inside)\n", answered.load(),
                slowest_us.load());
    std::printf("right after the handlers: accepted=%llu delivered=%llu queued+in_flight=%llu\n",
                static_cast<unsigned long long>(before.accepted), static_cast<unsigned long long>(before.delivered),
                static_cast<unsigned long long>(before.queued + before.in_flight));

    // At the end of the process (or periodically, for your metrics): what really happened.
    client.shutdown(5s); // sends whatever is still queued, waits for what is in flight
    const vwo::client_stats s = client.stats();
    std::printf("after shutdown:            accepted=%llu delivered=%llu failed=%llu dropped=%llu requests_sent=%llu "
                "retries=%llu\n",
                static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.delivered),
                static_cast<unsigned long long>(s.failed()), static_cast<unsigned long long>(s.dropped()),
                static_cast<unsigned long long>(s.requests_sent), static_cast<unsigned long long>(s.retries));
    // Request latency per HTTP attempt (connection wait included): export these for your dashboards.
    std::printf("request latency: mean %lld us, p99 <= %lld us, max %lld us over %llu attempts\n",
                static_cast<long long>(s.request_latency.mean().count()),
                static_cast<long long>(s.request_latency.quantile(0.99).count()),
                static_cast<long long>(s.request_latency.max.count()),
                static_cast<unsigned long long>(s.request_latency.count));
    std::printf("the collector received %zu pushes over %zu connection(s)\n", collector.request_count(),
                collector.connections_accepted());

    const bool ok = answered == requests && s.delivered == static_cast<unsigned>(requests) &&
                    s.request_latency.count == s.attempts &&
                    collector.request_count() == static_cast<std::size_t>(requests);
    std::printf("%s\n", ok ? "fire_and_forget OK" : "fire_and_forget FAILED");
    return ok ? 0 : 1;
}
