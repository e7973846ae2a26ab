// Per-row bookkeeping and backpressure, with completions simulated on other threads.

#include "delivery_tracker.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

using namespace vwo::cli;
using namespace std::chrono_literals;

namespace {

submission sub(std::uint64_t line)
{
    return submission{row{line, "u", "k", "v", {}}};
}

auto soon()
{
    return delivery_tracker::clock::now() + 10s; // a bound, never reached when the code is right
}

} // namespace

TEST_CASE("tracker: outcomes are counted and bad rows reported with their line", "[cli][tracker]")
{
    std::vector<bad_row> reported;
    delivery_tracker tracker([&](const bad_row& b) { reported.push_back(b); });
    for (int i = 0; i < 5; ++i)
        tracker.row_read();
    tracker.record_invalid(2, "key is empty");
    tracker.submitted(true);
    tracker.submitted(true);
    tracker.submitted(true);
    tracker.finished(5, row_outcome::failed, "HTTP 400");
    tracker.finished(3, row_outcome::delivered);
    tracker.finished(4, row_outcome::dropped, "deadline");
    tracker.not_sent(6, "interrupted");

    const auto c = tracker.counts();
    CHECK(c.rows_read == 5);
    CHECK(c.submitted == 3);
    CHECK(c.pending == 0);
    CHECK(c.delivered == 1);
    CHECK(c.invalid == 1);
    CHECK(c.failed == 1);
    CHECK(c.dropped == 2);
    CHECK(c.not_sent == 1);
    CHECK(c.done() == 5);
    CHECK(c.failures() == 4);
    REQUIRE(reported.size() == 4);
    CHECK(reported[0].line == 2);
    CHECK(reported[0].outcome == row_outcome::invalid);
    CHECK(reported[1].reason == "HTTP 400");
    CHECK(tracker.lines_with(row_outcome::dropped) == std::vector<std::uint64_t>{4, 6});
    CHECK(tracker.lines_with(row_outcome::invalid) == std::vector<std::uint64_t>{2});
    CHECK(tracker.lines_with(row_outcome::delivered).empty());
}

TEST_CASE("tracker: wait_for_room blocks at the bound until a completion arrives", "[cli][tracker]")
{
    delivery_tracker tracker;
    tracker.submitted(true);
    tracker.submitted(true);
    CHECK(tracker.wait_for_room(3, soon()) == delivery_tracker::wait_status::ready);
    CHECK(tracker.wait_for_room(2, delivery_tracker::clock::now()) == delivery_tracker::wait_status::timed_out);
    std::thread sdk([&] { tracker.finished(1, row_outcome::delivered); });
    CHECK(tracker.wait_for_room(2, soon()) == delivery_tracker::wait_status::ready);
    sdk.join();
    CHECK(tracker.counts().pending == 1);
}

TEST_CASE("tracker: a refused row waits for a completion, then comes back once", "[cli][tracker]")
{
    delivery_tracker tracker;
    for (int line = 1; line <= 3; ++line)
        tracker.submitted(true);
    tracker.refused(sub(3)); // the SDK's queue was full

    // Nothing has finished since the refusal: no retry yet, and no room for new rows either.
    CHECK_FALSE(tracker.take_retry());
    CHECK(tracker.counts().waiting_retry == 1);
    CHECK(tracker.wait_for_room(100, delivery_tracker::clock::now()) == delivery_tracker::wait_status::timed_out);

    std::thread sdk([&] { tracker.finished(1, row_outcome::delivered); });
    CHECK(tracker.wait_for_room(100, soon()) == delivery_tracker::wait_status::ready);
    sdk.join();
    auto retry = tracker.take_retry();
    REQUIRE(retry);
    CHECK(retry->data.line == 3);
    CHECK(retry->refusals == 1);
    CHECK_FALSE(tracker.take_retry());
    const auto c = tracker.counts();
    CHECK(c.refusals == 1);
    CHECK(c.waiting_retry == 0);
    CHECK(c.pending == 1);
}

TEST_CASE("tracker: a refusal with nothing pending may be retried at once", "[cli][tracker]")
{
    delivery_tracker tracker;
    tracker.submitted(true);
    tracker.refused(sub(9));
    auto retry = tracker.take_retry();
    REQUIRE(retry);
    CHECK(retry->data.line == 9);
}

TEST_CASE("tracker: a row refused too often is dropped, not retried forever", "[cli][tracker]")
{
    std::vector<bad_row> reported;
    delivery_tracker tracker([&](const bad_row& b) { reported.push_back(b); }, 2);
    auto s = sub(7);
    for (int attempt = 0; attempt < 2; ++attempt) {
        tracker.submitted(attempt == 0);
        tracker.refused(std::move(s));
        auto back = tracker.take_retry();
        REQUIRE(back);
        s = std::move(*back);
    }
    tracker.submitted(false);
    tracker.refused(std::move(s)); // the third refusal is one too many
    CHECK_FALSE(tracker.take_retry());
    const auto c = tracker.counts();
    CHECK(c.dropped == 1);
    CHECK(c.submitted == 1);
    CHECK(c.pending == 0);
    REQUIRE(reported.size() == 1);
    CHECK(reported[0].line == 7);
    CHECK(reported[0].reason.find("queue stayed full") != std::string::npos);
}

TEST_CASE("tracker: wait_until_settled returns when nothing is pending or a retry is ready", "[cli][tracker]")
{
    delivery_tracker tracker;
    CHECK(tracker.wait_until_settled(soon()) == delivery_tracker::wait_status::ready);
    tracker.submitted(true);
    tracker.submitted(true);
    CHECK(tracker.wait_until_settled(delivery_tracker::clock::now()) == delivery_tracker::wait_status::timed_out);
    std::thread sdk([&] {
        tracker.refused(sub(1));
        tracker.finished(2, row_outcome::delivered);
    });
    CHECK(tracker.wait_until_settled(soon()) == delivery_tracker::wait_status::ready);
    sdk.join();
    REQUIRE(tracker.take_retry());
}

TEST_CASE("tracker: interrupt ends the reading loop's waits but not the drain", "[cli][tracker]")
{
    delivery_tracker tracker;
    tracker.submitted(true);
    std::thread signal_thread([&] { tracker.interrupt(); });
    CHECK(tracker.wait_for_room(1, soon()) == delivery_tracker::wait_status::interrupted);
    signal_thread.join();
    CHECK(tracker.interrupted());
    CHECK_FALSE(tracker.sleep_until(soon()));
    CHECK(tracker.wait_until_settled(delivery_tracker::clock::now()) == delivery_tracker::wait_status::timed_out);
}

TEST_CASE("tracker: sleep_until returns at the time when not interrupted", "[cli][tracker]")
{
    delivery_tracker tracker;
    const auto until = delivery_tracker::clock::now() + 5ms;
    CHECK(tracker.sleep_until(until));
    CHECK(delivery_tracker::clock::now() >= until);
}

TEST_CASE("tracker: drop_waiting counts the rows still waiting for a retry as dropped", "[cli][tracker]")
{
    std::vector<bad_row> reported;
    delivery_tracker tracker([&](const bad_row& b) { reported.push_back(b); });
    tracker.submitted(true);
    tracker.submitted(true);
    tracker.refused(sub(4));
    tracker.drop_waiting("deadline passed");
    const auto c = tracker.counts();
    CHECK(c.dropped == 1);
    CHECK(c.waiting_retry == 0);
    CHECK_FALSE(tracker.take_retry());
    REQUIRE(reported.size() == 1);
    CHECK(reported[0].reason == "deadline passed");
}

TEST_CASE("tracker: completions from many threads are all counted", "[cli][tracker]")
{
    delivery_tracker tracker;
    constexpr int per_thread = 2000;
    for (int i = 0; i < 4 * per_thread; ++i)
        tracker.submitted(true);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&tracker, t] {
            for (int i = 0; i < per_thread; ++i)
                tracker.finished(static_cast<std::uint64_t>(t * per_thread + i),
                                 i % 10 == 0 ? row_outcome::failed : row_outcome::delivered);
        });
    CHECK(tracker.wait_until_settled(soon()) == delivery_tracker::wait_status::ready);
    for (auto& t : threads)
        t.join();
    const auto c = tracker.counts();
    CHECK(c.pending == 0);
    CHECK(c.failed == 4 * per_thread / 10);
    CHECK(c.delivered == 4 * per_thread - c.failed);
    const auto failed = tracker.lines_with(row_outcome::failed);
    CHECK(std::is_sorted(failed.begin(), failed.end()));
}
