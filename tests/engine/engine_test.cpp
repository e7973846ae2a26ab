// The delivery engine through a fake transport and a manual clock (tests/engine/engine_fixture.hpp):
// retries and backoff, the 413 split, queue bounds, flush waiters, shutdown drain and deadline,
// outages, and the accounting invariant — each with exact counts and without sockets or sleeps.

#include "engine_fixture.hpp"

#include <vwo/error.hpp>

#include <boost/asio/bind_executor.hpp>

#include <future>

using namespace std::chrono_literals;
using vwo::errc;
using vwo::test::engine_fixture;

TEST_CASE_METHOD(engine_fixture, "a push becomes one request, and a 2xx answer delivers it", "[engine]")
{
    launch();
    REQUIRE(push("k"));
    auto s = stats();
    REQUIRE(s.accepted == 1);
    REQUIRE(s.queued == 1);
    require_invariant(s);

    run(); // the first push of a busy period wakes the SDK thread
    REQUIRE(net->waiting.size() == 1);
    REQUIRE(net->waiting.front().request->target.find("/server-side/push?") != std::string::npos);
    s = stats();
    REQUIRE(s.queued == 0);
    REQUIRE(s.in_flight == 1);
    require_invariant(s);

    net->answer(200);
    run();
    s = stats();
    REQUIRE(s.delivered == 1);
    REQUIRE(s.in_flight == 0);
    REQUIRE(s.attempts == 1);
    REQUIRE(s.requests_sent == 1);
    REQUIRE(s.retries == 0);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "a retryable answer is retried after a backoff in the configured band",
                 "[engine]")
{
    options.retry.max_retries = 2;
    options.retry.base_delay = 1000ms;
    launch();
    REQUIRE(push("k"));
    settle();
    net->answer(503);
    run();
    REQUIRE(net->waiting.empty());
    REQUIRE(time->pending() == 1);
    // Retry 1 waits base * 2^0 = 1000 ms, randomised in [0.5, 1.5) of it.
    const auto delay = time->next_due();
    REQUIRE(delay >= 500ms);
    REQUIRE(delay < 1500ms);
    time->advance(delay - 1ms);
    run();
    REQUIRE(net->waiting.empty()); // not yet
    time->advance(1ms);
    run();
    REQUIRE(net->waiting.size() == 1);
    REQUIRE(net->sent.size() == 2);
    REQUIRE(net->sent[0]->target == net->sent[1]->target); // the same bytes: the same event identity

    net->answer(200);
    run();
    const auto s = stats();
    REQUIRE(s.delivered == 1);
    REQUIRE(s.attempts == 2);
    REQUIRE(s.retries == 1);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "retries exhausted fail the event with exact counts", "[engine]")
{
    options.retry.max_retries = 2;
    launch();
    boost::system::error_code result_ec;
    vwo::push_result result;
    bool done = false;
    impl->start_push(vwo::detail::single_dimension("k", "v"), "u1",
                     [&](boost::system::error_code ec, vwo::push_result r) {
                         result_ec = ec;
                         result = std::move(r);
                         done = true;
                     });
    settle();
    for (int attempt = 0; attempt < 3; ++attempt) {
        REQUIRE(net->waiting.size() == 1);
        net->answer(500);
        run();
        if (attempt < 2) {
            REQUIRE(time->pending() == 1); // the backoff wait
            time->advance(time->next_due());
            run();
        }
    }
    REQUIRE(done);
    REQUIRE(result_ec == errc::retries_exhausted);
    REQUIRE(result.attempts == 3);
    REQUIRE(result.http_status == 500);
    const auto s = stats();
    REQUIRE(s.failed_retries_exhausted == 1);
    REQUIRE(s.attempts == 3);
    REQUIRE(s.retries == 2);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "a 413 batch is split in halves that carry its events and its flush",
                 "[engine]")
{
    options.batch_events = vwo::batch_events_options{};
    options.batch_events->events_per_request = 100;
    std::vector<std::size_t> callback_sizes;
    options.batch_events->flush_callback = [&](boost::system::error_code ec, std::string_view payload) {
        REQUIRE(!ec);
        callback_sizes.push_back(payload.size());
    };
    launch();
    for (int i = 0; i < 4; ++i)
        REQUIRE(push("k" + std::to_string(i)));
    tick();
    REQUIRE(net->waiting.empty()); // batch mode: queued until the interval, the size or a flush
    REQUIRE(stats().queued == 4);

    boost::system::error_code flush_ec = make_error_code(errc::timeout);
    bool flushed = false;
    impl->start_flush([&](boost::system::error_code ec) {
        flush_ec = ec;
        flushed = true;
    });
    run();
    REQUIRE(net->waiting.size() == 1);
    net->answer(413);
    run();
    REQUIRE(net->waiting.size() == 2);
    REQUIRE(!flushed);
    const std::string& first = net->waiting[0].request->body;
    const std::string& second = net->waiting[1].request->body;
    REQUIRE(first.find("k0") != std::string::npos);
    REQUIRE(first.find("k1") != std::string::npos);
    REQUIRE(first.find("k2") == std::string::npos);
    REQUIRE(second.find("k2") != std::string::npos);
    REQUIRE(second.find("k3") != std::string::npos);
    net->answer(200);
    run();
    REQUIRE(!flushed); // one half is still out
    net->answer(200);
    run();
    REQUIRE(flushed);
    REQUIRE(!flush_ec);
    REQUIRE(callback_sizes.size() == 2);
    const auto s = stats();
    REQUIRE(s.delivered == 4);
    REQUIRE(s.attempts == 3);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "the queue bounds drop what does not fit, counted and logged", "[engine]")
{
    options.max_queue_events = 3;
    launch();
    REQUIRE(push("a"));
    REQUIRE(push("b"));
    REQUIRE(push("c"));
    REQUIRE_FALSE(push("d"));
    auto s = stats();
    REQUIRE(s.accepted == 4);
    REQUIRE(s.queued == 3);
    REQUIRE(s.dropped_queue_full == 1);
    REQUIRE(s.last_error == errc::queue_full);
    REQUIRE(logged("send queue full"));
    require_invariant(s);

    run();
    REQUIRE(net->waiting.size() == 3);
    REQUIRE_FALSE(push("e")); // in flight still counts against the bound
    net->answer(200);
    run();
    REQUIRE(push("f")); // one finished: room for one
    s = stats();
    REQUIRE(s.dropped_queue_full == 2);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "a flush waits for every request it started and reports a failure",
                 "[engine]")
{
    options.batch_events = vwo::batch_events_options{};
    options.batch_events->events_per_request = 2;
    launch();
    // A flush with nothing queued ends at once.
    boost::system::error_code empty_ec;
    impl->start_flush([&](boost::system::error_code ec) { empty_ec = ec; });
    run();
    REQUIRE(empty_ec == errc::nothing_to_flush);

    for (int i = 0; i < 3; ++i)
        REQUIRE(push("k" + std::to_string(i)));
    tick();
    REQUIRE(net->waiting.size() == 1); // two events fill a request; the third waits
    std::optional<boost::system::error_code> flush_ec;
    impl->start_flush([&](boost::system::error_code ec) { flush_ec = ec; });
    run();
    REQUIRE(net->waiting.size() == 2);
    net->answer(200); // the full batch, sent before the flush: not the flush's
    run();
    REQUIRE(!flush_ec);
    net->answer(400);
    run();
    REQUIRE(flush_ec);
    REQUIRE(*flush_ec == errc::http_rejected);
    const auto s = stats();
    REQUIRE(s.delivered == 2);
    REQUIRE(s.failed_rejected == 1);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "the batch interval sends a partial batch", "[engine]")
{
    options.batch_events = vwo::batch_events_options{};
    options.batch_events->request_time_interval = std::chrono::seconds(10);
    launch();
    REQUIRE(push("k"));
    tick();
    time->advance(9s);
    run();
    REQUIRE(net->waiting.empty());
    time->advance(1s);
    run();
    REQUIRE(net->waiting.size() == 1);
    REQUIRE(net->waiting.front().request->target.find("/server-side/batch-events?") != std::string::npos);
}

TEST_CASE_METHOD(engine_fixture, "shutdown drains what is queued and finishes when it is delivered",
                 "[engine]")
{
    launch();
    REQUIRE(push("a"));
    REQUIRE(push("b"));
    shutdown(5000ms);
    REQUIRE(net->waiting.size() == 2); // the inbox was drained into requests
    REQUIRE_FALSE(push("late"));
    REQUIRE(stats().rejected_shut_down == 1);
    net->answer(200);
    net->answer(200);
    run();
    const auto s = stats();
    REQUIRE(s.delivered == 2);
    REQUIRE(s.dropped_shutdown == 0);
    REQUIRE(net->closed); // finished: the transport is closed
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "at the shutdown deadline what is left ends as dropped_shutdown", "[engine]")
{
    options.retry.max_retries = 5;
    launch();
    REQUIRE(push("in-flight"));
    REQUIRE(push("retrying"));
    run();
    REQUIRE(net->waiting.size() == 2);
    net->answer(503); // "retrying" now waits for its backoff
    run();
    REQUIRE(net->waiting.size() == 1);
    shutdown(1000ms);
    REQUIRE(!net->closed);
    time->advance(1000ms); // the deadline (and maybe the retry) comes due
    run();
    REQUIRE(net->closed);
    run();
    const auto s = stats();
    REQUIRE(s.dropped_shutdown == 2);
    REQUIRE(s.in_flight == 0);
    REQUIRE(logged("shutdown deadline reached with 2 events undelivered"));
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "in an outage one request probes and the others wait, their budgets untouched",
                 "[engine]")
{
    options.retry.max_retries = 1;
    launch();
    for (int i = 0; i < 3; ++i)
        REQUIRE(push("k" + std::to_string(i)));
    settle();
    REQUIRE(net->waiting.size() == 3);
    net->fail(errc::connect_failed); // the first failure starts the outage: it becomes the probe
    net->fail(errc::connect_failed); // sent before the outage was seen: held, not charged
    net->fail(errc::connect_failed);
    run();
    REQUIRE(logged("collector unreachable"));
    REQUIRE(net->waiting.empty());
    REQUIRE(time->pending() == 1); // the probe's backoff; the held ones wait without a timer
    time->advance(time->next_due());
    run();
    REQUIRE(net->waiting.size() == 1); // only the probe goes out
    net->fail(errc::connect_failed);   // the probe's one retry is spent: it fails, the next held one probes
    run();
    REQUIRE(stats().failed_retries_exhausted == 1);
    REQUIRE(net->waiting.size() == 1);
    net->answer(200); // the collector answers: every held request goes out
    run();
    REQUIRE(logged("collector reachable again"));
    REQUIRE(net->waiting.size() == 1);
    net->answer(200);
    run();
    const auto s = stats();
    REQUIRE(s.delivered == 2);
    REQUIRE(s.failed_retries_exhausted == 1);
    require_invariant(s);
}

TEST_CASE_METHOD(engine_fixture, "immediate, promise and async faces of push agree", "[engine]")
{
    options.return_promise_for.push = true;
    launch();
    auto promised = impl->push(vwo::detail::single_dimension("k", "v"), "u1");
    REQUIRE(promised.is_future());
    std::optional<bool> async_ok;
    impl->start_push(vwo::detail::single_dimension("k2", "v"), "u1",
                     [&](boost::system::error_code ec, vwo::push_result) { async_ok = !ec; });
    run();
    REQUIRE(net->waiting.size() == 2);
    net->answer(200);
    net->answer(200);
    run();
    REQUIRE(promised.get());
    REQUIRE(async_ok == true);
    // Invalid input ends every face the same way, before anything is queued.
    auto bad = impl->push(vwo::detail::single_dimension("", "v"), "u1");
    run();
    REQUIRE_FALSE(bad.get());
    REQUIRE(stats().rejected_invalid == 1);
}

TEST_CASE_METHOD(engine_fixture, "a handler that throws is caught and logged", "[engine]")
{
    launch();
    impl->start_push(vwo::detail::single_dimension("k", "v"), "u1",
                     [](boost::system::error_code, vwo::push_result) { throw std::runtime_error("boom"); });
    run();
    net->answer(200);
    run();
    REQUIRE(logged("a completion handler threw (caught; the SDK goes on): boom"));
    REQUIRE(stats().delivered == 1);
}

TEST_CASE_METHOD(engine_fixture, "a promise that needs no delivery is ready when the call returns", "[engine]")
{
    // Read on the SDK thread itself (a handler, or a single-threaded user executor), a future that waited
    // for that thread would never be ready: a decision without an impression, or a track call that
    // tracked nothing, is complete when the call returns.
    options.return_promise_for.all = true;
    launch();
    auto variation = impl->get_variation_name("no-such-campaign", "u1", {});
    REQUIRE(variation.is_future());
    auto variation_future = std::move(variation).to_future();
    REQUIRE(variation_future.wait_for(0s) == std::future_status::ready);
    REQUIRE_FALSE(variation_future.get().has_value());
    auto tracked = impl->track(vwo::campaign_specifier("no-such-campaign"), "u1", "goal", {}).to_future();
    REQUIRE(tracked.wait_for(0s) == std::future_status::ready);
    REQUIRE_FALSE(tracked.get());
    REQUIRE(net->sent.empty());
}
