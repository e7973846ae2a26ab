// vwo::redis_user_storage when things go wrong: the server restarts, a server never answers, many
// threads at once, the store destroyed with operations outstanding, a user-given executor.
#include "redis_test_support.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

using namespace vwo;
using vwo::testing::local_redis_server;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

boost::system::error_code set_error(redis_user_storage& store, const user_storage_record& r)
{
    try {
        store.set(r);
        return {};
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
}

} // namespace

TEST_CASE("redis faults: server killed and restarted on the same port: fast failures - then works again")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.command_deadline = 2000ms;
    redis_user_storage store(options);
    store.set(test::record_of("u1", "CAMP", "Control"));

    server.stop(false); // SIGKILL mid-run
    for (int i = 0; i < 5; ++i) {
        const auto start = steady::now();
        auto ec = set_error(store, test::record_of("u1", "CAMP", "Control"));
        const auto took = steady::now() - start;
        CHECK(ec);
        CHECK(took < 500ms); // refused at once, long before the 2 s deadline
    }
    server.restart(); // same port; the data is gone (no persistence)
    CHECK(!set_error(store, test::record_of("u1", "CAMP", "Variation-1")));
    CHECK(store.get("u1", "CAMP")->variation_name == "Variation-1");

    server.stop(true); // SIGTERM: a clean close of our connection this time
    CHECK_THROWS_AS(store.get("u1", "CAMP"), boost::system::system_error);
    server.restart();
    CHECK(!store.get("u1", "CAMP"));
}

TEST_CASE("redis faults: a server that never answers: every command times out within the deadline")
{
    test::silent_listener listener;
    redis_user_storage_options options;
    options.port = listener.port();
    options.connect_deadline = 5000ms;
    options.command_deadline = 300ms;
    redis_user_storage store(options);

    constexpr int count = 20;
    test::completion_counter done;
    std::atomic<int> timed_out{0};
    std::vector<std::chrono::nanoseconds> took(count);
    const auto start = steady::now();
    for (int i = 0; i < count; ++i) {
        store.async_get("u" + std::to_string(i), "CAMP",
                        [&, i](boost::system::error_code ec, std::optional<user_storage_record> r) {
                            took[static_cast<std::size_t>(i)] = steady::now() - start;
                            if (ec == make_error_code(redis_errc::timed_out) && !r)
                                ++timed_out;
                            done.add();
                        });
    }
    REQUIRE(done.wait_for(count, 5s));
    CHECK(timed_out == count);
    for (auto t : took)
        CHECK(t < 800ms); // 300 ms deadline plus scheduling slack (sanitizer builds included)
    CHECK(std::error_condition(std::errc::timed_out) == make_error_code(redis_errc::timed_out));

    // The synchronous face: the same deadline, then an exception.
    const auto sync_start = steady::now();
    try {
        store.get("u1", "CAMP");
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::timed_out));
    }
    CHECK(steady::now() - sync_start < 800ms);

    // A connect deadline shorter than the command deadline ends the attempt as connect_failed.
    options.connect_deadline = 200ms;
    options.command_deadline = 2000ms;
    redis_user_storage quick(options);
    const auto quick_start = steady::now();
    try {
        quick.get("u1", "CAMP");
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::connect_failed));
    }
    CHECK(steady::now() - quick_start < 1000ms);
}

TEST_CASE("redis faults: 8 threads of concurrent async operations - exact counts")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.command_deadline = 10000ms;
    redis_user_storage store(options);
    constexpr int threads = 8;
    constexpr int per_thread = 250;
    test::completion_counter sets;
    std::atomic<int> set_failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i)
                store.async_set(test::record_of("t" + std::to_string(t) + "u" + std::to_string(i), "CAMP",
                                                "v" + std::to_string(i % 3)),
                                [&](boost::system::error_code ec) {
                                    if (ec)
                                        ++set_failures;
                                    sets.add();
                                });
        });
    for (auto& w : workers)
        w.join();
    REQUIRE(sets.wait_for(threads * per_thread));
    CHECK(set_failures == 0);
    CHECK(server.command({"DBSIZE"}) == std::to_string(threads * per_thread));

    test::completion_counter gets;
    std::atomic<int> right{0};
    workers.clear();
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i)
                store.async_get("t" + std::to_string(t) + "u" + std::to_string(i), "CAMP",
                                [&, i](boost::system::error_code ec, std::optional<user_storage_record> r) {
                                    if (!ec && r && r->variation_name == "v" + std::to_string(i % 3))
                                        ++right;
                                    gets.add();
                                });
        });
    for (auto& w : workers)
        w.join();
    REQUIRE(gets.wait_for(threads * per_thread));
    CHECK(right == threads * per_thread);
    std::this_thread::sleep_for(50ms);
    CHECK(gets.count() == threads * per_thread); // each handler exactly once
}

TEST_CASE("redis faults: destroying the store completes outstanding operations with shut_down")
{
    test::silent_listener listener;
    redis_user_storage_options options;
    options.port = listener.port();
    options.command_deadline = 10000ms;
    options.connect_deadline = 10000ms;
    test::completion_counter done;
    std::atomic<int> shut_down{0};
    {
        redis_user_storage store(options);
        for (int i = 0; i < 10; ++i)
            store.async_get("u", "CAMP", [&](boost::system::error_code ec, std::optional<user_storage_record>) {
                if (ec == make_error_code(redis_errc::shut_down))
                    ++shut_down;
                done.add();
            });
        std::this_thread::sleep_for(50ms);
    }
    CHECK(done.wait_for(10, 1s));
    CHECK(shut_down == 10);
}

TEST_CASE("redis faults: on a user-given executor - handlers run there")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    {
        auto options = test::options_for(server);
        options.executor = io.get_executor();
        redis_user_storage store(options);
        store.set(test::record_of("u1", "CAMP", "Control"));
        std::promise<std::thread::id> ran_on;
        store.async_get("u1", "CAMP", [&](boost::system::error_code, std::optional<user_storage_record>) {
            ran_on.set_value(std::this_thread::get_id());
        });
        CHECK(ran_on.get_future().get() == runner.get_id());
    }
    work.reset();
    runner.join();
}
