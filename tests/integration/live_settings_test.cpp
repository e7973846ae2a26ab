// Live settings against a real collector on 127.0.0.1 (docs/settings.md): launch from keys, polling that
// follows a change within one interval, failures that keep the settings in use, shutdown during a poll,
// and 8 threads deciding and pushing through 1,000 swaps without ever mixing two snapshots.

#include "fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace vwo::test;
using vwo::tools::scripted_response;
using namespace std::chrono_literals;

namespace {

/// One A/B campaign "AB" (id 101) whose only variation, `variation_id` named "V<id>", takes everyone.
std::string live_settings(int variation_id, bool event_arch = false, long long account = 123456,
                          const std::string& status = "RUNNING")
{
    auto s = json_of(settings_json(account, event_arch));
    s["campaigns"] = nlohmann::json::array({{{"id", 101},
                                             {"key", "AB"},
                                             {"type", "VISUAL_AB"},
                                             {"status", status},
                                             {"percentTraffic", 100},
                                             {"segments", nlohmann::json::object()},
                                             {"goals", nlohmann::json::array()},
                                             {"variations",
                                              {{{"id", variation_id},
                                                {"name", "V" + std::to_string(variation_id)},
                                                {"weight", 100},
                                                {"segments", nlohmann::json::object()}}}}}});
    return s.dump();
}

scripted_response serving(std::string body, unsigned status = 200)
{
    scripted_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

/// Options that launch from keys against `collector` (no settings file).
vwo::client_options keyed_options(const vwo::tools::local_collector& collector, log_capture& logs)
{
    auto o = options_for(collector, logs, "");
    o.account_id = "123456";
    o.sdk_key = sdk_key;
    return o;
}

/// Waits (bounded) until `ready()` holds, checking every few milliseconds.
template <class Ready>
bool eventually(Ready ready, std::chrono::milliseconds deadline = test_deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!ready()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

} // namespace

TEST_CASE("launch from keys fetches the settings first", "[settings][launch]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    collector.set_path_response("/server-side/settings", serving(live_settings(1)));
    auto client = vwo::launch(keyed_options(collector, logs));
    REQUIRE(client.valid());
    CHECK(client.get_variation_name("AB", "u1").get() == "V1");
    CHECK(client.settings_file() == live_settings(1));
    const auto fetch = collector.requests().front();
    CHECK(fetch.path == "/server-side/settings");
    CHECK(fetch.query_value("a") == "123456");
    CHECK(fetch.query_value("i") == sdk_key);
    for (const auto& [level, line] : logs.lines())
        CHECK(line.find(sdk_key) == std::string::npos); // the key is never logged
}

TEST_CASE("launch from keys names why it failed", "[settings][launch]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    SECTION("a refused key")
    {
        collector.set_path_response("/server-side/settings", serving("{}", 401));
        boost::system::error_code ec;
        auto client = vwo::launch(keyed_options(collector, logs), ec);
        CHECK(!client.valid());
        CHECK(ec == vwo::errc::http_unauthorized);
    }
    SECTION("settings that are not valid")
    {
        collector.set_path_response("/server-side/settings", serving("{\"accountId\":123456}"));
        try {
            auto client = vwo::launch(keyed_options(collector, logs));
            FAIL("launched on invalid settings");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::invalid_settings);
        }
    }
    SECTION("another account's settings")
    {
        collector.set_path_response("/server-side/settings", serving(live_settings(1, false, 999)));
        boost::system::error_code ec;
        auto client = vwo::launch(keyed_options(collector, logs), ec);
        CHECK(ec == vwo::errc::invalid_settings);
    }
    SECTION("no settings file and no keys")
    {
        auto o = options_for(collector, logs, "");
        boost::system::error_code ec;
        auto client = vwo::launch(o, ec);
        CHECK(ec == vwo::errc::invalid_settings);
        CHECK(collector.request_count() == 0);
    }
    SECTION("a collector that never answers: bounded by the timeouts")
    {
        auto never = serving("{}");
        never.never_answer = true;
        collector.set_path_response("/server-side/settings", never);
        auto o = keyed_options(collector, logs);
        o.timeouts.request = 300ms;
        const auto start = std::chrono::steady_clock::now();
        boost::system::error_code ec;
        auto client = vwo::launch(o, ec);
        CHECK(ec == vwo::errc::timeout);
        CHECK(std::chrono::steady_clock::now() - start < 5s);
    }
}

TEST_CASE("async_launch fetches and launches without blocking the caller", "[settings][launch]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    collector.set_path_response("/server-side/settings", serving(live_settings(2)));
    auto launched = vwo::async_launch(keyed_options(collector, logs),
                                      boost::asio::use_future([](boost::system::error_code ec, vwo::client c) {
                                          return std::make_pair(ec, std::move(c));
                                      }));
    REQUIRE(ready_within(launched));
    auto [ec, client] = launched.get();
    REQUIRE(!ec);
    CHECK(client.get_variation_name("AB", "u1").get() == "V2");

    collector.set_path_response("/server-side/settings", serving("{}", 403));
    auto refused = vwo::async_launch(keyed_options(collector, logs),
                                     boost::asio::use_future([](boost::system::error_code e, vwo::client c) {
                                         return std::make_pair(e, c.valid());
                                     }));
    REQUIRE(ready_within(refused));
    const auto [refused_ec, valid] = refused.get();
    CHECK(refused_ec == vwo::errc::http_unauthorized);
    CHECK(!valid);
}

TEST_CASE("polling: a change reaches decisions within one interval, failures keep the settings",
          "[settings][poll]")
{
    collector_fixture f(live_settings(1));
    f.opts.poll_interval = 1000ms;
    f.collector.set_path_response("/server-side/settings", serving(live_settings(1)));
    auto& client = f.launch();
    REQUIRE(client.get_variation_name("AB", "u1").get() == "V1");

    // A traffic change: the campaign moves everyone to another variation.
    f.collector.set_path_response("/server-side/settings", serving(live_settings(2)));
    const auto changed_at = std::chrono::steady_clock::now();
    REQUIRE(eventually([&] { return client.get_variation_name("AB", "u1").get() == "V2"; }));
    const auto took = std::chrono::steady_clock::now() - changed_at;
    CHECK(took < 1100ms + 500ms); // one jittered interval, plus a loaded machine's margin
    WARN("the change reached decisions after "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");

    // The collector fails: the settings in use stay, the failures are counted.
    f.collector.set_path_response("/server-side/settings", serving("oops", 503));
    REQUIRE(eventually([&] { return client.stats().settings_failed >= 1; }, 5s));
    CHECK(client.get_variation_name("AB", "u1").get() == "V2");
    CHECK(f.logs.contains(vwo::log_level::error, "fetching the settings via polling failed for account 123456"));

    // A status change after recovery (the backoff has doubled the wait to about 2 s).
    f.collector.set_path_response("/server-side/settings", serving(live_settings(2, false, 123456, "PAUSED")));
    REQUIRE(eventually([&] { return !client.get_variation_name("AB", "u1").get().has_value(); }, 5s));
    const auto s = client.stats();
    CHECK(s.settings_updated >= 2);
    CHECK(s.settings_age < 5s);
    for (const auto& r : f.collector.requests())
        if (r.path == "/server-side/settings")
            CHECK(r.query_value("platform") == "server");
}

TEST_CASE("get_and_update_settings_file pulls from a real collector", "[settings][pull]")
{
    collector_fixture f(live_settings(1));
    f.collector.set_path_response("/server-side/pull", serving(live_settings(4)));
    auto& client = f.launch();
    const auto start = std::chrono::steady_clock::now();
    auto pulled = client.async_get_and_update_settings_file(
        boost::asio::use_future([](boost::system::error_code ec, bool changed) { return std::make_pair(ec, changed); }));
    REQUIRE(ready_within(pulled));
    WARN("a pull (request, answer, parse, swap) took "
         << std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count()
         << " us");
    const auto [ec, changed] = pulled.get();
    CHECK(!ec);
    CHECK(changed);
    CHECK(client.get_variation_name("AB", "u1").get() == "V4");
    CHECK(f.collector.requests().back().path == "/server-side/pull");
}

TEST_CASE("shutdown during a poll in flight returns within its deadline", "[settings][shutdown]")
{
    collector_fixture f(live_settings(1));
    f.opts.poll_interval = 1000ms;
    auto never = serving("{}");
    never.never_answer = true;
    f.collector.set_path_response("/server-side/settings", never);
    auto& client = f.launch();
    REQUIRE(f.collector.wait_for_requests(1, 5s));
    const auto start = std::chrono::steady_clock::now();
    client.shutdown(500ms);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took < 500ms + 300ms);
    WARN("shutdown during a poll took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

TEST_CASE("8 threads deciding and pushing through 1,000 swaps never mix two snapshots", "[settings][swap]")
{
    // Snapshot A: variation 1, GET track-user impressions. Snapshot B: variation 2, event architecture
    // (POST events/t). Whatever the interleaving, a user's decision and its impression come from one.
    collector_fixture f(live_settings(1));
    f.opts.max_queue_events = 100000;
    f.opts.max_queue_bytes = 256 * 1024 * 1024;
    f.opts.max_connections = 8;
    f.opts.logging.level = vwo::log_level::warn;
    auto& client = f.launch();
    const std::string a = live_settings(1), b = live_settings(2, true);

    constexpr int threads = 8, calls_per_thread = 250;
    std::atomic<bool> go{false};
    std::atomic<int> deciding{threads};
    std::mutex m;
    std::map<std::string, std::string> decided; // user -> variation name
    std::atomic<int> bad_names{0}, refused_pushes{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            while (!go)
                std::this_thread::yield();
            for (int i = 0; i < calls_per_thread; ++i) {
                const std::string user = "t" + std::to_string(t) + "-" + std::to_string(i);
                auto name = client.activate("AB", user).get();
                if (name != "V1" && name != "V2")
                    ++bad_names;
                else {
                    std::lock_guard lock(m);
                    decided[user] = *name;
                }
                if (!client.push("plan", "gold", user).get())
                    ++refused_pushes;
            }
            --deciding;
        });
    }
    go = true;
    int swaps = 0;
    while (swaps < 1000 || deciding > 0) {
        REQUIRE(!client.update_settings_file(swaps % 2 ? a : b));
        ++swaps;
        if (swaps > 100000)
            break; // bounded even if a worker is stuck (the checks below then fail)
    }
    for (auto& w : workers)
        w.join();
    client.shutdown(10s);

    CHECK(swaps >= 1000);
    CHECK(bad_names == 0);
    CHECK(refused_pushes == 0);
    REQUIRE(decided.size() == threads * calls_per_thread);
    std::size_t impressions = 0, pushes = 0;
    for (const auto& r : f.collector.requests()) {
        if (r.path == "/server-side/track-user") {
            ++impressions;
            CHECK(r.query_value("combination") == "1");
        } else if (r.path == "/events/t" && r.query_value("en") == "vwo_variationShown") {
            ++impressions;
            CHECK((r.body.find("\"variation\":2") != std::string::npos ||
                   r.body.find("\"variation\":\"2\"") != std::string::npos));
        } else if (r.path == "/server-side/push" || r.path == "/events/t") {
            ++pushes;
        }
    }
    CHECK(impressions == decided.size());
    CHECK(pushes == decided.size());
    // Each impression's format matches the variation the same call returned: as many V1 decisions as
    // track-user impressions.
    std::size_t v1 = 0;
    for (const auto& [user, name] : decided)
        v1 += name == "V1";
    std::size_t track_user = 0;
    for (const auto& r : f.collector.requests())
        track_user += r.path == "/server-side/track-user";
    CHECK(v1 == track_user);
    CHECK(v1 > 0); // both snapshots served decisions: the swaps really ran among the calls
    CHECK(v1 < decided.size());
    const auto s = client.stats();
    CHECK(s.settings_updated == static_cast<std::uint64_t>(swaps));
    CHECK(s.delivered == s.accepted);
}
