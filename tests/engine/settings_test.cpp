// Live settings on the engine (docs/settings.md): polling, the pull, update_settings_file and the swap,
// driven step by step through the fake transport and the manual clock.

#include "engine_fixture.hpp"

#include <vwo/error.hpp>

#include <boost/asio/bind_executor.hpp>

#include <map>
#include <optional>

using namespace vwo;
using namespace vwo::test;
using namespace std::chrono_literals;

namespace {

/// One A/B campaign "AB" (id 101) whose only variation, `variation_id` named "V<id>", takes everyone.
std::string live_settings(int variation_id, bool event_arch = false, std::string_view prefix = "",
                          long account = 123456, std::string_view status = "RUNNING")
{
    const std::string id = std::to_string(variation_id);
    std::string s = R"({"accountId":)" + std::to_string(account) +
                    R"(,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,)";
    if (event_arch)
        s += R"("isEventArchEnabled":true,)";
    if (!prefix.empty())
        s += R"("collectionPrefix":")" + std::string(prefix) + R"(",)";
    s += R"("campaigns":[{"id":101,"key":"AB","type":"VISUAL_AB","status":")" + std::string(status) +
         R"(","percentTraffic":100,"segments":{},"goals":[{"id":11,"identifier":"g","type":"CUSTOM_GOAL"}],)"
         R"("variations":[{"id":)" + id + R"(,"name":"V)" + id + R"(","weight":100,"segments":{}}]}]})";
    return s;
}

std::optional<std::string> variation(engine_fixture& f, std::string_view user = "u1")
{
    return f.impl->get_variation_name("AB", user, {}).get();
}

/// The value of query parameter `name` in `target` (not decoded), or nullopt.
std::optional<std::string> query_value(std::string_view target, std::string_view name)
{
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return std::string(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
    return std::nullopt;
}

struct live_fixture : engine_fixture {
    explicit live_fixture(std::chrono::milliseconds poll = 0ms)
    {
        options.settings_file = live_settings(1);
        options.poll_interval = poll;
    }
    /// Advances the clock in 50 ms steps for `span`, running what becomes ready.
    void pass(std::chrono::milliseconds span)
    {
        for (auto t = 0ms; t < span; t += 50ms) {
            time->advance(50ms);
            run();
        }
    }
};

} // namespace

TEST_CASE("a poll sends Node's settings request and swaps in changed settings", "[settings][poll]")
{
    live_fixture f(1000ms);
    f.launch();
    REQUIRE(variation(f) == "V1");
    REQUIRE(f.logged("periodic interval of 1000 ms"));

    f.pass(850ms); // the first poll comes after the interval, jittered by at most 10 %
    REQUIRE(f.net->waiting_for("/server-side/settings") == 0);
    f.pass(300ms);
    REQUIRE(f.net->waiting_for("/server-side/settings?") == 1);
    const std::string target = f.net->waiting.back().request->target;
    CHECK(query_value(target, "a") == "123456");
    CHECK(query_value(target, "i") == "abcdef0123456789abcdef0123456789");
    CHECK(query_value(target, "platform") == "server");
    CHECK(query_value(target, "sdk") == "vwo-cpp-sdk");
    CHECK(query_value(target, "sdk-v").has_value());
    CHECK(query_value(target, "r").has_value());

    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(2)));
    f.run();
    CHECK(variation(f) == "V2");
    CHECK(f.impl->settings_file() == live_settings(2));
    CHECK(f.logged("the client now uses the latest settings of account 123456"));
    auto s = f.stats();
    CHECK(s.settings_refreshes_attempted == 1);
    CHECK(s.settings_updated == 1);
    CHECK(s.settings_failed == 0);

    // The same settings again: unchanged, nothing swapped.
    f.pass(1150ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(2)));
    f.run();
    s = f.stats();
    CHECK(s.settings_refreshes_attempted == 2);
    CHECK(s.settings_unchanged == 1);
    CHECK(s.settings_updated == 1);
    CHECK(f.logged("are the same as those in use"));
}

TEST_CASE("a status change reaches decisions at the next poll", "[settings][poll]")
{
    live_fixture f(2000ms);
    f.launch();
    REQUIRE(variation(f) == "V1");
    f.pass(2250ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(1, false, "", 123456, "PAUSED")));
    f.run();
    CHECK(variation(f) == std::nullopt);
    boost::system::error_code ec;
    std::optional<std::string> got = "unset";
    f.impl->start_decision(detail::decision_request{detail::decision_request::api::activate, "AB", "", "u1", {}},
                           detail::variation_handler([&](boost::system::error_code e, std::optional<std::string> v) {
                               ec = e;
                               got = std::move(v);
                           }));
    f.run();
    CHECK(ec == errc::campaign_not_running);
    CHECK(got == std::nullopt);
}

TEST_CASE("a failed or invalid poll keeps the settings in use, is counted, and backs off", "[settings][poll]")
{
    live_fixture f(1000ms);
    f.launch();
    f.pass(1150ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 500));
    f.run();
    CHECK(variation(f) == "V1");
    CHECK(f.stats().settings_failed == 1);
    CHECK(f.logged("fetching the settings via polling failed for account 123456"));

    // One failure: the next wait is about 2 s (1.8 to 2.2), not 1 s.
    f.pass(1750ms);
    CHECK(f.net->waiting_for("/server-side/settings") == 0);
    f.pass(500ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, "{ not json"));
    f.run();
    CHECK(variation(f) == "V1");
    CHECK(f.stats().settings_failed == 2);

    // Two failures: about 4 s.
    f.pass(3550ms);
    CHECK(f.net->waiting_for("/server-side/settings") == 0);
    f.pass(900ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(2, false, "", 999)));
    f.run();
    CHECK(variation(f) == "V1"); // another account's settings are refused like invalid ones
    CHECK(f.stats().settings_failed == 3);
    CHECK(f.logged("they are for account 999"));

    // A success resets the wait to the interval.
    f.pass(8850ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(2)));
    f.run();
    CHECK(variation(f) == "V2");
    f.pass(1150ms);
    CHECK(f.net->waiting_for("/server-side/settings") == 1);
    const auto s = f.stats();
    CHECK(s.settings_refreshes_attempted == 5);
    CHECK(s.settings_updated + s.settings_unchanged + s.settings_failed == 4);
}

TEST_CASE("backoff doubles per failure up to ten minutes or the interval", "[settings][poll]")
{
    using engine::settings_refresher;
    CHECK(settings_refresher::backoff(1000ms, 0) == 1000ms);
    CHECK(settings_refresher::backoff(1000ms, 3) == 8000ms);
    CHECK(settings_refresher::backoff(1000ms, 40) == std::chrono::milliseconds(10min));
    CHECK(settings_refresher::backoff(std::chrono::milliseconds(20min), 5) == std::chrono::milliseconds(20min));
}

TEST_CASE("event architecture and a collection prefix in new settings change the next push", "[settings][swap]")
{
    live_fixture f;
    f.launch();
    REQUIRE(f.push("k"));
    f.tick();
    REQUIRE(f.net->waiting_for("/server-side/push?") == 1);
    f.net->answer_path("/server-side/push", 200);
    f.run();

    REQUIRE(!f.impl->update_settings_file(live_settings(1, true, "eu01")));
    REQUIRE(f.push("k"));
    f.tick();
    REQUIRE(f.net->waiting_for("/eu01/events/t?") == 1);
    CHECK(f.net->waiting.front().request->body.find("\"k\"") != std::string::npos);
}

TEST_CASE("a decision and its impression come from one snapshot", "[settings][swap]")
{
    live_fixture f;
    f.launch();
    // Decided on snapshot 1 (GET track-user, combination 1); swapped to event architecture before the
    // SDK thread builds the impression.
    REQUIRE(f.impl->activate("AB", "u1", {}).get() == "V1");
    REQUIRE(!f.impl->update_settings_file(live_settings(2, true)));
    f.tick();
    REQUIRE(f.net->waiting.size() == 1);
    const std::string first = f.net->waiting.front().request->target;
    CHECK(first.rfind("/server-side/track-user?", 0) == 0);
    CHECK(query_value(first, "combination") == "1");
    f.net->answer(200);
    f.run();

    REQUIRE(f.impl->activate("AB", "u2", {}).get() == "V2");
    f.tick();
    REQUIRE(f.net->waiting.size() == 1);
    CHECK(f.net->waiting.front().request->target.rfind("/events/t?", 0) == 0);
    const std::string& body = f.net->waiting.front().request->body;
    CHECK((body.find("\"variation\":2") != std::string::npos || body.find("\"variation\":\"2\"") != std::string::npos));
}

TEST_CASE("update_settings_file refuses another account and invalid settings, keeping the ones in use",
          "[settings][update]")
{
    live_fixture f;
    f.launch();
    CHECK(f.impl->update_settings_file(live_settings(2, false, "", 999)) == errc::settings_of_another_account);
    CHECK(f.impl->update_settings_file("{\"accountId\":123456}") == errc::invalid_settings);
    CHECK(f.impl->update_settings_file("") == errc::invalid_settings);
    CHECK(f.impl->settings_file() == live_settings(1));
    CHECK(variation(f) == "V1");
    CHECK(!f.impl->update_settings_file(live_settings(1))); // the same text: fine, unchanged
    const auto s = f.stats();
    CHECK(s.settings_refreshes_attempted == 4);
    CHECK(s.settings_failed == 3);
    CHECK(s.settings_unchanged == 1);
    CHECK(s.settings_updated == 0);
}

TEST_CASE("get_and_update_settings_file pulls, in every face", "[settings][pull]")
{
    SECTION("promise mode: true once the settings served are in use")
    {
        live_fixture f;
        f.options.return_promise_for.get_and_update_settings_file = true;
        f.launch();
        auto result = f.impl->get_and_update_settings_file();
        REQUIRE(result.is_future());
        f.run();
        REQUIRE(f.net->waiting_for("/server-side/pull?") == 1);
        const std::string target = f.net->waiting.front().request->target;
        CHECK(query_value(target, "a") == "123456");
        CHECK(query_value(target, "platform") == "server");
        REQUIRE(f.net->answer_path("/server-side/pull", 200, live_settings(2)));
        f.run();
        CHECK(result.get());
        CHECK(variation(f) == "V2");
    }
    SECTION("promise mode: false when the pull fails")
    {
        live_fixture f;
        f.options.return_promise_for.all = true;
        f.launch();
        auto result = f.impl->get_and_update_settings_file();
        f.run();
        REQUIRE(f.net->answer_path("/server-side/pull", 401));
        f.run();
        CHECK(!result.get());
        CHECK(f.stats().settings_failed == 1);
    }
    SECTION("async: the error, and whether the settings changed")
    {
        live_fixture f;
        f.launch();
        std::optional<std::pair<boost::system::error_code, bool>> got;
        auto remember = [&](boost::system::error_code ec, bool changed) { got.emplace(ec, changed); };
        f.impl->start_refresh(remember);
        CHECK(!got); // never inside the initiating call
        f.run();
        REQUIRE(f.net->answer_path("/server-side/pull", 200, live_settings(1)));
        f.run();
        REQUIRE(got);
        CHECK(!got->first);
        CHECK(!got->second); // served what was in use

        got.reset();
        f.impl->start_refresh(remember);
        f.run();
        REQUIRE(f.net->answer_path("/server-side/pull", 200, live_settings(3)));
        f.run();
        REQUIRE(got);
        CHECK(!got->first);
        CHECK(got->second);

        got.reset();
        f.impl->start_refresh(remember);
        f.run();
        f.net->fail(errc::connect_failed);
        f.run();
        REQUIRE(got);
        CHECK(got->first == errc::connect_failed);
        CHECK(variation(f) == "V3");
    }
    SECTION("immediate mode: true when started, false after opt-out")
    {
        live_fixture f;
        f.launch();
        CHECK(f.impl->get_and_update_settings_file().get());
        f.run();
        CHECK(f.net->waiting_for("/server-side/pull?") == 1);
        f.impl->set_opt_out();
        f.run();
        CHECK(!f.impl->get_and_update_settings_file().get());
        std::optional<boost::system::error_code> refused;
        f.impl->start_refresh([&](boost::system::error_code ec, bool) { refused = ec; });
        f.run();
        CHECK(refused == make_error_code(errc::opted_out));
    }
}

TEST_CASE("polling stops at opt-out", "[settings][poll]")
{
    live_fixture f(1000ms);
    f.launch();
    f.pass(1150ms);
    REQUIRE(f.net->answer_path("/server-side/settings", 200, live_settings(1)));
    f.run();
    f.impl->set_opt_out();
    f.run();
    f.pass(5000ms);
    CHECK(f.net->waiting_for("/server-side/settings") == 0);
    CHECK(f.stats().settings_refreshes_attempted == 1);
}

TEST_CASE("shutdown ends a poll and a pull in flight and keeps its deadline", "[settings][shutdown]")
{
    live_fixture f(1000ms);
    f.launch();
    f.pass(1150ms);
    REQUIRE(f.net->waiting_for("/server-side/settings") == 1);
    std::optional<boost::system::error_code> pulled;
    f.impl->start_refresh([&](boost::system::error_code ec, bool) { pulled = ec; });
    f.run();
    REQUIRE(f.net->waiting_for("/server-side/pull") == 1);

    f.shutdown(2000ms); // nothing else outstanding: finishes at once, closing the settings connection
    f.run();
    CHECK(f.net->closed);
    CHECK(f.net->waiting.empty());
    REQUIRE(pulled);
    CHECK(*pulled == errc::shutting_down);
    f.pass(5000ms);
    CHECK(f.stats().settings_refreshes_attempted == 2);
    CHECK(f.stats().settings_failed == 2);
    CHECK(!f.logged("fetching the settings via polling failed")); // a shutdown is not a failure to report
}

namespace {

/// A map in memory. Thread-safety: the test thread only.
class memory_storage final : public user_storage {
public:
    std::optional<user_storage_record> get(std::string_view user, std::string_view campaign) override
    {
        auto it = records_.find(std::string(user) + "|" + std::string(campaign));
        if (it == records_.end())
            return std::nullopt;
        return it->second;
    }
    void set(const user_storage_record& r) override { records_[r.user_id + "|" + r.campaign_key] = r; }

private:
    std::map<std::string, user_storage_record> records_;
};

/// Campaign "AB" with variations V1 and V2; `first_wins` gives V1 all the traffic, otherwise V2.
std::string two_variations(bool first_wins)
{
    const std::string w1 = first_wins ? "100" : "0", w2 = first_wins ? "0" : "100";
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
           R"({"id":101,"key":"AB","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},)"
           R"("goals":[],"variations":[{"id":1,"name":"V1","weight":)" +
           w1 + R"(,"segments":{}},{"id":2,"name":"V2","weight":)" + w2 + R"(,"segments":{}}]}]})";
}

} // namespace

TEST_CASE("user storage and the batch queue carry over a swap", "[settings][swap]")
{
    live_fixture f;
    f.options.settings_file = two_variations(true);
    f.options.user_storage = std::make_shared<memory_storage>();
    f.options.batch_events = batch_events_options{};
    f.options.batch_events->events_per_request = 10;
    f.launch();
    REQUIRE(f.impl->activate("AB", "old-user", {}).get() == "V1"); // stored, and its impression queued
    REQUIRE(f.push("k"));
    f.tick();
    REQUIRE(f.stats().queued == 2);

    REQUIRE(!f.impl->update_settings_file(two_variations(false))); // all traffic to V2 now
    CHECK(f.stats().queued == 2); // the batch queue was kept
    CHECK(f.impl->get_variation_name("AB", "old-user", {}).get() == "V1"); // sticky: from storage
    CHECK(f.impl->activate("AB", "new-user", {}).get() == "V2");
    f.tick();
    CHECK(f.stats().queued == 3);

    REQUIRE(f.impl->flush_events().get());
    f.run();
    REQUIRE(f.net->waiting_for("/server-side/batch-events?") == 1);
    f.net->answer(200);
    f.run();
    CHECK(f.stats().delivered == 3);
}
