// One scenario, every API face: the same push, decision (activate) and track calls through the immediate
// api_result, the promise-mode api_result (a std::future), asio::use_future, asio::use_awaitable, a plain
// callback and asio::deferred. Each face must tell the same truth about the same calls.
//
// The structure follows Boost.MySQL's netfun_maker: each face adapts the client's calls to one normalized
// signature (an `outcome`), so a single test body (a TEMPLATE_TEST_CASE over the faces) runs the scenario
// and asserts the same value, error and wire traffic for each. The four completion-token faces share one
// adapter (async_face) and differ only in a runner that supplies the token and waits for the completion.

#include "fixtures.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <utility>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;

namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// One running VISUAL_AB campaign with a single variation (so every face expects the same one),
// a custom goal and a revenue goal.
std::string flavour_settings()
{
    return R"json({
  "accountId": 123456, "sdkKey": "abcdef0123456789abcdef0123456789", "version": 1,
  "campaigns": [
    {"id": 101, "key": "AB_HOME", "type": "VISUAL_AB", "status": "RUNNING", "percentTraffic": 100, "segments": {},
     "goals": [{"id": 11, "identifier": "cta_click", "type": "CUSTOM_GOAL"},
               {"id": 12, "identifier": "purchase", "type": "REVENUE_TRACKING", "revenueProp": "amount"}],
     "variations": [{"id": 1, "name": "Control", "weight": 100}]}
  ]})json";
}

/// What one call gave, in the same shape for every face. `ec` is the error the completion-token faces'
/// handlers received; the api_result faces have no error channel, so for them it stays unset.
template <class T>
struct outcome {
    T value{};
    std::optional<error_code> ec;
};

// ---- The api_result faces: immediate (launch default) and promise (return_promise_for) ----

template <class T>
T value_of(vwo::api_result<T> result, bool promise_mode)
{
    REQUIRE(result.is_future() == promise_mode);
    if (!promise_mode)
        return result.get();
    auto f = std::move(result).to_future();
    REQUIRE(ready_within(f));
    return f.get();
}

template <bool Promise>
struct api_result_face {
    static constexpr bool promise_mode = Promise;
    static constexpr bool has_error_channel = false;
    /// Immediate mode's true only says "accepted for delivery"; every other face waits for the collector.
    static constexpr bool reports_delivery = Promise;

    static outcome<bool> push(vwo::client& c, const std::string& key, const std::string& value,
                              const std::string& user)
    {
        return {value_of(c.push(key, value, user), Promise), std::nullopt};
    }
    static outcome<std::optional<std::string>> activate(vwo::client& c, const std::string& campaign,
                                                        const std::string& user)
    {
        return {value_of(c.activate(campaign, user), Promise), std::nullopt};
    }
    static outcome<bool> track(vwo::client& c, const vwo::campaign_specifier& campaigns, const std::string& user,
                               const std::string& goal, const vwo::call_options& options)
    {
        return {value_of(c.track(campaigns, user, goal, options), Promise), std::nullopt};
    }
};

// ---- The completion-token faces ----
// A runner takes an `initiate(token)` that starts one async_* call with the token it is given, and returns
// the (error, value) the operation completed with, REQUIRE-ing that it completed within test_deadline.

template <class T>
using completion = std::pair<error_code, T>;

struct use_future_runner {
    template <class T, class Initiate>
    static completion<T> run(Initiate initiate)
    {
        auto f = initiate(asio::use_future([](error_code ec, T v) { return completion<T>{ec, std::move(v)}; }));
        REQUIRE(ready_within(f));
        return f.get();
    }
};

struct callback_runner {
    template <class T, class Initiate>
    static completion<T> run(Initiate initiate)
    {
        // Shared: a handler completing after a failed REQUIRE must not touch a dead promise.
        auto done = std::make_shared<std::promise<completion<T>>>();
        auto f = done->get_future();
        initiate([done](error_code ec, T v) { done->set_value({ec, std::move(v)}); });
        REQUIRE(ready_within(f));
        return f.get();
    }
};

struct use_awaitable_runner {
    template <class T, class Initiate>
    static completion<T> run(Initiate initiate)
    {
        asio::io_context user_ioc;
        std::optional<completion<T>> result;
        asio::co_spawn(
            user_ioc,
            [&]() -> asio::awaitable<void> {
                // Named, not a temporary inside the co_await expression (GCC PR c++/99576 on g++ 12).
                auto op = initiate(asio::as_tuple(asio::use_awaitable));
                auto [ec, v] = co_await std::move(op);
                result.emplace(ec, std::move(v));
            },
            asio::detached);
        // The pending operation keeps user_ioc busy (tracked work) until it completes.
        user_ioc.run_for(test_deadline);
        REQUIRE(result.has_value());
        return std::move(*result);
    }
};

struct deferred_runner {
    template <class T, class Initiate>
    static completion<T> run(Initiate initiate)
    {
        auto op = initiate(asio::deferred); // a deferred operation: nothing starts until it is invoked
        return callback_runner::run<T>([&op](auto handler) { return std::move(op)(std::move(handler)); });
    }
};

template <class Runner>
struct async_face {
    static constexpr bool promise_mode = false;
    static constexpr bool has_error_channel = true;
    static constexpr bool reports_delivery = true;

    static outcome<bool> push(vwo::client& c, const std::string& key, const std::string& value,
                              const std::string& user)
    {
        auto [ec, r] = Runner::template run<vwo::push_result>(
            [&](auto token) { return c.async_push(key, value, user, std::move(token)); });
        return {!ec && r.ok(), ec};
    }
    static outcome<std::optional<std::string>> activate(vwo::client& c, const std::string& campaign,
                                                        const std::string& user)
    {
        auto [ec, v] = Runner::template run<std::optional<std::string>>(
            [&](auto token) { return c.async_activate(campaign, user, std::move(token)); });
        return {v, ec};
    }
    static outcome<bool> track(vwo::client& c, const vwo::campaign_specifier& campaigns, const std::string& user,
                               const std::string& goal, const vwo::call_options& options)
    {
        auto [ec, r] = Runner::template run<vwo::track_result>(
            [&](auto token) { return c.async_track(campaigns, user, goal, options, std::move(token)); });
        return {!ec && r.ok(), ec};
    }
};

// Single names: Catch2 names each template instance after the type as written in the list.
using immediate_face = api_result_face<false>;
using promise_face = api_result_face<true>;
using use_future_face = async_face<use_future_runner>;
using use_awaitable_face = async_face<use_awaitable_runner>;
using callback_face = async_face<callback_runner>;
using deferred_face = async_face<deferred_runner>;

/// The error a face reports for a call that failed with `e`: `e` itself, or nothing for a face without
/// an error channel. error_for<Face>({}) is the "no error" a face reports for a success.
template <class Face>
std::optional<error_code> error_for(error_code e)
{
    if constexpr (Face::has_error_channel)
        return e;
    else
        return std::nullopt;
}

} // namespace

TEMPLATE_TEST_CASE("every API face tells the same truth about push, activate and track", "[flavours]",
                   immediate_face, promise_face, use_future_face, use_awaitable_face, callback_face, deferred_face)
{
    using face = TestType;
    collector_fixture fx(flavour_settings());
    fx.opts.return_promise_for.all = face::promise_mode;
    auto& client = fx.launch();
    auto& collector = fx.collector;
    const error_code no_error;
    const vwo::call_options no_options;

    // Push, delivered.
    const auto pushed = face::push(client, "browser", "chrome", "user-1");
    CHECK(pushed.value);
    CHECK(pushed.ec == error_for<face>(no_error));
    REQUIRE(collector.wait_for_requests(1, test_deadline));
    CHECK(collector.requests().back().path == "/server-side/push");
    CHECK(json_of(*collector.requests().back().query_value("tags")) == nlohmann::json{{"u", {{"browser", "chrome"}}}});

    // Push, invalid: refused, nothing sent (the request count is checked at the end).
    const auto invalid = face::push(client, "", "chrome", "user-1");
    CHECK_FALSE(invalid.value);
    CHECK(invalid.ec == error_for<face>(vwo::errc::invalid_argument));

    // A decision: the variation, and its impression.
    const auto shown = face::activate(client, "AB_HOME", "user-1");
    CHECK(shown.value == std::optional<std::string>("Control"));
    CHECK(shown.ec == error_for<face>(no_error));
    REQUIRE(collector.wait_for_requests(2, test_deadline));
    const auto impression = collector.requests().back();
    CHECK(impression.path == "/server-side/track-user");
    CHECK(impression.query_value("experiment_id") == std::optional<std::string>("101"));
    CHECK(impression.query_value("combination") == std::optional<std::string>("1"));

    // A decision that cannot be made: no variation, nothing sent.
    const auto unknown = face::activate(client, "NO_SUCH_CAMPAIGN", "user-1");
    CHECK_FALSE(unknown.value.has_value());
    CHECK(unknown.ec == error_for<face>(vwo::errc::campaign_not_found));

    // Track a revenue goal: one GET track-goal carrying the revenue.
    vwo::call_options purchase;
    purchase.revenue_value = 25;
    const auto converted = face::track(client, "AB_HOME", "user-1", "purchase", purchase);
    CHECK(converted.value);
    CHECK(converted.ec == error_for<face>(no_error));
    REQUIRE(collector.wait_for_requests(3, test_deadline));
    const auto goal = collector.requests().back();
    CHECK(goal.path == "/server-side/track-goal");
    CHECK(goal.query_value("goal_id") == std::optional<std::string>("12"));
    CHECK(goal.query_value("r") == std::optional<std::string>("25"));

    // Track a goal no campaign has: refused, nothing sent.
    const auto no_goal = face::track(client, vwo::all_campaigns, "user-1", "no_such_goal", no_options);
    CHECK_FALSE(no_goal.value);
    CHECK(no_goal.ec == error_for<face>(vwo::errc::goal_not_found));

    // The collector refuses everything (400). Immediate mode only promised "accepted"; every other face
    // reports the failed delivery. A decision keeps its variation either way.
    scripted_response bad;
    bad.status = 400;
    collector.set_default_response(bad);
    const auto refused = face::push(client, "k", "v", "user-2");
    CHECK(refused.value == !face::reports_delivery);
    CHECK(refused.ec == error_for<face>(vwo::errc::http_rejected));
    const auto shown_refused = face::activate(client, "AB_HOME", "user-2");
    CHECK(shown_refused.value == std::optional<std::string>("Control"));
    CHECK(shown_refused.ec == error_for<face>(vwo::errc::http_rejected));
    const auto tracked_refused = face::track(client, "AB_HOME", "user-2", "cta_click", no_options);
    CHECK(tracked_refused.value == !face::reports_delivery);
    CHECK(tracked_refused.ec == error_for<face>(vwo::errc::http_rejected));
    REQUIRE(collector.wait_for_requests(6, test_deadline));

    client.shutdown();
    CHECK(collector.request_count() == 6); // the invalid and undecidable calls sent nothing
    const auto s = client.stats();
    CHECK(s.delivered == 3);
    CHECK(s.failed_rejected == 3);
    CHECK(accounting_holds(s));
}

TEST_CASE("async_push honours per-operation cancellation", "[flavours][cancel]")
{
    local_collector collector;
    scripted_response silent;
    silent.never_answer = true;
    collector.set_default_response(silent);
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.shutdown_timeout = std::chrono::milliseconds(200);
    auto client = vwo::launch(opts);

    asio::io_context user_ioc;
    asio::cancellation_signal signal;
    std::optional<boost::system::error_code> outcome;
    // The handler runs on user_ioc, where the signal is emitted too (slots are not thread-safe).
    client.async_push("k", "v", "u",
                      asio::bind_cancellation_slot(
                          signal.slot(), asio::bind_executor(user_ioc, [&](boost::system::error_code ec,
                                                                          vwo::push_result) { outcome = ec; })));
    REQUIRE(collector.wait_for_requests(1, test_deadline));
    asio::post(user_ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    user_ioc.run_for(test_deadline);
    REQUIRE(outcome.has_value());
    CHECK(*outcome == asio::error::operation_aborted);
    client.shutdown();
    CHECK(accounting_holds(client.stats()));
}
