// client_options::executor: the SDK runs on the application's executor and starts no thread.

#include "fixtures.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

using namespace vwo::test;
using vwo::tools::local_collector;

namespace {
std::size_t thread_count()
{
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}
} // namespace

TEST_CASE("with a user executor the SDK starts no thread and delivers everything", "[executor]")
{
    local_collector collector;
    log_capture logs;
    boost::asio::io_context app;
    auto guard = boost::asio::make_work_guard(app);
    std::vector<std::thread> runners; // a multi-threaded io_context: the SDK must serialise itself
    for (int i = 0; i < 2; ++i)
        runners.emplace_back([&app] { app.run(); });

    const std::size_t before = thread_count();
    {
        auto opts = options_for(collector, logs);
        opts.executor = app.get_executor();
        opts.return_promise_for.push = true;
        opts.batch_events = vwo::batch_events_options{7, std::chrono::seconds(600), {}};
        auto client = vwo::launch(opts);
        CHECK(thread_count() == before);

        std::vector<std::future<bool>> delivered;
        for (int i = 0; i < 50; ++i)
            delivered.push_back(client.push("n", std::to_string(i), "user-" + std::to_string(i)).to_future());
        auto flushed = client.flush_events().to_future();
        REQUIRE(ready_within(flushed));
        CHECK(flushed.get());
        for (auto& f : delivered) {
            REQUIRE(ready_within(f));
            CHECK(f.get());
        }
        client.shutdown(std::chrono::seconds(2));
        const auto s = client.stats();
        CHECK(s.delivered == 50);
        CHECK(accounting_holds(s));
        CHECK(thread_count() == before);
    }
    std::size_t events = 0;
    for (const auto& r : collector.requests())
        events += json_of(r.body)["ev"].size();
    CHECK(events == 50);

    guard.reset();
    for (auto& t : runners)
        t.join();
}
