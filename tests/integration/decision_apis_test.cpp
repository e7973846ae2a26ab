// The decision APIs end to end (docs/decisions.md, docs/protocol.md "Decision APIs: where we differ from
// vwo-node-sdk 1.73.0"): decisions made by the
// public client, impressions as they reach a real collector on 127.0.0.1 in the three transports
// (legacy GET, event architecture, batch), promise mode, every completion-token style, the gates and
// the integrations callback.

#include "fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <set>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::recorded_request;
using vwo::tools::scripted_response;

namespace {

namespace asio = boost::asio;

// A realistic account: an A/B test, a feature test with variables of every type, a rollout, a paused
// test and a pre-segmented test. Every variation of AB_HOME has weight 50, so both occur among a few users.
nlohmann::json decision_settings(bool event_arch = false)
{
    auto s = nlohmann::json::parse(R"json({
  "accountId": 123456, "sdkKey": "abcdef0123456789abcdef0123456789", "version": 3,
  "campaigns": [
    {"id": 101, "key": "AB_HOME", "name": "Home page CTA", "type": "VISUAL_AB", "status": "RUNNING",
     "percentTraffic": 100, "segments": {}, "isForcedVariationEnabled": true,
     "goals": [{"id": 11, "identifier": "cta_click", "type": "CUSTOM_GOAL"}],
     "variations": [
       {"id": 1, "name": "Control", "weight": 50, "segments": {}},
       {"id": 2, "name": "Variation-1", "weight": 50,
        "segments": {"or": [{"user": "qa-tester-1"}]}}]},
    {"id": 201, "key": "FT_PRICE", "name": "Price test", "type": "FEATURE_TEST", "status": "RUNNING",
     "percentTraffic": 100, "segments": {}, "goals": [],
     "variations": [
       {"id": 1, "name": "Control", "weight": 50, "isFeatureEnabled": false,
        "variables": [{"id": 1, "key": "price", "type": "integer", "value": 10},
                      {"id": 2, "key": "ratio", "type": "double", "value": 0.5},
                      {"id": 3, "key": "label", "type": "string", "value": "standard"},
                      {"id": 4, "key": "on", "type": "boolean", "value": false},
                      {"id": 5, "key": "config", "type": "json", "value": {"tier": "basic"}}]},
       {"id": 2, "name": "Variation-1", "weight": 50, "isFeatureEnabled": true,
        "variables": [{"id": 1, "key": "price", "type": "integer", "value": 20},
                      {"id": 2, "key": "ratio", "type": "double", "value": 1.5},
                      {"id": 3, "key": "label", "type": "string", "value": "premium"},
                      {"id": 4, "key": "on", "type": "boolean", "value": true},
                      {"id": 5, "key": "config", "type": "json", "value": {"tier": "gold"}}]}]},
    {"id": 301, "key": "ROLLOUT_CHAT", "type": "FEATURE_ROLLOUT", "status": "RUNNING", "percentTraffic": 100,
     "segments": {}, "goals": [],
     "variables": [{"id": 1, "key": "greeting", "type": "string", "value": "hello"}],
     "variations": [{"id": 1, "name": "website", "weight": 100}]},
    {"id": 401, "key": "AB_PAUSED", "type": "VISUAL_AB", "status": "PAUSED", "percentTraffic": 100,
     "segments": {}, "goals": [], "variations": [{"id": 1, "name": "Control", "weight": 100}]},
    {"id": 501, "key": "AB_GOLD_ONLY", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100,
     "segments": {"and": [{"custom_variable": {"plan": "gold"}}, {"custom_variable": {"age": "gt(17)"}}]},
     "goals": [], "variations": [{"id": 7, "name": "Only", "weight": 100}]}
  ]})json");
    if (event_arch)
        s["isEventArchEnabled"] = true;
    return s;
}

vwo::client_options decision_options(const local_collector& collector, log_capture& logs, bool event_arch = false)
{
    return options_for(collector, logs, decision_settings(event_arch).dump());
}

// The variation id a variation name has in AB_HOME / FT_PRICE.
std::string variation_id_of(const std::string& name)
{
    return name == "Control" ? "1" : "2";
}

std::vector<std::string> query_names(const recorded_request& r)
{
    std::vector<std::string> names;
    for (const auto& [name, value] : r.query)
        names.push_back(name);
    return names;
}

scripted_response rejected()
{
    scripted_response r;
    r.status = 400; // not retried: the impression fails at once
    return r;
}

template <class T>
T await_future(std::future<T>& f)
{
    REQUIRE(f.wait_for(test_deadline) == std::future_status::ready);
    return f.get();
}

} // namespace

TEST_CASE("activate sends one legacy GET track-user and returns the variation", "[decision][wire]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.return_promise_for.activate = true;
    auto client = vwo::launch(opts);

    vwo::call_options call;
    call.user_agent = "Mozilla/5.0 (X11) \"quoted\" é";
    call.user_ip_address = "2001:db8::1";
    auto result = client.activate("AB_HOME", "user-1", call);
    REQUIRE(result.is_future());
    auto variation = std::move(result).to_future();
    const auto name = await_future(variation);
    REQUIRE(name.has_value());
    // The same user, asked again without tracking, gets the same variation.
    CHECK(client.get_variation_name("AB_HOME", "user-1").get() == name);

    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.method == "GET");
    CHECK(r.path == "/server-side/track-user");
    CHECK(query_names(r) == std::vector<std::string>{"experiment_id", "combination", "visitor_ua", "visitor_ip",
                                                     "sId", "u", "sdk", "sdk-v", "env", "account_id", "random",
                                                     "ap", "cl", "ll", "_l", "ed"}); // usage stats of the fixture's logger
    CHECK(r.query_value("experiment_id") == std::optional<std::string>("101"));
    CHECK(r.query_value("combination") == std::optional<std::string>(variation_id_of(*name)));
    CHECK(r.query_value("u") == std::optional<std::string>("D8E56BFF89A75539B46C1FECD3C97D7C"));
    CHECK(r.query_value("sdk") == std::optional<std::string>("vwo-cpp-sdk"));
    CHECK(r.query_value("account_id") == std::optional<std::string>("123456"));
    CHECK(r.query_value("visitor_ua") == std::optional<std::string>(call.user_agent));
    CHECK(r.query_value("visitor_ip") == std::optional<std::string>(call.user_ip_address));
    CHECK(json_of(*r.query_value("ed")) == nlohmann::json::parse(R"({"p":"server"})"));
    // The encoded user agent and IP also travel as headers (docs/protocol.md#visitor-user-agent-and-ip).
    CHECK(r.header("x-device-user-agent") ==
          std::optional<std::string>("Mozilla%2F5.0%20(X11)%20%22quoted%22%20%C3%A9"));
    CHECK(r.header("vwo-x-forwarded-for") == std::optional<std::string>("2001%3Adb8%3A%3A1"));
    CHECK(client.stats().delivered == 1);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("is_feature_enabled tracks every variation and the getters send nothing", "[decision][wire]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.return_promise_for.all = true;
    auto client = vwo::launch(opts);

    std::set<bool> seen;
    std::size_t impressions = 0;
    for (int i = 0; i < 12; ++i) {
        const std::string user = "visitor-" + std::to_string(i);
        const auto variation = client.get_variation_name("FT_PRICE", user).get();
        REQUIRE(variation.has_value());
        const bool enabled = client.is_feature_enabled("FT_PRICE", user).get();
        ++impressions; // Node tracks the feature test's variation whether its feature is on or off
        CHECK(enabled == (*variation == "Variation-1"));
        seen.insert(enabled);
        const auto price = client.get_feature_variable_value("FT_PRICE", "price", user).get();
        REQUIRE(price.has_value());
        // The control's value where the variation switches the feature off (docs/decisions.md#feature-variables).
        CHECK(std::get<std::int64_t>(*price) == (enabled ? 20 : 10));
        const auto config = client.get_feature_variable_value("FT_PRICE", "config", user).get();
        REQUIRE(config.has_value());
        CHECK(json_of(std::get<std::string>(*config)) ==
              nlohmann::json{{"tier", enabled ? "gold" : "basic"}});
    }
    CHECK(seen.size() == 2);
    REQUIRE(collector.wait_for_requests(impressions, test_deadline));
    const auto requests = collector.requests();
    CHECK(requests.size() == impressions);
    for (const auto& r : requests) {
        CHECK(r.path == "/server-side/track-user");
        CHECK(r.query_value("experiment_id") == std::optional<std::string>("201"));
        CHECK_FALSE(r.header("x-device-user-agent").has_value());
        CHECK(r.query_value("visitor_ua") == std::optional<std::string>(""));
    }

    // Typed values of every kind; a rollout enabled for everyone at 100 % traffic.
    const auto ratio = client.get_feature_variable_value("FT_PRICE", "ratio", "visitor-0").get();
    REQUIRE(ratio.has_value());
    CHECK(std::holds_alternative<double>(*ratio));
    CHECK(client.is_feature_enabled("ROLLOUT_CHAT", "visitor-0").get());
    const auto greeting = client.get_feature_variable_value("ROLLOUT_CHAT", "greeting", "visitor-0").get();
    REQUIRE(greeting.has_value());
    CHECK(std::get<std::string>(*greeting) == "hello");
    REQUIRE(collector.wait_for_requests(impressions + 1, test_deadline));
    CHECK(collector.requests().back().query_value("experiment_id") == std::optional<std::string>("301"));
    CHECK(collector.requests().back().query_value("combination") == std::optional<std::string>("1"));
}

TEST_CASE("event architecture impressions are POST events/t vwo_variationShown", "[decision][wire]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs, true);
    opts.return_promise_for.all = true;
    auto client = vwo::launch(opts);

    vwo::call_options call;
    call.user_agent = "UA 1";
    const auto name = client.activate("AB_HOME", "user-1", call).get();
    REQUIRE(name.has_value());
    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.method == "POST");
    CHECK(r.path == "/events/t");
    CHECK(query_names(r) == std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua",
                                                     "visitor_ip", "cl", "ll", "_l"});
    CHECK(r.query_value("en") == std::optional<std::string>("vwo_variationShown"));
    CHECK(r.query_value("visitor_ua") == std::optional<std::string>("UA 1"));
    CHECK(r.header("x-device-user-agent") == std::optional<std::string>("UA%201"));
    const auto body = json_of(r.body);
    const auto& props = body["d"]["event"]["props"];
    CHECK(props["id"] == 101);
    CHECK(props["variation"] == std::stoi(variation_id_of(*name)));
    CHECK(props["isFirst"] == 1);
    CHECK(props["vwo_sdkName"] == "vwo-cpp-sdk");
    CHECK(body["d"]["event"]["name"] == "vwo_variationShown");
    CHECK(body["d"]["visId"] == "D8E56BFF89A75539B46C1FECD3C97D7C");
    CHECK(body["d"]["visitor"]["props"]["vwo_fs_environment"] == sdk_key);
}

TEST_CASE("batch mode queues impressions with pushes and delivers them in one batch-events POST",
          "[decision][wire]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.batch_events = vwo::batch_events_options{};
    opts.return_promise_for.all = true;
    auto client = vwo::launch(opts);

    vwo::call_options call;
    call.user_agent = "UA \"B\"";
    call.user_ip_address = "198.51.100.23";
    auto activated = client.activate("AB_HOME", "user-1", call).to_future();
    auto enabled = client.is_feature_enabled("ROLLOUT_CHAT", "user-1").to_future();
    auto pushed = client.push("plan", "gold", "user-1").to_future();
    // Nothing is sent before the flush; the futures wait for delivery (Node's never resolve here).
    CHECK(activated.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
    auto flushed = client.flush_events().to_future();
    CHECK(await_future(flushed));
    const auto name = await_future(activated);
    REQUIRE(name.has_value());
    CHECK(await_future(enabled));
    CHECK(await_future(pushed));

    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.path == "/server-side/batch-events");
    const auto events = json_of(r.body)["ev"];
    REQUIRE(events.size() == 3);
    CHECK(events[0] == nlohmann::json{{"e", 101}, {"c", std::stoi(variation_id_of(*name))},
                                      {"sId", events[0]["sId"]}, {"u", "D8E56BFF89A75539B46C1FECD3C97D7C"},
                                      {"eT", 1}, {"visitor_ua", "UA \"B\""}, {"visitor_ip", "198.51.100.23"}});
    CHECK(events[1]["e"] == 301);
    CHECK(events[1]["eT"] == 1);
    CHECK(events[2]["eT"] == 3);
    CHECK(client.stats().delivered == 3);
}

TEST_CASE("a failed impression keeps the decision and reports the delivery error", "[decision][reliability]")
{
    local_collector collector;
    collector.push_responses({rejected()});
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.return_promise_for.activate = true;
    auto client = vwo::launch(opts);

    const auto expected = client.get_variation_name("AB_HOME", "user-1").get();
    REQUIRE(expected.has_value());
    // Promise mode: the future becomes ready after the final failure, still holding the variation.
    CHECK(client.activate("AB_HOME", "user-1").get() == expected);
    CHECK(client.stats().failed_rejected == 1);

    // Async: the handler gets the delivery error and the decision.
    collector.push_responses({rejected()});
    auto outcome = client.async_activate("AB_HOME", "user-1", {},
                                         asio::use_future([](boost::system::error_code ec,
                                                             std::optional<std::string> v) {
                                             return std::make_pair(ec, v);
                                         }));
    const auto [ec, value] = await_future(outcome);
    CHECK(ec == vwo::errc::http_rejected);
    CHECK(value == expected);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("every completion token gets the same decision", "[decision][flavours]")
{
    local_collector collector;
    log_capture logs;
    auto client = vwo::launch(decision_options(collector, logs));
    const auto expected = client.get_variation_name("AB_HOME", "user-7").get();
    REQUIRE(expected.has_value());

    // Callback.
    std::promise<std::pair<boost::system::error_code, std::optional<std::string>>> by_callback;
    client.async_activate("AB_HOME", "user-7", {},
                          [&](boost::system::error_code ec, std::optional<std::string> v) {
                              by_callback.set_value({ec, v});
                          });
    auto callback_future = by_callback.get_future();
    const auto callback_result = await_future(callback_future);
    CHECK_FALSE(callback_result.first);
    CHECK(callback_result.second == expected);

    // Coroutine, deferred, and a variable through as_tuple.
    asio::io_context ioc;
    std::optional<std::string> from_coroutine, from_deferred;
    std::optional<vwo::variable_value> from_variable;
    bool feature = false;
    boost::system::error_code coroutine_ec;
    // A named call_options: g++ 12 destroys a braced temporary ({}) twice when it sits in a co_await
    // expression (GCC PR c++/99576, fixed in GCC 13), so coroutine callers keep it in a variable or use
    // the overloads without options.
    const vwo::call_options none;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto [ec, v] = co_await client.async_activate("AB_HOME", "user-7", none,
                                                          asio::as_tuple(asio::use_awaitable));
            coroutine_ec = ec;
            from_coroutine = v;
            auto [ec2, f] = co_await client.async_is_feature_enabled("FT_PRICE", "user-7",
                                                                     asio::as_tuple(asio::use_awaitable));
            feature = f && !ec2;
            auto [ec3, var] = co_await client.async_get_feature_variable_value("FT_PRICE", "label", "user-7", none,
                                                                               asio::as_tuple(asio::use_awaitable));
            if (!ec3)
                from_variable = var;
            auto op = client.async_get_variation_name("AB_HOME", "user-7");
            auto [ec4, d] = co_await std::move(op)(asio::as_tuple(asio::use_awaitable));
            if (!ec4)
                from_deferred = d;
        },
        asio::detached);
    ioc.run_for(test_deadline);
    CHECK_FALSE(coroutine_ec);
    CHECK(from_coroutine == expected);
    CHECK(from_deferred == expected);
    const auto ft_variation = client.get_variation_name("FT_PRICE", "user-7").get();
    REQUIRE(ft_variation.has_value());
    CHECK(feature == (*ft_variation == "Variation-1"));
    REQUIRE(from_variable.has_value());
    CHECK(std::get<std::string>(*from_variable) == (feature ? "premium" : "standard"));
    // Two activates and one is_feature_enabled sent impressions.
    CHECK(collector.wait_for_requests(3, test_deadline));
}

TEST_CASE("calls that cannot decide say why and send nothing", "[decision][gates]")
{
    local_collector collector;
    log_capture logs;
    auto client = vwo::launch(decision_options(collector, logs));

    CHECK_FALSE(client.activate("NO_SUCH_CAMPAIGN", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::warn, "no campaign with key 'NO_SUCH_CAMPAIGN'"));
    CHECK_FALSE(client.activate("AB_PAUSED", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::warn, "'AB_PAUSED' is not running"));
    CHECK_FALSE(client.activate("FT_PRICE", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::error, "activate: not applicable to FEATURE_TEST campaign 'FT_PRICE'"));
    CHECK_FALSE(client.get_variation_name("ROLLOUT_CHAT", "user-1").get().has_value());
    CHECK_FALSE(client.is_feature_enabled("AB_HOME", "user-1").get());
    CHECK_FALSE(client.get_feature_variable_value("FT_PRICE", "missing", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::error, "has no variable 'missing'"));
    CHECK_FALSE(client.activate("", "user-1").get().has_value());
    CHECK(logs.contains(vwo::log_level::error, "activate: campaign_key must be a non-empty string"));
    CHECK_FALSE(client.activate("AB_HOME", "").get().has_value());
    // Pre-segmentation: only gold adults qualify; the others get no variation, without error.
    vwo::call_options gold;
    gold.custom_variables = {{"plan", std::string("gold")}, {"age", std::int64_t{30}}};
    CHECK(client.get_variation_name("AB_GOLD_ONLY", "user-1", gold).get() == std::optional<std::string>("Only"));
    gold.custom_variables["age"] = std::int64_t{12};
    CHECK_FALSE(client.get_variation_name("AB_GOLD_ONLY", "user-1", gold).get().has_value());

    // The async forms name the reason as an error code.
    auto code_of = [&](std::string key) {
        auto f = client.async_activate(key, "user-1", {},
                                       asio::use_future([](boost::system::error_code ec, std::optional<std::string>) {
                                           return ec;
                                       }));
        return await_future(f);
    };
    CHECK(code_of("NO_SUCH_CAMPAIGN") == vwo::errc::campaign_not_found);
    CHECK(code_of("AB_PAUSED") == vwo::errc::campaign_not_running);
    CHECK(code_of("FT_PRICE") == vwo::errc::campaign_type_mismatch);
    CHECK(code_of("") == vwo::errc::invalid_argument);
    auto variable = client.async_get_feature_variable_value(
        "FT_PRICE", "missing", "user-1", {},
        asio::use_future([](boost::system::error_code ec, std::optional<vwo::variable_value>) { return ec; }));
    CHECK(await_future(variable) == vwo::errc::variable_not_found);

    // An empty client answers too, with not_launched.
    vwo::client empty;
    CHECK_FALSE(empty.activate("AB_HOME", "user-1").get().has_value());
    auto from_empty = empty.async_is_feature_enabled(
        "ROLLOUT_CHAT", "user-1", {}, asio::use_future([](boost::system::error_code ec, bool) { return ec; }));
    CHECK(await_future(from_empty) == vwo::errc::not_launched);

    client.shutdown();
    CHECK(collector.request_count() == 0);
}

TEST_CASE("whitelisting forces a variation from variation_targeting_variables", "[decision]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.return_promise_for.activate = true;
    auto client = vwo::launch(opts);
    // Whitelisting matches on the user id itself (`user` operand); every QA run lands in Variation-1.
    vwo::call_options call;
    call.variation_targeting_variables = {{"team", std::string("qa")}};
    CHECK(client.activate("AB_HOME", "qa-tester-1", call).get() == std::optional<std::string>("Variation-1"));
    REQUIRE(collector.request_count() == 1);
    CHECK(collector.requests().front().query_value("combination") == std::optional<std::string>("2"));
}

TEST_CASE("the integrations callback sees each decision without SDK locks", "[decision][integrations]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    std::vector<vwo::decision_event> events;
    vwo::client* self = nullptr;
    std::atomic<int> reentrant_calls{0};
    opts.integrations = [&](const vwo::decision_event& e) {
        events.push_back(e);
        // Calling back into the client from the callback must not deadlock (no SDK lock is held).
        if (self != nullptr && e.source == "activate" && reentrant_calls++ == 0)
            (void)self->get_variation_name("AB_HOME", e.user_id).get();
    };
    auto client = vwo::launch(opts);
    self = &client;

    vwo::call_options call;
    call.custom_variables = {{"plan", std::string("gold")}};
    const auto name = client.activate("AB_HOME", "user-1", call).get();
    REQUIRE(name.has_value());
    REQUIRE(events.size() == 2); // activate, then the get_variation_name made inside the callback
    const auto& e = events[0];
    CHECK(e.source == "activate");
    CHECK(e.campaign_id == "101");
    CHECK(e.campaign_key == "AB_HOME");
    CHECK(e.campaign_type == "VISUAL_AB");
    CHECK(e.campaign_name == std::optional<std::string>("Home page CTA"));
    CHECK(e.user_id == "user-1");
    CHECK(e.vwo_user_id == "D8E56BFF89A75539B46C1FECD3C97D7C");
    CHECK(e.variation_name == name);
    CHECK(e.variation_id == std::optional<std::string>(variation_id_of(*name)));
    CHECK_FALSE(e.is_user_whitelisted);
    CHECK(e.is_forced_variation_enabled);
    CHECK(std::get<std::string>(e.custom_variables.at("plan")) == "gold");
    CHECK(events[1].source == "get_variation_name");

    // Rollouts report is_feature_enabled instead of a variation; no callback when traffic or
    // segments leave the user out.
    events.clear();
    CHECK(client.is_feature_enabled("ROLLOUT_CHAT", "user-1").get());
    REQUIRE(events.size() == 1);
    CHECK(events[0].is_feature_enabled == std::optional<bool>(true));
    CHECK_FALSE(events[0].variation_name.has_value());
    events.clear();
    CHECK_FALSE(client.get_variation_name("AB_GOLD_ONLY", "user-1").get().has_value());
    CHECK(events.empty());

    // A callback that throws is logged; the decision stands.
    opts.integrations = [](const vwo::decision_event&) { throw std::runtime_error("hook broke"); };
    auto second = vwo::launch(opts);
    CHECK(second.get_variation_name("AB_HOME", "user-1").get() == name);
    CHECK(logs.contains(vwo::log_level::error, "the integrations callback threw: hook broke"));
}

TEST_CASE("development mode and opt-out", "[decision]")
{
    local_collector collector;
    log_capture logs;
    auto opts = decision_options(collector, logs);
    opts.development_mode = true;
    opts.return_promise_for.all = true;
    {
        auto client = vwo::launch(opts);
        // Decisions as usual, nothing on the wire.
        CHECK(client.activate("AB_HOME", "user-1").get().has_value());
        CHECK(client.is_feature_enabled("ROLLOUT_CHAT", "user-1").get());
        CHECK(logs.contains(vwo::log_level::info, "development mode: impression for campaign 'AB_HOME' not sent"));
    }
    opts.development_mode = false;
    auto client = vwo::launch(opts);
    client.set_opt_out();
    CHECK_FALSE(client.activate("AB_HOME", "user-1").get().has_value());
    CHECK_FALSE(client.is_feature_enabled("ROLLOUT_CHAT", "user-1").get());
    CHECK_FALSE(client.get_feature_variable_value("ROLLOUT_CHAT", "greeting", "user-1").get().has_value());
    auto code = client.async_get_variation_name(
        "AB_HOME", "user-1", {},
        asio::use_future([](boost::system::error_code ec, std::optional<std::string>) { return ec; }));
    CHECK(await_future(code) == vwo::errc::opted_out);
    client.shutdown();
    CHECK(collector.request_count() == 0);
}

TEST_CASE("a campaign the decision model cannot use fails launch with its name", "[decision][settings]")
{
    local_collector collector;
    log_capture logs;
    auto settings = decision_settings();
    settings["campaigns"][0]["variations"][1].erase("name");
    auto opts = options_for(collector, logs, settings.dump());
    boost::system::error_code ec;
    auto client = vwo::launch(opts, ec);
    CHECK(ec == vwo::errc::invalid_settings);
    CHECK_FALSE(client.valid());
    CHECK(logs.contains(vwo::log_level::error, "AB_HOME"));
}

TEST_CASE("client_options::bucketing chooses how non-ASCII user ids are hashed", "[decision][bucketing]")
{
    local_collector collector;
    log_capture logs;
    auto standard_options = decision_options(collector, logs);
    auto node_options = standard_options;
    node_options.bucketing = vwo::bucketing_compat::node;
    auto standard = vwo::launch(standard_options);
    auto node = vwo::launch(node_options);

    // ASCII ids: the same bucket in both modes.
    for (int i = 0; i < 50; ++i) {
        const std::string user = "ascii-" + std::to_string(i);
        CHECK(standard.get_variation_name("AB_HOME", user).get() == node.get_variation_name("AB_HOME", user).get());
    }
    // Non-ASCII ids: UTF-8 bytes versus Node's low byte of each UTF-16 unit, so some users differ.
    int differ = 0;
    for (int i = 0; i < 50; ++i) {
        const std::string user = "用户" + std::to_string(i);
        differ += standard.get_variation_name("AB_HOME", user).get() != node.get_variation_name("AB_HOME", user).get();
    }
    CHECK(differ > 0);
}
