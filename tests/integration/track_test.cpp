// track(), user storage, returning users and groups through the public client (docs/decisions.md "Track",
// "User storage", "Mutually exclusive groups"; docs/protocol.md "Track"), against a real collector on
// 127.0.0.1.

#include "fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::recorded_request;

namespace {

namespace asio = boost::asio;

nlohmann::json track_settings(bool event_arch = false)
{
    auto s = nlohmann::json::parse(R"json({
  "accountId": 123456, "sdkKey": "abcdef0123456789abcdef0123456789", "version": 3,
  "campaigns": [
    {"id": 101, "key": "AB_HOME", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100, "segments": {},
     "goals": [{"id": 11, "identifier": "cta_click", "type": "CUSTOM_GOAL"},
               {"id": 12, "identifier": "purchase", "type": "REVENUE_TRACKING", "revenueProp": "amount"},
               {"id": 13, "identifier": "signup", "type": "CUSTOM_GOAL"},
               {"id": 14, "identifier": "add to cart", "type": "CUSTOM_GOAL"}],
     "variations": [{"id": 1, "name": "Control", "weight": 50}, {"id": 2, "name": "Variation-1", "weight": 50}]},
    {"id": 201, "key": "FT_PRICE", "type": "FEATURE_TEST", "status": "RUNNING", "percentTraffic": 100,
     "segments": {},
     "goals": [{"id": 21, "identifier": "purchase", "type": "REVENUE_TRACKING", "revenueProp": "orderValue"},
               {"id": 22, "identifier": "cta_click", "type": "CUSTOM_GOAL"}],
     "variations": [{"id": 1, "name": "Control", "weight": 50, "isFeatureEnabled": false, "variables": []},
                    {"id": 2, "name": "Variation-1", "weight": 50, "isFeatureEnabled": true, "variables": []}]},
    {"id": 301, "key": "ROLLOUT_CHAT", "type": "FEATURE_ROLLOUT", "status": "RUNNING", "percentTraffic": 100,
     "segments": {}, "goals": [{"id": 31, "identifier": "purchase", "type": "REVENUE_TRACKING"}],
     "variables": [], "variations": [{"id": 1, "name": "website", "weight": 100}]},
    {"id": 401, "key": "AB_PAUSED", "type": "VISUAL_AB", "status": "PAUSED", "percentTraffic": 100,
     "segments": {}, "goals": [{"id": 41, "identifier": "purchase", "type": "REVENUE_TRACKING"}],
     "variations": [{"id": 1, "name": "Control", "weight": 100}]},
    {"id": 501, "key": "MEG_A", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100, "segments": {},
     "goals": [], "variations": [{"id": 1, "name": "A-Control", "weight": 100}]},
    {"id": 502, "key": "MEG_B", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100, "segments": {},
     "goals": [], "variations": [{"id": 1, "name": "B-Control", "weight": 100}]},
    {"id": 503, "key": "MEG_C", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100, "segments": {},
     "goals": [], "variations": [{"id": 1, "name": "C-Control", "weight": 100}]}
  ],
  "campaignGroups": {"501": 7, "502": 7, "503": 7},
  "groups": {"7": {"name": "Checkout experiments", "campaigns": [501, 502, 503]}}
})json");
    if (event_arch)
        s["isEventArchEnabled"] = true;
    return s;
}

vwo::client_options track_options(const local_collector& collector, log_capture& logs, bool event_arch = false)
{
    auto o = options_for(collector, logs, track_settings(event_arch).dump());
    o.return_promise_for.all = true;
    return o;
}

// An in-memory user storage, as a user would write one over Redis or a database.
// Thread-safety: every member is guarded by one mutex.
class memory_storage final : public vwo::user_storage {
public:
    std::optional<vwo::user_storage_record> get(std::string_view user_id, std::string_view campaign_key) override
    {
        std::lock_guard lock(mutex_);
        ++gets;
        if (throw_on_get)
            throw std::runtime_error("redis timeout");
        auto it = records_.find({std::string(user_id), std::string(campaign_key)});
        if (it == records_.end())
            return std::nullopt;
        return it->second;
    }
    void set(const vwo::user_storage_record& record) override
    {
        std::lock_guard lock(mutex_);
        ++sets;
        if (throw_on_set)
            throw std::runtime_error("disk full");
        records_[{record.user_id, record.campaign_key}] = record;
    }
    std::optional<vwo::user_storage_record> record(const std::string& user, const std::string& campaign)
    {
        std::lock_guard lock(mutex_);
        auto it = records_.find({user, campaign});
        return it == records_.end() ? std::nullopt : std::optional(it->second);
    }
    void put(vwo::user_storage_record record)
    {
        std::string user = record.user_id, campaign = record.campaign_key;
        put_at(user, campaign, std::move(record));
    }
    /// Stores `record` where get(user, campaign) finds it, whatever it says (a confused store).
    void put_at(const std::string& user, const std::string& campaign, vwo::user_storage_record record)
    {
        std::lock_guard lock(mutex_);
        records_[{user, campaign}] = std::move(record);
    }

    int gets = 0, sets = 0;
    bool throw_on_get = false, throw_on_set = false;

private:
    std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, vwo::user_storage_record> records_;
};

std::vector<std::string> query_names(const recorded_request& r)
{
    std::vector<std::string> names;
    for (const auto& [name, value] : r.query)
        names.push_back(name);
    return names;
}

vwo::track_result await_track(std::future<std::pair<boost::system::error_code, vwo::track_result>>& f,
                              boost::system::error_code& ec)
{
    REQUIRE(f.wait_for(test_deadline) == std::future_status::ready);
    auto [e, r] = f.get();
    ec = e;
    return r;
}

auto track_future()
{
    return asio::use_future([](boost::system::error_code ec, vwo::track_result r) { return std::make_pair(ec, r); });
}

/// A collector, logs and track_options(): the set-up of most tests below. Adjust `opts`, then launch().
struct track_fixture : collector_fixture {
    explicit track_fixture(bool event_arch = false) : collector_fixture(track_settings(event_arch).dump())
    {
        opts.return_promise_for.all = true;
    }
};

/// track_fixture with an in-memory user storage, launched.
struct storage_fixture : track_fixture {
    storage_fixture()
    {
        opts.user_storage = storage;
        launch();
    }
    std::shared_ptr<memory_storage> storage = std::make_shared<memory_storage>();
};

} // namespace

TEST_CASE_METHOD(track_fixture, "track in one campaign is one GET track-goal, with revenue only for revenue goals",
                 "[track][wire]")
{
    launch();
    const auto variation = client.get_variation_name("AB_HOME", "user-1").get();
    REQUIRE(variation.has_value());

    vwo::call_options call;
    call.user_agent = "UA 1";
    call.user_ip_address = "198.51.100.23";
    REQUIRE(client.track("AB_HOME", "user-1", "cta_click", call).get());
    REQUIRE(collector.request_count() == 1);
    auto r = collector.requests().back();
    CHECK(r.method == "GET");
    CHECK(r.path == "/server-side/track-goal");
    CHECK(query_names(r) == std::vector<std::string>{"experiment_id", "combination", "sId", "u", "sdk", "sdk-v",
                                                     "env", "account_id", "random", "ap", "visitor_ua",
                                                     "visitor_ip", "goal_id"});
    CHECK(r.query_value("experiment_id") == std::optional<std::string>("101"));
    CHECK(r.query_value("combination") == std::optional<std::string>(*variation == "Control" ? "1" : "2"));
    CHECK(r.query_value("goal_id") == std::optional<std::string>("11"));
    CHECK(r.query_value("visitor_ua") == std::optional<std::string>("UA 1"));
    CHECK(r.header("vwo-x-forwarded-for") == std::optional<std::string>("198.51.100.23"));

    // A revenue goal needs a revenue value; 0 is a valid revenue and is sent (docs/decisions.md#revenue).
    CHECK_FALSE(client.track("AB_HOME", "user-1", "purchase").get());
    CHECK(logs.contains(vwo::log_level::error, "'purchase' of campaign 'AB_HOME' is a revenue goal"));
    vwo::call_options zero;
    zero.revenue_value = std::int64_t{0};
    REQUIRE(client.track("AB_HOME", "user-1", "purchase", zero).get());
    vwo::call_options price;
    price.revenue_value = 49.5;
    REQUIRE(client.track("AB_HOME", "user-1", "purchase", price).get());
    REQUIRE(collector.request_count() == 3);
    CHECK(collector.requests()[1].query_value("r") == std::optional<std::string>("0"));
    CHECK(collector.requests()[2].query_value("r") == std::optional<std::string>("49.5"));
    CHECK(collector.requests()[2].query_value("goal_id") == std::optional<std::string>("12"));
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE_METHOD(track_fixture, "track across campaigns: one batch POST, per-campaign outcomes, goal type filters",
                 "[track][wire]")
{
    launch();

    // Every campaign with a "purchase" goal: two track it, the paused one and the rollout do not.
    vwo::call_options call;
    call.revenue_value = std::string("12.50");
    call.user_agent = "UA \"B\"";
    call.user_ip_address = "198.51.100.23";
    auto f = client.async_track(vwo::all_campaigns, "user-1", "purchase", call, track_future());
    boost::system::error_code ec;
    const auto result = await_track(f, ec);
    CHECK_FALSE(ec);
    CHECK(result.ok());
    REQUIRE(result.campaigns.size() == 4);
    CHECK(result.campaigns[0].campaign_key == "AB_HOME");
    CHECK(result.campaigns[0].tracked);
    CHECK(result.campaigns[1].campaign_key == "FT_PRICE");
    CHECK(result.campaigns[1].tracked);
    CHECK(result.campaigns[2].campaign_key == "ROLLOUT_CHAT");
    CHECK(result.campaigns[2].error == vwo::errc::campaign_type_mismatch);
    CHECK(result.campaigns[3].campaign_key == "AB_PAUSED");
    CHECK(result.campaigns[3].error == vwo::errc::campaign_not_running);
    CHECK(result.http_status == 200);

    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.path == "/server-side/batch-events");
    const auto events = json_of(r.body)["ev"];
    REQUIRE(events.size() == 2);
    CHECK(events[0]["e"] == 101);
    CHECK(events[0]["eT"] == 2);
    CHECK(events[0]["g"] == 12);
    CHECK(events[0]["r"] == "12.50");
    // Node writes the IP into visitor_ua here; each goes in its own field.
    CHECK(events[0]["visitor_ua"] == "UA \"B\"");
    CHECK(events[0]["visitor_ip"] == "198.51.100.23");
    CHECK(events[1]["e"] == 201);
    CHECK(events[1]["g"] == 21);

    // A list of keys in its order; unknown keys are reported, not fatal.
    auto g = client.async_track(std::vector<std::string>{"NOPE", "AB_HOME"}, "user-1", "cta_click", track_future());
    const auto listed = await_track(g, ec);
    CHECK_FALSE(ec);
    REQUIRE(listed.campaigns.size() == 2);
    CHECK(listed.campaigns[0].error == vwo::errc::campaign_not_found);
    CHECK(listed.campaigns[1].tracked);
    REQUIRE(collector.request_count() == 2);
    CHECK(collector.requests().back().path == "/server-side/batch-events"); // two considered: Node's batch rule

    // Goal types: a launch-time filter and a per-call override.
    auto revenue_only = track_options(collector, logs);
    revenue_only.goal_type_to_track = vwo::goal_type::revenue;
    auto filtered = vwo::launch(revenue_only);
    auto h = filtered.async_track("AB_HOME", "user-1", "cta_click", track_future());
    const auto skipped = await_track(h, ec);
    CHECK(ec == vwo::errc::goal_type_mismatch);
    REQUIRE(skipped.campaigns.size() == 1);
    CHECK_FALSE(skipped.campaigns[0].tracked);
    vwo::call_options any;
    any.goal_type_to_track = vwo::goal_type::all;
    CHECK(filtered.track("AB_HOME", "user-1", "cta_click", any).get());
    // No campaign has the goal at all: the call itself fails.
    auto none = client.async_track(vwo::all_campaigns, "user-1", "no_such_goal", track_future());
    await_track(none, ec);
    CHECK(ec == vwo::errc::goal_not_found);
    CHECK_FALSE(client.track("AB_HOME", "", "cta_click").get());
    CHECK_FALSE(client.track("AB_HOME", "user-1", "").get());
}

TEST_CASE("event architecture goals: POST events/t with the goal name encoded and vwoMeta", "[track][wire]")
{
    local_collector collector;
    log_capture logs;
    auto client = vwo::launch(track_options(collector, logs, true));

    // A goal name with a space works (Node crashes the process on it).
    REQUIRE(client.track("AB_HOME", "user-1", "add to cart").get());
    vwo::call_options call;
    call.revenue_value = 10;
    call.event_properties = {{"amount", 7.25}, {"sku", std::string("A-1")}};
    REQUIRE(client.track(vwo::all_campaigns, "user-1", "purchase", call).get());
    REQUIRE(collector.request_count() == 2);
    const auto first = collector.requests()[0];
    CHECK(first.path == "/events/t");
    CHECK(first.query_value("en") == std::optional<std::string>("add to cart"));
    CHECK(first.target.find("en=add%20to%20cart") != std::string::npos);
    CHECK(json_of(first.body)["d"]["event"]["name"] == "add to cart");

    const auto second = json_of(collector.requests()[1].body);
    const auto& props = second["d"]["event"]["props"];
    CHECK(props["vwoMeta"]["metric"] == nlohmann::json{{"id_101", {"g_12"}}, {"id_201", {"g_21"}}});
    CHECK(props["vwoMeta"]["amount"] == 10);
    CHECK(props["vwoMeta"]["orderValue"] == 10);
    CHECK(props["isCustomEvent"] == true);
    CHECK(props["amount"] == 7.25); // the event property, apart from the revenue
    CHECK(props["sku"] == "A-1");

    // Without a revenue value the revenue property in event_properties counts (docs/decisions.md#revenue).
    vwo::call_options by_property;
    by_property.event_properties = {{"amount", 3}};
    auto f = client.async_track("AB_HOME", "user-1", "purchase", by_property, track_future());
    boost::system::error_code ec;
    CHECK(await_track(f, ec).ok());
    CHECK_FALSE(ec);
}

TEST_CASE_METHOD(track_fixture, "batch mode queues goals with impressions", "[track][wire]")
{
    opts.batch_events = vwo::batch_events_options{};
    launch();
    auto shown = client.activate("AB_HOME", "user-1").to_future();
    vwo::call_options call;
    call.revenue_value = 5;
    auto converted = client.track("AB_HOME", "user-1", "purchase", call).to_future();
    auto flushed = client.flush_events().to_future();
    REQUIRE(flushed.wait_for(test_deadline) == std::future_status::ready);
    CHECK(flushed.get());
    REQUIRE(converted.wait_for(test_deadline) == std::future_status::ready);
    CHECK(converted.get());
    REQUIRE(collector.request_count() == 1);
    const auto events = json_of(collector.requests().front().body)["ev"];
    REQUIRE(events.size() == 2);
    CHECK(events[0]["eT"] == 1);
    CHECK(events[1]["eT"] == 2);
    CHECK(events[1]["g"] == 12);
    CHECK(events[1]["r"] == 5);
}

TEST_CASE_METHOD(storage_fixture, "user storage keeps a user's variation and suppresses returning users",
                 "[track][storage]")
{
    // Nothing stored: get_variation_name and track wait for activate
    // (docs/decisions.md#who-decides-with-storage-configured).
    CHECK_FALSE(client.get_variation_name("AB_HOME", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::warn, "is not yet activated for user 'user-1'"));
    CHECK_FALSE(client.track("AB_HOME", "user-1", "cta_click").get());

    const auto variation = client.activate("AB_HOME", "user-1").get();
    REQUIRE(variation.has_value());
    REQUIRE(storage->record("user-1", "AB_HOME").has_value());
    CHECK(storage->record("user-1", "AB_HOME")->variation_name == *variation);
    REQUIRE(collector.request_count() == 1);
    CHECK(collector.requests().front().query_value("ss") == std::optional<std::string>("1")); // usage stat

    // A returning user keeps the variation and is not tracked again unless asked.
    CHECK(client.activate("AB_HOME", "user-1").get() == variation);
    CHECK(collector.request_count() == 1);
    CHECK(logs.contains(vwo::log_level::info, "already tracked for campaign 'AB_HOME'"));
    vwo::call_options again;
    again.should_track_returning_user = true;
    CHECK(client.activate("AB_HOME", "user-1", again).get() == variation);
    CHECK(collector.request_count() == 2);

    // The stored variation survives a change of traffic and weights (a new settings file).
    auto changed = track_settings();
    changed["campaigns"][0]["percentTraffic"] = 1;
    changed["campaigns"][0]["variations"][0]["weight"] = *variation == "Control" ? 0 : 100;
    changed["campaigns"][0]["variations"][1]["weight"] = *variation == "Control" ? 100 : 0;
    auto relaunched_opts = opts;
    relaunched_opts.settings_file = changed.dump();
    auto relaunched = vwo::launch(relaunched_opts);
    CHECK(relaunched.get_variation_name("AB_HOME", "user-1").get() == variation);
    CHECK(relaunched.activate("AB_HOME", "user-1").get() == variation);
}

TEST_CASE_METHOD(storage_fixture, "goal de-duplication remembers every goal converted", "[track][storage]")
{
    REQUIRE(client.activate("AB_HOME", "user-1").get().has_value());
    collector.clear();

    // Node's sequence: its second cta_click after a signup is sent again; ours is not.
    CHECK(client.track("AB_HOME", "user-1", "cta_click").get());
    CHECK_FALSE(client.track("AB_HOME", "user-1", "cta_click").get());
    CHECK(client.track("AB_HOME", "user-1", "signup").get());
    CHECK_FALSE(client.track("AB_HOME", "user-1", "cta_click").get());
    CHECK_FALSE(client.track("AB_HOME", "user-1", "signup").get());
    CHECK(collector.request_count() == 2);
    CHECK(storage->record("user-1", "AB_HOME")->goal_identifier == "cta_click_vwo_signup");
    auto f = client.async_track("AB_HOME", "user-1", "cta_click", track_future());
    boost::system::error_code ec;
    const auto result = await_track(f, ec);
    CHECK(ec == vwo::errc::already_tracked);
    // Asked to, it tracks again.
    vwo::call_options again;
    again.should_track_returning_user = true;
    CHECK(client.track("AB_HOME", "user-1", "cta_click", again).get());
    CHECK(collector.request_count() == 3);
}

TEST_CASE_METHOD(storage_fixture, "a failing or confused user storage never breaks a call", "[track][storage]")
{
    storage->throw_on_get = true;
    const auto variation = client.activate("AB_HOME", "user-1").get(); // decided afresh
    REQUIRE(variation.has_value());
    CHECK(logs.contains(vwo::log_level::error, "user_storage.get failed for user 'user-1' in campaign 'AB_HOME': "
                                               "redis timeout"));
    storage->throw_on_get = false;

    storage->throw_on_set = true;
    CHECK(client.activate("AB_HOME", "user-2").get().has_value());
    CHECK(logs.contains(vwo::log_level::error, "user_storage.set failed for user 'user-2'"));
    storage->throw_on_set = false;

    // Another user's record, or a variation that no longer exists, is not used.
    storage->put_at("user-5", "AB_HOME", {"someone-else", "AB_HOME", "Variation-1", "", {}});
    CHECK_FALSE(client.get_variation_name("AB_HOME", "user-5").get().has_value()); // nothing usable stored
    CHECK(logs.contains(vwo::log_level::warn, "returned the record of user 'someone-else'"));
    storage->put({"user-3", "AB_HOME", "Deleted-Variation", "", {}});
    CHECK(client.get_variation_name("AB_HOME", "user-3").get().has_value()); // decided afresh and stored
    CHECK(storage->record("user-3", "AB_HOME")->variation_name != "Deleted-Variation");

    // user_storage_data replaces the stored fields for one call: no impression for a stored decision.
    collector.clear();
    vwo::call_options forced;
    forced.user_storage_data = vwo::user_storage_record{"user-4", "AB_HOME", "Variation-1", "", {}};
    CHECK(client.activate("AB_HOME", "user-4", forced).get() == std::optional<std::string>("Variation-1"));
    client.shutdown();
    CHECK(collector.request_count() == 0);
}

TEST_CASE("a mutually exclusive group gives each user at most one of its campaigns", "[track][groups]")
{
    local_collector collector;
    log_capture logs;
    std::vector<vwo::decision_event> events;
    auto opts = track_options(collector, logs);
    opts.integrations = [&](const vwo::decision_event& e) { events.push_back(e); };
    auto client = vwo::launch(opts);
    for (int i = 0; i < 60; ++i) {
        const std::string user = "meg-user-" + std::to_string(i);
        int winners = 0;
        for (const char* key : {"MEG_A", "MEG_B", "MEG_C"})
            winners += client.get_variation_name(key, user).get().has_value() ? 1 : 0;
        // Three members with floor(100/3) each leave Node a gap above 9900; we close it, so exactly one.
        CHECK(winners == 1);
    }
    REQUIRE_FALSE(events.empty());
    CHECK(events.front().group_id == std::optional<std::string>("7"));
    CHECK(events.front().group_name == std::optional<std::string>("Checkout experiments"));
}

TEST_CASE_METHOD(track_fixture, "after set_opt_out track sends nothing", "[track]")
{
    launch();
    client.set_opt_out();
    CHECK_FALSE(client.track("AB_HOME", "user-1", "cta_click").get());
    auto f = client.async_track("AB_HOME", "user-1", "cta_click", track_future());
    boost::system::error_code ec;
    await_track(f, ec);
    CHECK(ec == vwo::errc::opted_out);
    client.shutdown();
    CHECK(collector.request_count() == 0);
}

namespace {

// One experiment step by step (activate, push a dimension, track a revenue goal) in one API style.
struct experiment_style {
    const char* name;
    bool promise_mode;
    // Returns the variation activate gave; pushes and tracks, REQUIRE-ing each step's own result.
    std::function<std::optional<std::string>(vwo::client&, const std::string& user)> run;
};

std::vector<experiment_style> experiment_styles()
{
    static const vwo::call_options purchase = [] {
        vwo::call_options o;
        o.revenue_value = 25;
        return o;
    }();
    return {
        {"immediate", false,
         [](vwo::client& c, const std::string& u) {
             auto variation = c.activate("AB_HOME", u).get();
             REQUIRE(c.push("plan", "gold", u).get());
             REQUIRE(c.track("AB_HOME", u, "purchase", purchase).get());
             return variation;
         }},
        {"promise", true,
         [](vwo::client& c, const std::string& u) {
             auto shown = c.activate("AB_HOME", u).to_future();
             REQUIRE(shown.wait_for(test_deadline) == std::future_status::ready);
             auto pushed = c.push("plan", "gold", u).to_future();
             REQUIRE(pushed.wait_for(test_deadline) == std::future_status::ready);
             REQUIRE(pushed.get());
             auto tracked = c.track("AB_HOME", u, "purchase", purchase).to_future();
             REQUIRE(tracked.wait_for(test_deadline) == std::future_status::ready);
             REQUIRE(tracked.get());
             return shown.get();
         }},
        {"callback", false,
         [](vwo::client& c, const std::string& u) {
             std::promise<std::optional<std::string>> done;
             auto f = done.get_future();
             c.async_activate("AB_HOME", u, [&c, &done, u](boost::system::error_code ec,
                                                           std::optional<std::string> variation) {
                 REQUIRE_FALSE(ec);
                 c.async_push("plan", "gold", u, [&c, &done, u, variation](boost::system::error_code pec,
                                                                         vwo::push_result) {
                     REQUIRE_FALSE(pec);
                     c.async_track("AB_HOME", u, "purchase", purchase,
                                   [&done, variation](boost::system::error_code tec, vwo::track_result r) {
                                       REQUIRE_FALSE(tec);
                                       REQUIRE(r.ok());
                                       done.set_value(variation);
                                   });
                 });
             });
             REQUIRE(f.wait_for(test_deadline) == std::future_status::ready);
             return f.get();
         }},
        {"coroutine", false,
         [](vwo::client& c, const std::string& u) {
             asio::io_context ioc;
             std::optional<std::string> result;
             bool finished = false;
             asio::co_spawn(
                 ioc,
                 [&]() -> asio::awaitable<void> {
                     auto [ec, variation] = co_await c.async_activate("AB_HOME", u, asio::as_tuple(asio::use_awaitable));
                     auto [pec, pushed] = co_await c.async_push("plan", "gold", u, asio::as_tuple(asio::use_awaitable));
                     auto [tec, tracked] = co_await c.async_track("AB_HOME", u, "purchase", purchase,
                                                                  asio::as_tuple(asio::use_awaitable));
                     finished = !ec && !pec && pushed.ok() && !tec && tracked.ok();
                     result = variation;
                 },
                 asio::detached);
             ioc.run_for(test_deadline);
             REQUIRE(finished);
             return result;
         }},
        {"deferred", false,
         [](vwo::client& c, const std::string& u) {
             // Nothing starts until each deferred operation is invoked.
             auto activate = c.async_activate("AB_HOME", u);
             auto track = c.async_track("AB_HOME", u, "purchase", purchase);
             std::promise<std::optional<std::string>> shown;
             auto f = shown.get_future();
             std::move(activate)([&shown](boost::system::error_code ec, std::optional<std::string> v) {
                 shown.set_value(ec ? std::nullopt : v);
             });
             REQUIRE(f.wait_for(test_deadline) == std::future_status::ready);
             REQUIRE(c.push("plan", "gold", u).get());
             std::promise<bool> converted;
             auto g = converted.get_future();
             std::move(track)([&converted](boost::system::error_code ec, vwo::track_result r) {
                 converted.set_value(!ec && r.ok());
             });
             REQUIRE(g.wait_for(test_deadline) == std::future_status::ready);
             REQUIRE(g.get());
             return f.get();
         }},
    };
}

} // namespace

TEST_CASE("an end-to-end experiment runs in every API style", "[track][flavours]")
{
    for (const auto& style : experiment_styles()) {
        DYNAMIC_SECTION(style.name)
        {
            local_collector collector;
            log_capture logs;
            auto opts = options_for(collector, logs, track_settings().dump());
            opts.return_promise_for.all = style.promise_mode;
            auto client = vwo::launch(opts);

            const auto variation = style.run(client, "shopper-1");
            REQUIRE(variation.has_value());
            REQUIRE(collector.wait_for_requests(3, test_deadline));
            client.shutdown();
            // Immediate-mode calls return once accepted, and two connections may deliver out of order.
            std::map<std::string, recorded_request> by_path;
            for (auto& r : collector.requests())
                by_path.emplace(r.path, r);
            REQUIRE(by_path.size() == 3);
            REQUIRE(by_path.count("/server-side/push") == 1);
            const auto& shown = by_path.at("/server-side/track-user");
            CHECK(shown.query_value("combination") == std::optional<std::string>(*variation == "Control" ? "1" : "2"));
            const auto& converted = by_path.at("/server-side/track-goal");
            CHECK(converted.query_value("r") == std::optional<std::string>("25"));
            CHECK(converted.query_value("goal_id") == std::optional<std::string>("12"));
            CHECK(client.stats().delivered == 3);
            CHECK(accounting_holds(client.stats()));
        }
    }
}
