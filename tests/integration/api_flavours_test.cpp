// One scenario, every API flavour: immediate bool, future, callback, C++20 coroutine
// (use_awaitable) and deferred. Each must tell the same truth about the same calls.

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

#include <functional>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;

namespace {

namespace asio = boost::asio;

struct flavour {
    const char* name;
    bool promise_mode; // launch option this flavour needs
    std::function<bool(vwo::client&, const std::string& key, const std::string& value, const std::string& user)> push;
};

bool wait_bool(std::future<bool>& f)
{
    REQUIRE(f.wait_for(test_deadline) == std::future_status::ready);
    return f.get();
}

std::vector<flavour> all_flavours()
{
    return {
        {"immediate bool", false,
         [](vwo::client& c, const std::string& k, const std::string& v, const std::string& u) {
             auto r = c.push(k, v, u);
             REQUIRE_FALSE(r.is_future());
             return r.get();
         }},
        {"future (return_promise_for.push)", true,
         [](vwo::client& c, const std::string& k, const std::string& v, const std::string& u) {
             auto r = c.push(k, v, u);
             REQUIRE(r.is_future());
             auto f = std::move(r).to_future();
             return wait_bool(f);
         }},
        {"callback", false,
         [](vwo::client& c, const std::string& k, const std::string& v, const std::string& u) {
             std::promise<bool> p;
             auto f = p.get_future();
             c.async_push(k, v, u, [&p](boost::system::error_code ec, vwo::push_result r) {
                 p.set_value(!ec && r.ok());
             });
             return wait_bool(f);
         }},
        {"use_awaitable coroutine", false,
         [](vwo::client& c, const std::string& k, const std::string& v, const std::string& u) {
             asio::io_context user_ioc;
             std::optional<bool> outcome;
             asio::co_spawn(
                 user_ioc,
                 [&]() -> asio::awaitable<void> {
                     auto [ec, r] = co_await c.async_push(k, v, u, asio::as_tuple(asio::use_awaitable));
                     outcome = !ec && r.ok();
                 },
                 asio::detached);
             // The pending push keeps user_ioc busy (tracked work) until it completes.
             user_ioc.run_for(test_deadline);
             REQUIRE(outcome.has_value());
             return *outcome;
         }},
        {"deferred", false,
         [](vwo::client& c, const std::string& k, const std::string& v, const std::string& u) {
             auto op = c.async_push(k, v, u); // deferred by default: nothing starts yet
             std::promise<bool> p;
             auto f = p.get_future();
             std::move(op)([&p](boost::system::error_code ec, vwo::push_result r) { p.set_value(!ec && r.ok()); });
             return wait_bool(f);
         }},
    };
}

} // namespace

TEST_CASE("every API flavour tells the same truth", "[flavours]")
{
    for (const auto& f : all_flavours()) {
        DYNAMIC_SECTION(f.name)
        {
            local_collector collector;
            log_capture logs;
            auto opts = options_for(collector, logs);
            opts.return_promise_for.push = f.promise_mode;
            auto client = vwo::launch(opts);

            // Delivered.
            CHECK(f.push(client, "browser", "chrome", "user-1"));
            REQUIRE(collector.wait_for_requests(1, test_deadline));
            CHECK(json_of(*collector.requests().front().query_value("tags")) ==
                  nlohmann::json{{"u", {{"browser", "chrome"}}}});

            // Invalid: refused, nothing sent.
            CHECK_FALSE(f.push(client, "", "chrome", "user-1"));

            // Refused by the collector: immediate mode only promised "accepted".
            scripted_response bad;
            bad.status = 400;
            collector.set_default_response(bad);
            const bool refused = f.push(client, "k", "v", "user-1");
            const bool reports_delivery = std::string(f.name) != "immediate bool";
            CHECK(refused == !reports_delivery);

            client.shutdown();
            CHECK(collector.request_count() == 2);
            CHECK(accounting_holds(client.stats()));
        }
    }
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
