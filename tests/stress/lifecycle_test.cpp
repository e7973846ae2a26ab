// Reliability R12 (and R2): many launch → push → destroy cycles with requests in flight. No crash,
// every future completes, and file descriptors and threads return to their baseline.
// Run under ASan/LSan and TSan too (with VWO_STRESS_SCALE=0.1).

#include "stress_support.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace vwo::test;
using namespace vwo::stress;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// How a cycle ends.
enum class ending {
    wait_for_delivery, // delayed collector, shutdown_timeout 2 s: the destructor waits for the answers
    abandon,           // delayed collector, shutdown_timeout 5 ms: destroyed while the answers are pending
    never_answered,    // silent collector, shutdown_timeout 50 ms: the destructor gives up on them
};

struct pending_future {
    std::size_t cycle;
    ending how;
    std::future<bool> delivered;
};

struct pending_async {
    std::size_t cycle;
    std::future<vwo::push_result> result;
};

struct counts {
    std::size_t fds;
    std::size_t threads;
};

counts now_counts() { return {open_fds(), thread_count()}; }

// Polls (bounded) until fds and threads are back to `baseline`; returns the last counts seen.
counts wait_for_baseline(const counts& baseline, std::chrono::milliseconds limit)
{
    const auto until = steady::now() + limit;
    for (;;) {
        const auto c = now_counts();
        if ((c.fds <= baseline.fds && c.threads <= baseline.threads) || steady::now() >= until)
            return c;
        std::this_thread::sleep_for(10ms);
    }
}

} // namespace

TEST_CASE("R12 launch, push and destroy with requests in flight, many times: no leak of futures, fds or threads",
          "[stress][lifecycle]")
{
    const std::size_t cycles = scaled(1000, 50);

    local_collector delayed;                  // answers 200 after 20–50 ms (chosen per cycle)
    local_collector silent;                   // records, never answers
    scripted_response hang;
    hang.never_answer = true;
    silent.set_default_response(hang);
    log_counter logs;
    std::mt19937 rng(12345);

    auto options_for_cycle = [&](std::size_t cycle, ending how) {
        vwo::client_options o;
        o.proxy.use_environment = false; // loopback only, whatever the machine exports
        o.settings_file = settings_json();
        o.endpoint = how == ending::never_answered ? silent.endpoint() : delayed.endpoint();
        o.logging.logger = logs.callback();
        o.logging.level = vwo::log_level::error;
        o.retry.base_delay = 5ms;
        o.retry.max_delay = 20ms;
        o.retry.max_retries = 2;
        o.retry.max_elapsed_time = std::chrono::milliseconds(0); // the count alone
        o.timeouts.request = 3s;
        o.shutdown_timeout = how == ending::wait_for_delivery ? 2000ms : how == ending::abandon ? 5ms : 50ms;
        o.return_promise_for.push = cycle % 2 == 0; // every other cycle in promise mode
        return o;
    };

    std::vector<pending_future> futures;
    std::vector<pending_async> asyncs;
    std::size_t not_ready_after_destroy = 0;
    std::size_t pushes = 0;

    auto run_cycle = [&](std::size_t cycle) {
        const ending how = cycle % 10 == 9 ? ending::never_answered
                           : cycle % 3 == 0 ? ending::abandon
                                            : ending::wait_for_delivery;
        if (how != ending::never_answered) {
            scripted_response r;
            r.delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 50)(rng));
            delayed.set_default_response(r);
        }
        const std::size_t first_future = futures.size();
        const std::size_t first_async = asyncs.size();
        {
            auto client = vwo::launch(options_for_cycle(cycle, how));
            const int n = 1 + static_cast<int>(cycle % 4);
            for (int i = 0; i < n; ++i) {
                const std::string value = "c" + std::to_string(cycle) + "-" + std::to_string(i);
                auto r = client.push("life", value, "user-" + std::to_string(cycle % 17));
                ++pushes;
                if (r.is_future())
                    futures.push_back({cycle, how, std::move(r).to_future()});
                else
                    CHECK(r.get()); // accepted
            }
            // One completion-token push per cycle as well (a std::future of the push_result).
            asyncs.push_back({cycle, client.async_push("life", "a" + std::to_string(cycle), "user-a",
                                                       boost::asio::use_future)});
            ++pushes;
            if (cycle % 5 == 0) // some cycles ask for a shutdown before the destructor runs
                client.shutdown(how == ending::wait_for_delivery ? 2000ms : 5ms);
        } // destroyed here, usually with requests in flight
        // The destructor completed everything: nothing may still be pending.
        for (std::size_t i = first_future; i < futures.size(); ++i)
            if (futures[i].delivered.wait_for(0s) != std::future_status::ready)
                ++not_ready_after_destroy;
        for (std::size_t i = first_async; i < asyncs.size(); ++i)
            if (asyncs[i].result.wait_for(0s) != std::future_status::ready)
                ++not_ready_after_destroy;
    };

    // One warm-up cycle before the baseline: one-time lazy initialisation (OpenSSL, locale,
    // the first accepted connections' buffers) is not a leak.
    const auto before_warmup = now_counts();
    run_cycle(1);
    futures.clear();
    asyncs.clear();
    pushes = 0;
    REQUIRE(delayed.wait_for_open_connections_at_most(0, 5s));
    const auto baseline = now_counts();

    const auto start = steady::now();
    for (std::size_t cycle = 0; cycle < cycles; ++cycle)
        run_cycle(cycle);
    const auto loop_time = steady::now() - start;

    // Every future completes; true only where the collector answered in time.
    std::size_t never_ready = 0, true_results = 0, false_results = 0, false_but_expected_true = 0,
                true_but_silent = 0, async_ok = 0, async_failed = 0;
    for (auto& f : futures) {
        if (f.delivered.wait_for(2s) != std::future_status::ready) {
            ++never_ready;
            continue;
        }
        bool v = false;
        try {
            v = f.delivered.get();
        } catch (const std::exception&) { // e.g. broken_promise: counted as never ready
            ++never_ready;
            continue;
        }
        (v ? true_results : false_results)++;
        if (!v && f.how == ending::wait_for_delivery)
            ++false_but_expected_true;
        if (v && f.how == ending::never_answered)
            ++true_but_silent;
    }
    for (auto& a : asyncs) {
        if (a.result.wait_for(2s) != std::future_status::ready) {
            ++never_ready;
            continue;
        }
        try {
            a.result.get();
            ++async_ok;
        } catch (const boost::system::system_error&) {
            ++async_failed;
        } catch (const std::exception&) {
            ++never_ready;
        }
    }

    // Resources: the collectors close their side of each connection when they see the client's FIN.
    const bool delayed_closed = delayed.wait_for_open_connections_at_most(0, 2s);
    const bool silent_closed = silent.wait_for_open_connections_at_most(0, 2s);
    const auto after = wait_for_baseline(baseline, 2s);

    std::printf("[stress] lifecycle: %zu cycles, %zu pushes in %.1f s (%.1f ms/cycle); fds %zu -> %zu (before "
                "warm-up %zu), threads %zu -> %zu (before warm-up %zu); promise futures true %zu / false %zu, "
                "async ok %zu / failed %zu, never ready %zu, not ready right after destroy %zu; "
                "requests at delayed collector %zu, at silent collector %zu\n",
                cycles, pushes, std::chrono::duration<double>(loop_time).count(),
                std::chrono::duration<double, std::milli>(loop_time).count() / static_cast<double>(cycles),
                baseline.fds, after.fds, before_warmup.fds, baseline.threads, after.threads, before_warmup.threads,
                true_results, false_results, async_ok, async_failed, never_ready, not_ready_after_destroy,
                delayed.request_count(), silent.request_count());

    CHECK(never_ready == 0);
    CHECK(not_ready_after_destroy == 0);
    CHECK(false_but_expected_true == 0); // 2 s is ample for a 20–50 ms answer
    CHECK(true_but_silent == 0);         // true only after a 2xx
    CHECK(delayed_closed);
    CHECK(silent_closed);
    INFO("fds baseline " << baseline.fds << ", after " << after.fds << "; threads baseline " << baseline.threads
                         << ", after " << after.threads);
    CHECK(after.fds <= baseline.fds);
    CHECK(after.threads <= baseline.threads);
}
