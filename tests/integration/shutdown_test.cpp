// Reliability R8 (shutdown loses nothing reachable and never hangs) and R4 (bounded queue).

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <filesystem>
#include <latch>
#include <memory>
#include <set>
#include <thread>
#include <utility>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

scripted_response silent()
{
    scripted_response r;
    r.never_answer = true;
    return r;
}

std::size_t count_lines(const log_capture& logs, vwo::log_level level, std::string_view text)
{
    std::size_t n = 0;
    for (const auto& [l, m] : logs.lines())
        if (l == level && m.find(text) != std::string::npos)
            ++n;
    return n;
}

std::size_t thread_count()
{
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}


} // namespace

TEST_CASE_METHOD(collector_fixture,
                 "R8 shutdown with a healthy collector delivers all 10050 queued batch events exactly once",
                 "[shutdown][healthy]")
{
    constexpr std::size_t total = 10050;
    opts.logging.level = vwo::log_level::warn;
    opts.batch_events = vwo::batch_events_options{};
    opts.batch_events->events_per_request = 5000;
    opts.batch_events->request_time_interval = std::chrono::seconds(600);
    opts.max_queue_events = 20000;
    launch();

    std::size_t accepted = 0;
    for (std::size_t i = 0; i < total; ++i)
        accepted += client.push("n", "v" + std::to_string(i), "user-" + std::to_string(i % 97)).get() ? 1 : 0;
    REQUIRE(accepted == total);

    const auto start = steady::now();
    client.shutdown(10s);
    const auto took = steady::now() - start;
    CHECK(took < 10s + 2s);

    std::size_t events = 0;
    std::set<std::pair<std::string, std::string>> distinct;
    for (const auto& r : collector.requests()) {
        REQUIRE(r.path == "/server-side/batch-events");
        const auto body = json_of(r.body);
        for (const auto& e : body.at("ev")) {
            ++events;
            distinct.emplace(e.at("u").get<std::string>(), e.at("t").get<std::string>());
        }
    }
    CHECK(events == total);
    CHECK(distinct.size() == total);
    CHECK(collector.request_count() >= 3); // 5000 + 5000 + the last 50 flushed by shutdown

    const auto s = client.stats();
    CHECK(s.accepted == total);
    CHECK(s.delivered == total);
    CHECK(s.failed() == 0);
    CHECK(s.dropped() == 0);
    CHECK(s.queued == 0);
    CHECK(s.in_flight == 0);
    CHECK(accounting_holds(s));
}

TEST_CASE("R8 shutdown with a silent collector returns near its deadline and every future is false",
          "[shutdown][dead]")
{
    local_collector collector;
    collector.set_default_response(silent());
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.return_promise_for.push = true;
    opts.timeouts.request = 10s;
    std::size_t expected_dropped = 0;
    std::vector<std::future<bool>> futures;

    SECTION("immediate requests in flight and queued")
    {
        auto client = vwo::launch(opts);
        for (int i = 0; i < 20; ++i)
            futures.push_back(client.push("k", std::to_string(i), "u").to_future());
        expected_dropped = 20;
        REQUIRE(collector.wait_for_requests(1, test_deadline));

        const auto start = steady::now();
        client.shutdown(300ms);
        const auto took = steady::now() - start;
        CHECK(took < 2s);
        for (auto& f : futures) {
            REQUIRE(f.wait_for(0s) == std::future_status::ready);
            CHECK_FALSE(f.get());
        }
        const auto s = client.stats();
        CHECK(s.dropped_shutdown == expected_dropped);
        CHECK(s.delivered == 0);
        CHECK(s.failed() == 0);
        CHECK(accounting_holds(s));
    }
    SECTION("batch queue flushed into a black hole")
    {
        opts.batch_events = vwo::batch_events_options{};
        opts.batch_events->events_per_request = 100;
        auto client = vwo::launch(opts);
        for (int i = 0; i < 50; ++i)
            futures.push_back(client.push("k", std::to_string(i), "u" + std::to_string(i)).to_future());
        expected_dropped = 50;

        const auto start = steady::now();
        client.shutdown(300ms);
        const auto took = steady::now() - start;
        CHECK(took < 2s);
        CHECK(collector.wait_for_requests(1, 2s)); // shutdown flushed the queue as one request
        CHECK(collector.request_count() == 1);
        for (auto& f : futures) {
            REQUIRE(f.wait_for(0s) == std::future_status::ready);
            CHECK_FALSE(f.get());
        }
        const auto s = client.stats();
        CHECK(s.dropped_shutdown == expected_dropped);
        CHECK(accounting_holds(s));
    }
    SECTION("collector refusing connections, retry pending")
    {
        opts.endpoint = "http://127.0.0.1:" + std::to_string(free_port());
        opts.retry.base_delay = 5s;
        opts.retry.max_delay = 5s;
        opts.retry.max_retries = 5;
        auto client = vwo::launch(opts);
        for (int i = 0; i < 5; ++i)
            futures.push_back(client.push("k", std::to_string(i), "u").to_future());
        expected_dropped = 5;

        const auto start = steady::now();
        client.shutdown(300ms);
        const auto took = steady::now() - start;
        CHECK(took < 2s);
        for (auto& f : futures) {
            REQUIRE(f.wait_for(0s) == std::future_status::ready);
            CHECK_FALSE(f.get());
        }
        const auto s = client.stats();
        CHECK(s.dropped_shutdown == expected_dropped);
        CHECK(s.delivered == 0);
        CHECK(accounting_holds(s));
    }
}

TEST_CASE_METHOD(collector_fixture,
                 "R8 shutdown called concurrently from 4 threads and then again returns near the deadline",
                 "[shutdown][concurrent]")
{
    collector.set_default_response(silent());
    opts.return_promise_for.push = true;
    opts.timeouts.request = 10s;
    launch();
    std::vector<std::future<bool>> futures;
    for (int i = 0; i < 10; ++i)
        futures.push_back(client.push("k", std::to_string(i), "u").to_future());
    REQUIRE(collector.wait_for_requests(1, test_deadline));

    std::latch go(4);
    std::vector<steady::duration> took(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            go.arrive_and_wait();
            const auto start = steady::now();
            client.shutdown(300ms);
            took[t] = steady::now() - start;
        });
    for (auto& th : threads)
        th.join();
    for (const auto& d : took)
        CHECK(d < 2s);

    const auto start = steady::now();
    client.shutdown(300ms); // a second time, after it finished
    client.shutdown();
    CHECK(steady::now() - start < 2s);

    for (auto& f : futures) {
        REQUIRE(f.wait_for(0s) == std::future_status::ready);
        CHECK_FALSE(f.get());
    }
    auto late = client.push("k", "late", "u").to_future(); // refused, and still completes
    CHECK(ready_within(late, 2s));
    if (late.wait_for(0s) == std::future_status::ready)
        CHECK_FALSE(late.get());
    const auto s = client.stats();
    CHECK(s.dropped_shutdown == 10);
    CHECK(s.rejected_shut_down == 1);
    CHECK(accounting_holds(s));
}

TEST_CASE_METHOD(collector_fixture, "R8 shutdown twice with a healthy collector delivers and stays shut",
                 "[shutdown][healthy]")
{
    opts.return_promise_for.push = true;
    launch();
    std::vector<std::future<bool>> futures;
    for (int i = 0; i < 30; ++i)
        futures.push_back(client.push("k", std::to_string(i), "u" + std::to_string(i)).to_future());
    client.shutdown(10s);
    client.shutdown(10s);
    for (auto& f : futures) {
        REQUIRE(f.wait_for(0s) == std::future_status::ready);
        CHECK(f.get());
    }
    CHECK(collector.request_count() == 30);
    const auto s = client.stats();
    CHECK(s.delivered == 30);
    CHECK(s.dropped() == 0);
    CHECK(accounting_holds(s));
}

TEST_CASE("R2 a call made after shutdown returned completes at once with false in every flavour",
          "[shutdown][after]")
{
    // Declared before the client so that they outlive it (a handler the SDK never calls is
    // destroyed with the client).
    std::promise<boost::system::error_code> callback_result;
    auto callback_future = callback_result.get_future();
    local_collector collector;
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.return_promise_for.all = true;
    auto client = vwo::launch(opts);
    REQUIRE(client.push("k", "before", "u").get());
    client.shutdown(2s);

    SECTION("promise-mode push")
    {
        auto f = client.push("k", "late", "u").to_future();
        CHECK(ready_within(f, 2s));
        if (f.wait_for(0s) == std::future_status::ready)
            CHECK_FALSE(f.get());
    }
    SECTION("async_push with use_future")
    {
        auto f = client.async_push("k", "late", "u",
                                   boost::asio::use_future([](boost::system::error_code ec, vwo::push_result) {
                                       return ec;
                                   }));
        CHECK(ready_within(f, 2s));
        if (f.wait_for(0s) == std::future_status::ready)
            CHECK(f.get() == vwo::errc::shutting_down);
    }
    SECTION("async_push with a plain callback")
    {
        client.async_push("k", "late", "u", [&callback_result](boost::system::error_code ec, vwo::push_result) {
            callback_result.set_value(ec);
        });
        CHECK(callback_future.wait_for(2s) == std::future_status::ready);
        if (callback_future.wait_for(0s) == std::future_status::ready)
            CHECK(callback_future.get() == vwo::errc::shutting_down);
    }
    SECTION("promise-mode flush_events")
    {
        auto f = client.flush_events().to_future();
        CHECK(ready_within(f, 2s));
        if (f.wait_for(0s) == std::future_status::ready)
            CHECK_FALSE(f.get());
    }
    const auto s = client.stats();
    CHECK(s.delivered == 1);
    CHECK(accounting_holds(s));
}

TEST_CASE("R8 the last client handle destroyed inside a completion handler on the SDK thread",
          "[shutdown][sdk-thread]")
{
    local_collector collector;
    log_capture logs;
    const std::size_t threads_before = thread_count();

    SECTION("nothing else pending")
    {
        auto opts = options_for(collector, logs);
        auto holder = std::make_shared<vwo::client>(vwo::launch(opts));
        std::promise<std::pair<boost::system::error_code, vwo::client_stats>> ran;
        auto ran_future = ran.get_future();
        holder->async_push("k", "v", "u",
                           [holder, &ran](boost::system::error_code ec, vwo::push_result) mutable {
                               // No Catch2 assertions here: this runs on the SDK thread.
                               auto last = std::move(holder);
                               const auto s = last->stats();
                               last.reset(); // the client's destructor runs here, on the SDK thread
                               ran.set_value({ec, s});
                           });
        holder.reset(); // from now on only the handler owns the client
        REQUIRE(ran_future.wait_for(test_deadline) == std::future_status::ready);
        const auto [ec, s] = ran_future.get();
        CHECK_FALSE(ec);
        CHECK(s.delivered == 1);
        CHECK(accounting_holds(s));
        CHECK(collector.request_count() == 1);
    }
    SECTION("other pushes still in flight to a silent collector")
    {
        collector.push_responses({scripted_response{}});
        collector.set_default_response(silent());
        auto opts = options_for(collector, logs);
        opts.max_connections = 1; // the first request gets the 200, the rest the silence
        opts.return_promise_for.push = true;
        opts.timeouts.request = 10s;
        opts.shutdown_timeout = 300ms;
        auto holder = std::make_shared<vwo::client>(vwo::launch(opts));
        std::promise<std::pair<boost::system::error_code, vwo::client_stats>> ran;
        auto ran_future = ran.get_future();
        holder->async_push("k", "first", "u",
                           [holder, &ran](boost::system::error_code ec, vwo::push_result) mutable {
                               // No Catch2 assertions here: this runs on the SDK thread.
                               auto last = std::move(holder);
                               const auto s = last->stats();
                               last.reset(); // the client's destructor runs here, on the SDK thread
                               ran.set_value({ec, s});
                           });
        std::vector<std::future<bool>> futures;
        for (int i = 0; i < 5; ++i)
            futures.push_back(holder->push("k", std::to_string(i), "u").to_future());
        holder.reset();
        REQUIRE(ran_future.wait_for(test_deadline) == std::future_status::ready);
        const auto [ec, s] = ran_future.get();
        CHECK_FALSE(ec);
        CHECK(s.delivered == 1);
        CHECK(accounting_holds(s));
        // The shutdown started on the SDK thread ends the pending ones at its 300 ms deadline.
        for (auto& f : futures) {
            REQUIRE(f.wait_for(5s) == std::future_status::ready);
            CHECK_FALSE(f.get());
        }
    }
    // The SDK thread finishes on its own: the thread count returns to what it was (bounded wait).
    const auto until = steady::now() + test_deadline;
    while (thread_count() > threads_before && steady::now() < until)
        std::this_thread::sleep_for(10ms);
    CHECK(thread_count() <= threads_before);
}

TEST_CASE_METHOD(collector_fixture,
                 "R4 max_queue_events bounds what is pending: the rest is refused at once and logged rarely",
                 "[shutdown][queue-bounds]")
{
    collector.set_default_response(silent());
    opts.max_queue_events = 100;
    opts.timeouts.request = 10s;
    launch();

    for (int i = 0; i < 100; ++i)
        REQUIRE(client.push("k", std::to_string(i), "u").get());
    constexpr int refused_calls = 1000;
    int refused = 0;
    const auto start = steady::now();
    for (int i = 0; i < refused_calls; ++i)
        refused += client.push("k", "x" + std::to_string(i), "u").get() ? 0 : 1;
    const auto took = steady::now() - start;
    CHECK(refused == refused_calls);
    CHECK(took < 2s); // never blocks waiting for room

    const auto before_shutdown = client.stats();
    CHECK(before_shutdown.dropped_queue_full == refused_calls);
    CHECK(before_shutdown.accepted == 100 + refused_calls);
    CHECK(accounting_holds(before_shutdown));
    CHECK(client.stats().last_error == vwo::errc::queue_full);

    const auto full_lines = count_lines(logs, vwo::log_level::error, "queue full");
    CHECK(full_lines >= 1);
    CHECK(full_lines <= 5); // once per interval, not once per refused push

    // A map is refused as a whole when it does not fit.
    CHECK_FALSE(client.push({{"a", "1"}, {"b", "2"}}, "u").get());

    client.shutdown(200ms);
    const auto s = client.stats();
    CHECK(s.dropped_queue_full == refused_calls + 2);
    CHECK(s.dropped_shutdown == 100);
    CHECK(accounting_holds(s));
}

TEST_CASE_METHOD(collector_fixture, "R4 max_queue_bytes bounds what is pending with big values",
                 "[shutdown][queue-bounds]")
{
    collector.set_default_response(silent());
    opts.max_queue_bytes = 16 * 1024;
    opts.timeouts.request = 10s;
    launch();

    // 255 code points of 4 bytes each: the longest value the validation rule allows (1020 bytes).
    std::string big;
    for (int i = 0; i < 255; ++i)
        big += "\xF0\x9F\x98\x80";
    constexpr int calls = 200;
    int accepted = 0;
    bool refused_once = false;
    bool accepted_after_refusal = false;
    for (int i = 0; i < calls; ++i) {
        const bool ok = client.push("k" + std::to_string(i), big, "u").get();
        if (ok) {
            ++accepted;
            accepted_after_refusal = accepted_after_refusal || refused_once;
        } else {
            refused_once = true;
        }
    }
    CHECK(accepted >= 1);
    CHECK(accepted <= 16); // 16 KiB / 1020 bytes of value each
    CHECK_FALSE(accepted_after_refusal); // nothing completes in a black hole, so no room ever frees up

    const auto full_lines = count_lines(logs, vwo::log_level::error, "queue full");
    CHECK(full_lines >= 1);
    CHECK(full_lines <= 5);

    client.shutdown(200ms);
    const auto s = client.stats();
    CHECK(s.dropped_queue_full == static_cast<std::uint64_t>(calls - accepted));
    CHECK(s.dropped_shutdown == static_cast<std::uint64_t>(accepted));
    CHECK(accounting_holds(s));
}
