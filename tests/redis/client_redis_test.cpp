// The client with vwo::redis_user_storage as its client_options::async_user_storage, against a real
// redis-server (docs/decisions.md#the-redis-store): sticky decisions across traffic changes, goals converted
// once, Redis killed and restarted mid-run, a Redis that never answers, and 8 threads deciding at once.
// Development mode: decisions and storage only, nothing on the network but Redis.

#include "redis_test_support.hpp"

#include <vwo/vwo.hpp>

#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

using namespace vwo;
using vwo::testing::local_redis_server;
using namespace std::chrono_literals;

namespace {

/// Campaign "AB" (goal "g") with variations V1 and V2; `first_wins` gives V1 all the traffic.
std::string two_variations(bool first_wins)
{
    const std::string w1 = first_wins ? "100" : "0", w2 = first_wins ? "0" : "100";
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
           R"({"id":101,"key":"AB","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},)"
           R"("goals":[{"id":11,"identifier":"g","type":"CUSTOM_GOAL"}],"variations":[{"id":1,"name":"V1","weight":)" +
           w1 + R"(,"segments":{}},{"id":2,"name":"V2","weight":)" + w2 + R"(,"segments":{}}]}]})";
}

client_options options_with(std::shared_ptr<redis_user_storage> store)
{
    client_options o;
    o.settings_file = two_variations(true);
    o.async_user_storage = std::move(store);
    o.development_mode = true;
    o.storage_deadline = 1500ms;
    o.logging.logger = [](log_level, std::string_view) {}; // quiet; the counters are checked instead
    return o;
}

std::optional<std::string> activate(client& c, const std::string& user)
{
    auto f = c.async_activate("AB", user, boost::asio::use_future);
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    return f.get();
}

/// VWO_STRESS_SCALE (sanitizer runs set 0.1) times `n`, at least 1.
int scaled(int n)
{
    const char* text = std::getenv("VWO_STRESS_SCALE");
    const double scale = text ? std::atof(text) : 1.0;
    return std::max(1, static_cast<int>(n * (scale > 0 ? scale : 1.0)));
}

} // namespace

TEST_CASE("with the Redis store a user keeps the variation across traffic changes and converts a goal once",
          "[client]")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto store = std::make_shared<redis_user_storage>(test::options_for(server));
    auto c = launch(options_with(store));

    CHECK(activate(c, "u1") == "V1");
    REQUIRE(!c.update_settings_file(two_variations(false))); // everyone new goes to V2 now
    CHECK(activate(c, "u1") == "V1");                        // u1 keeps V1: from Redis
    CHECK(activate(c, "u2") == "V2");
    CHECK(server.command({"EXISTS", "AB:u1"}) == "1"); // the record is where Node's helper keeps it

    auto first = c.async_track("AB", "u1", "g", boost::asio::use_future);
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    CHECK(first.get().campaigns.at(0).tracked);
    auto second = c.async_track("AB", "u1", "g",
                                boost::asio::use_future([](boost::system::error_code ec, track_result) { return ec; }));
    REQUIRE(second.wait_for(10s) == std::future_status::ready);
    CHECK(second.get() == errc::already_tracked); // the goal list in Redis says so
    CHECK(c.stats().storage_errors == 0);
    CHECK(c.stats().storage_timeouts == 0);
}

TEST_CASE("Redis killed mid-run: calls keep working, fresh while it is down and counted, sticky again after",
          "[client][faults]")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.connect_deadline = 300ms;
    options.command_deadline = 300ms;
    auto c = launch(options_with(std::make_shared<redis_user_storage>(options)));
    CHECK(activate(c, "u1") == "V1");

    server.stop(false); // SIGKILL: no goodbye
    REQUIRE(!c.update_settings_file(two_variations(false)));
    CHECK(activate(c, "u1") == "V2"); // the stored V1 cannot be read: decided afresh
    CHECK(activate(c, "u2") == "V2");
    const auto down = c.stats();
    CHECK(down.storage_errors + down.storage_timeouts >= 2);

    server.restart(); // same port, empty (no persistence)
    CHECK(activate(c, "u3") == "V2"); // stored now
    REQUIRE(!c.update_settings_file(two_variations(true)));
    CHECK(activate(c, "u3") == "V2"); // sticky again
    CHECK(c.stats().storage_errors + c.stats().storage_timeouts == down.storage_errors + down.storage_timeouts);
}

TEST_CASE("a Redis that accepts but never answers: no call waits longer than the storage deadline",
          "[client][faults]")
{
    test::silent_listener listener;
    redis_user_storage_options options;
    options.port = listener.port();
    options.connect_deadline = 5s; // longer than the client's deadline: the client's must cut it short
    options.command_deadline = 5s;
    auto o = options_with(std::make_shared<redis_user_storage>(options));
    o.storage_deadline = 200ms;
    auto c = launch(o);

    std::vector<std::future<std::optional<std::string>>> calls;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i)
        calls.push_back(c.async_activate("AB", "user-" + std::to_string(i), boost::asio::use_future));
    for (auto& f : calls) {
        REQUIRE(f.wait_for(5s) == std::future_status::ready);
        CHECK(f.get() == "V1"); // decided afresh
    }
    const auto async_took = std::chrono::steady_clock::now() - start;
    CHECK(async_took < 200ms + 2 * 200ms + 300ms); // the read's deadline and the write's, plus margin

    const auto immediate_start = std::chrono::steady_clock::now();
    CHECK(c.activate("AB", "user-x").get() == "V1");
    CHECK(std::chrono::steady_clock::now() - immediate_start < 200ms + 300ms);
    CHECK(c.stats().storage_timeouts >= 40);
    c.shutdown(1s);
}

TEST_CASE("8 threads deciding through one Redis store: exact counts", "[client][threads]")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto c = launch(options_with(std::make_shared<redis_user_storage>(test::options_for(server))));
    const int threads = 8, per_thread = scaled(10000);
    std::atomic<int> v1{0}, other{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            // 200 outstanding per thread at most, as a busy server's request handlers would have.
            std::vector<std::future<std::optional<std::string>>> window;
            auto settle = [&] {
                for (auto& f : window)
                    (f.wait_for(30s) == std::future_status::ready && f.get() == "V1" ? v1 : other)++;
                window.clear();
            };
            for (int i = 0; i < per_thread; ++i) {
                window.push_back(c.async_activate("AB", "t" + std::to_string(t) + "-" + std::to_string(i),
                                                  boost::asio::use_future));
                if (window.size() == 200)
                    settle();
            }
            settle();
        });
    for (auto& w : workers)
        w.join();
    CHECK(v1 == threads * per_thread);
    CHECK(other == 0);
    CHECK(server.command({"DBSIZE"}) == std::to_string(threads * per_thread));
    CHECK(c.stats().storage_errors == 0);
    CHECK(c.stats().storage_timeouts == 0);
}
