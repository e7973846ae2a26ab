#include "core/retry_policy.hpp"

#include <catch2/catch.hpp>

#include <boost/system/errc.hpp>

#include <cmath>
#include <iterator>
#include <string>

using namespace vwo::core;
using std::chrono::milliseconds;
using std::chrono::seconds;
using vwo::errc;

namespace {

attempt_outcome status(unsigned code, std::size_t events = 1)
{
    attempt_outcome outcome;
    outcome.status = code;
    outcome.events = events;
    return outcome;
}

attempt_outcome transport(errc error)
{
    attempt_outcome outcome;
    outcome.transport_error = error;
    return outcome;
}

const retry_policy defaults{};

// 2015-10-21 07:28:00 UTC
const std::chrono::system_clock::time_point reference_now =
    std::chrono::system_clock::time_point{std::chrono::sys_days{std::chrono::year{2015} / 10 / 21}} +
    std::chrono::hours{7} + std::chrono::minutes{28};

} // namespace

TEST_CASE("2xx is success", "[retry]")
{
    for (const unsigned code : {200u, 201u, 202u, 204u, 299u}) {
        const auto d = decide_retry(status(code), 0, defaults, 0.5);
        CHECK(d.action == verdict::success);
        CHECK_FALSE(d.error);
        CHECK(d.delay == milliseconds{0});
    }
}

TEST_CASE("retryable statuses retry, then exhaust", "[retry]")
{
    for (const unsigned code : {408u, 429u, 500u, 502u, 503u, 504u, 599u}) {
        INFO("status " << code);
        for (unsigned done = 0; done < defaults.max_retries; ++done) {
            CHECK(decide_retry(status(code), done, defaults, 0.5).action == verdict::retry);
        }
        const auto last = decide_retry(status(code), defaults.max_retries, defaults, 0.5);
        CHECK(last.action == verdict::fail);
        CHECK(last.error == errc::retries_exhausted);
    }
}

TEST_CASE("retryable transport errors retry, then exhaust", "[retry]")
{
    for (const errc e : {errc::timeout, errc::resolve_failed, errc::connect_failed, errc::connection_lost,
                         errc::bad_response, errc::tls_handshake_failed, errc::proxy_failed}) {
        INFO("error " << vwo::make_error_code(e).message());
        const auto first = decide_retry(transport(e), 0, defaults, 0.5);
        CHECK(first.action == verdict::retry);
        CHECK_FALSE(first.error);
        const auto last = decide_retry(transport(e), 5, defaults, 0.5);
        CHECK(last.action == verdict::fail);
        CHECK(last.error == errc::retries_exhausted);
    }
}

TEST_CASE("max_retries of zero fails on the first retryable outcome", "[retry]")
{
    retry_policy none;
    none.max_retries = 0;
    const auto d = decide_retry(status(503), 0, none, 0.5);
    CHECK(d.action == verdict::fail);
    CHECK(d.error == errc::retries_exhausted);
}

TEST_CASE("non-retryable transport errors fail with that error", "[retry]")
{
    for (const errc e : {errc::certificate_verification_failed, errc::certificate_untrusted, errc::certificate_expired,
                         errc::certificate_hostname_mismatch, errc::certificate_self_signed, errc::shutting_down,
                         errc::queue_full, errc::proxy_auth_required, errc::proxy_rejected}) {
        INFO("error " << vwo::make_error_code(e).message());
        const auto d = decide_retry(transport(e), 0, defaults, 0.5);
        CHECK(d.action == verdict::fail);
        CHECK(d.error == e);
    }
    // An error from a foreign category is passed through, never retried.
    const boost::system::error_code foreign = boost::system::errc::make_error_code(boost::system::errc::io_error);
    attempt_outcome outcome;
    outcome.transport_error = foreign;
    const auto d = decide_retry(outcome, 0, defaults, 0.5);
    CHECK(d.action == verdict::fail);
    CHECK(d.error == foreign);
}

TEST_CASE("certificate errors are never retried, whatever the retry budget (R10)", "[retry]")
{
    retry_policy generous;
    generous.max_retries = 100;
    for (const errc e : {errc::certificate_verification_failed, errc::certificate_untrusted, errc::certificate_expired,
                         errc::certificate_hostname_mismatch, errc::certificate_self_signed}) {
        INFO("error " << vwo::make_error_code(e).message());
        for (unsigned done : {0u, 1u, 99u}) {
            const auto d = decide_retry(transport(e), done, generous, 0.0);
            CHECK(d.action == verdict::fail);
            CHECK(d.error == e);
            CHECK(d.delay == milliseconds{0});
        }
    }
}

TEST_CASE("certificate error codes are distinct and named", "[retry]")
{
    const errc codes[] = {errc::certificate_verification_failed, errc::certificate_untrusted, errc::certificate_expired,
                          errc::certificate_hostname_mismatch, errc::certificate_self_signed,
                          errc::tls_handshake_failed};
    for (std::size_t i = 0; i < std::size(codes); ++i) {
        const auto message = vwo::make_error_code(codes[i]).message();
        CHECK(message.find("unknown vwo error") == std::string::npos);
        for (std::size_t j = i + 1; j < std::size(codes); ++j) {
            CHECK(codes[i] != codes[j]);
            CHECK(message != vwo::make_error_code(codes[j]).message());
        }
    }
    // Appended: the values that existed before R10 keep their numbers.
    CHECK(static_cast<int>(errc::certificate_verification_failed) == 11);
    CHECK(static_cast<int>(errc::not_launched) == 19);
    CHECK(static_cast<int>(errc::certificate_untrusted) == 20);
    CHECK(static_cast<int>(errc::certificate_self_signed) == 23);
}

TEST_CASE("proxy errors: 407 and a refused tunnel are final, a failed tunnel is retried (R11)", "[retry][proxy]")
{
    retry_policy generous;
    generous.max_retries = 100;
    for (const errc e : {errc::proxy_auth_required, errc::proxy_rejected}) {
        INFO("error " << vwo::make_error_code(e).message());
        for (unsigned done : {0u, 1u, 99u}) {
            const auto d = decide_retry(transport(e), done, generous, 0.0);
            CHECK(d.action == verdict::fail);
            CHECK(d.error == e);
        }
    }
    CHECK(decide_retry(transport(errc::proxy_failed), 0, generous, 0.0).action == verdict::retry);
    CHECK(decide_retry(transport(errc::proxy_failed), 100, generous, 0.0).error == errc::retries_exhausted);

    const errc codes[] = {errc::proxy_auth_required, errc::proxy_failed, errc::proxy_rejected,
                          errc::connect_failed};
    for (std::size_t i = 0; i < std::size(codes); ++i) {
        const auto message = vwo::make_error_code(codes[i]).message();
        CHECK(message.find("unknown vwo error") == std::string::npos);
        for (std::size_t j = i + 1; j < std::size(codes); ++j)
            CHECK(message != vwo::make_error_code(codes[j]).message());
    }
    // Appended after the R10 codes: nothing before them was renumbered.
    CHECK(static_cast<int>(errc::certificate_self_signed) == 23);
    CHECK(static_cast<int>(errc::proxy_auth_required) == 24);
    CHECK(static_cast<int>(errc::proxy_failed) == 25);
    CHECK(static_cast<int>(errc::proxy_rejected) == 26);
}

TEST_CASE("transport error wins over a stray status", "[retry]")
{
    attempt_outcome outcome = transport(errc::certificate_verification_failed);
    outcome.status = 200;
    CHECK(decide_retry(outcome, 0, defaults, 0.5).action == verdict::fail);
}

TEST_CASE("413 splits a batch and fails a single event", "[retry]")
{
    CHECK(decide_retry(status(413, 2), 0, defaults, 0.5).action == verdict::split);
    CHECK(decide_retry(status(413, 100), 3, defaults, 0.5).action == verdict::split);
    const auto single = decide_retry(status(413, 1), 0, defaults, 0.5);
    CHECK(single.action == verdict::fail);
    CHECK(single.error == errc::payload_too_large);
}

TEST_CASE("401 and 403 fail as unauthorized", "[retry]")
{
    for (const unsigned code : {401u, 403u}) {
        const auto d = decide_retry(status(code), 0, defaults, 0.5);
        CHECK(d.action == verdict::fail);
        CHECK(d.error == errc::http_unauthorized);
    }
}

TEST_CASE("other statuses fail as rejected without retrying", "[retry]")
{
    for (const unsigned code : {100u, 199u, 301u, 302u, 304u, 400u, 404u, 405u, 409u, 410u, 422u, 499u, 600u, 0u}) {
        INFO("status " << code);
        const auto d = decide_retry(status(code), 0, defaults, 0.5);
        CHECK(d.action == verdict::fail);
        CHECK(d.error == errc::http_rejected);
    }
}

TEST_CASE("backoff is randomised within a band around an exponential, capped step", "[retry]")
{
    // jitter 0.5: the step itself, 1, 2, 4, 8, 16 s
    const long long expected_step[] = {1000, 2000, 4000, 8000, 16000};
    for (unsigned done = 0; done < 5; ++done) {
        CHECK(decide_retry(status(503), done, defaults, 0.5).delay == milliseconds{expected_step[done]});
    }
    // jitter 0 gives half the step, never zero (an outage's attempts cannot bunch up near 0);
    // jitter just below 1 stays below 1.5 steps.
    CHECK(decide_retry(status(503), 3, defaults, 0.0).delay == milliseconds{4000});
    CHECK(decide_retry(status(503), 3, defaults, 0.999999).delay == milliseconds{11999});

    // The cap: base 1 s * 2^10 would be 1024 s; max_delay 30 s bounds it, the band included.
    retry_policy many;
    many.max_retries = 100;
    CHECK(decide_retry(status(503), 10, many, 0.999999).delay == milliseconds{30000});
    CHECK(decide_retry(status(503), 99, many, 0.5).delay == milliseconds{30000}); // no overflow at large n
    CHECK(decide_retry(status(503), 5, many, 0.0).delay == milliseconds{15000});  // 32 s capped to 30, halved

    // Sweep: every jitter in [0,1) stays within [step / 2, min(cap, 1.5 step)).
    for (int i = 0; i < 100; ++i) {
        const double jitter = i / 100.0;
        for (unsigned done = 0; done < 8; ++done) {
            const auto delay = decide_retry(status(500), done, many, jitter).delay;
            const long long step = std::min(30000LL, 1000LL << done);
            CHECK(delay >= milliseconds{step / 2});
            CHECK(delay <= milliseconds{std::min(30000LL, step * 3 / 2)});
        }
    }
}

TEST_CASE("a time budget keeps retrying after the count is used up, until max_elapsed", "[retry]")
{
    retry_policy timed;
    timed.max_retries = 2;
    timed.max_elapsed = seconds{300};
    attempt_outcome refused = transport(errc::connect_failed);
    refused.elapsed = seconds{30};
    CHECK(decide_retry(refused, 2, timed, 0.5).action == verdict::retry);  // count used, time left
    CHECK(decide_retry(refused, 50, timed, 0.5).action == verdict::retry);
    refused.elapsed = seconds{300};
    const auto out = decide_retry(refused, 50, timed, 0.5);
    CHECK(out.action == verdict::fail);
    CHECK(out.error == errc::retries_exhausted);
    CHECK(decide_retry(refused, 1, timed, 0.5).action == verdict::retry); // count left, time used
    // A draining shutdown keeps retrying until its own deadline, whatever the budgets.
    refused.until_deadline = true;
    CHECK(decide_retry(refused, 50, timed, 0.5).action == verdict::retry);
    // Never for what is not retryable.
    attempt_outcome rejected = status(400);
    rejected.until_deadline = true;
    CHECK(decide_retry(rejected, 0, timed, 0.5).action == verdict::fail);
    // max_elapsed 0: the count alone, as before.
    retry_policy counted;
    counted.max_retries = 2;
    refused.until_deadline = false;
    refused.elapsed = milliseconds{1};
    CHECK(decide_retry(refused, 2, counted, 0.5).action == verdict::fail);
}

TEST_CASE("signals_unreachable: transport failures without an answer, not a garbled answer or a status", "[retry]")
{
    for (const errc e : {errc::timeout, errc::resolve_failed, errc::connect_failed, errc::connection_lost,
                         errc::tls_handshake_failed, errc::proxy_failed})
        CHECK(signals_unreachable(transport(e)));
    CHECK_FALSE(signals_unreachable(transport(errc::bad_response)));
    CHECK_FALSE(signals_unreachable(transport(errc::certificate_untrusted)));
    CHECK_FALSE(signals_unreachable(status(503)));
    CHECK_FALSE(signals_unreachable(status(200)));
}

TEST_CASE("out-of-range jitter is clamped", "[retry]")
{
    CHECK(decide_retry(status(503), 0, defaults, -1.0).delay == milliseconds{500});
    CHECK(decide_retry(status(503), 0, defaults, 5.0).delay == milliseconds{1500});
    CHECK(decide_retry(status(503), 0, defaults, std::nan("")).delay == milliseconds{500});
}

TEST_CASE("Retry-After sets a floor, clamped to max_retry_after", "[retry]")
{
    attempt_outcome outcome = status(429);
    outcome.retry_after = seconds{10};
    CHECK(decide_retry(outcome, 0, defaults, 0.5).delay == milliseconds{10000}); // above the 1 s backoff
    CHECK(decide_retry(outcome, 0, defaults, 0.0).delay == milliseconds{10000});

    outcome.retry_after = milliseconds{100};
    CHECK(decide_retry(outcome, 2, defaults, 0.5).delay == milliseconds{4000}); // backoff is larger

    outcome.retry_after = seconds{3600};
    CHECK(decide_retry(outcome, 0, defaults, 0.5).delay == milliseconds{60000}); // clamped
    outcome.retry_after = milliseconds::max();
    CHECK(decide_retry(outcome, 0, defaults, 0.5).delay == milliseconds{60000});

    outcome.retry_after = milliseconds{-5000};
    CHECK(decide_retry(outcome, 0, defaults, 0.5).delay == milliseconds{1000});

    // Retry-After never overrides exhaustion.
    outcome.retry_after = seconds{1};
    CHECK(decide_retry(outcome, defaults.max_retries, defaults, 0.5).action == verdict::fail);

    // It also applies to 503 and transport-level retries that carry it.
    attempt_outcome unavailable = status(503);
    unavailable.retry_after = seconds{45};
    CHECK(decide_retry(unavailable, 1, defaults, 0.1).delay == milliseconds{45000});
}

TEST_CASE("read_retry_after: delta-seconds", "[retry]")
{
    CHECK(read_retry_after("120", reference_now) == milliseconds{120000});
    CHECK(read_retry_after("0", reference_now) == milliseconds{0});
    CHECK(read_retry_after(" 7\t", reference_now) == milliseconds{7000}); // optional whitespace around
    CHECK(read_retry_after("007", reference_now) == milliseconds{7000});
    CHECK(read_retry_after("99999999999999999999999", reference_now) == milliseconds::max()); // saturates
}

TEST_CASE("read_retry_after: the three HTTP-date forms", "[retry]")
{
    // reference_now is Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(read_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", reference_now) == milliseconds{30000});
    CHECK(read_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", reference_now) == milliseconds{60000});
    CHECK(read_retry_after("Wed Oct 21 07:28:05 2015", reference_now) == milliseconds{5000});
    CHECK(read_retry_after("Thu Oct 22 07:28:00 2015", reference_now) == milliseconds{86400000});

    // Single-digit day in asctime is space padded.
    const auto nov_first = std::chrono::system_clock::time_point{std::chrono::sys_days{std::chrono::year{1994} / 11 / 6}};
    CHECK(read_retry_after("Sun Nov  6 00:00:10 1994", nov_first) == milliseconds{10000});
    CHECK(read_retry_after("Sun, 06 Nov 1994 00:01:00 GMT", nov_first) == milliseconds{60000});
    CHECK(read_retry_after("Sunday, 06-Nov-94 00:00:01 GMT", nov_first) == milliseconds{1000});

    // Sub-second "now": the wait is rounded up to whole milliseconds, never short.
    CHECK(read_retry_after("Wed, 21 Oct 2015 07:28:01 GMT", reference_now + std::chrono::microseconds{1500}) ==
          milliseconds{999});
}

TEST_CASE("read_retry_after: RFC 850 two-digit years follow the 50-year rule", "[retry]")
{
    // From 2015, "65" is at most 50 years ahead (2065) but "66" would be 2066 (> 2065), so 1966: in the past.
    CHECK(read_retry_after("Thursday, 01-Jan-65 00:00:00 GMT", reference_now).value() > milliseconds{0});
    CHECK(read_retry_after("Saturday, 01-Jan-66 00:00:00 GMT", reference_now) == milliseconds{0});
    CHECK(read_retry_after("Friday, 01-Jan-16 00:00:10 GMT", reference_now).value() > milliseconds{0});
}

TEST_CASE("read_retry_after: dates in the past give zero", "[retry]")
{
    CHECK(read_retry_after("Wed, 21 Oct 2015 07:27:59 GMT", reference_now) == milliseconds{0});
    CHECK(read_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", reference_now) == milliseconds{0});
    CHECK(read_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", reference_now) == milliseconds{0});
    CHECK(read_retry_after("Sun Nov  6 08:49:37 1994", reference_now) == milliseconds{0});
    CHECK(read_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", reference_now) == milliseconds{0});
}

TEST_CASE("read_retry_after: far-future dates do not overflow", "[retry]")
{
    const auto d = read_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", reference_now);
    REQUIRE(d);
    CHECK(*d > std::chrono::hours{24 * 365 * 7000});
}

TEST_CASE("read_retry_after: malformed values", "[retry]")
{
    for (const char* bad : {"", "   ", "-1", "+5", "1.5", "10s", "1 2", "0x10", "soon",
                            "Wed, 21 Oct 2015 07:28:30",          // no GMT
                            "Wed, 21 Oct 2015 07:28:30 UTC",      // wrong zone
                            "Wed, 21 Oct 15 07:28:30 GMT",        // two-digit year in IMF form
                            "Wed, 32 Oct 2015 07:28:30 GMT",      // no such day
                            "Mon, 29 Feb 2015 07:28:30 GMT",      // not a leap year
                            "Wed, 21 Foo 2015 07:28:30 GMT",      // bad month
                            "Xyz, 21 Oct 2015 07:28:30 GMT",      // bad weekday
                            "Wed, 21 Oct 2015 24:00:00 GMT",      // hour out of range
                            "Wed, 21 Oct 2015 07:60:00 GMT",      // minute out of range
                            "Wed, 21 Oct 2015 07:28:61 GMT",      // second out of range
                            "Wed, 21 Oct 2015 7:28:30 GMT",       // one-digit hour
                            "Wed,21 Oct 2015 07:28:30 GMT",       // missing space
                            "Wed, 21 Oct 2015 07:28:30 GMT extra", // trailing text
                            "Wed, 21-Oct-15 07:28:30 GMT",        // short weekday in RFC 850 form
                            "Wednesday, 21-Oct-2015 07:28:30 GMT",// four-digit year in RFC 850 form
                            "Wed Oct 21 07:28:30",                // asctime without year
                            "Wed Oct 21 07:28:30 2015 GMT"}) {    // asctime has no zone
        INFO("value '" << bad << "'");
        const auto parsed = read_retry_after(bad, reference_now);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error() == boost::system::errc::invalid_argument);
    }
    // Leap-second 60 is syntactically allowed by RFC 9110.
    CHECK(read_retry_after("Wed, 21 Oct 2015 07:28:60 GMT", reference_now) == milliseconds{60000});
    // Leap day in a leap year is fine.
    CHECK(read_retry_after("Mon, 29 Feb 2016 00:00:00 GMT", reference_now).has_value());
}

TEST_CASE("decide_retry saturates at the backoff ceiling for extreme policies (fuzz regression)", "[retry]")
{
    // fuzz_http_response: jitter 1.0 times a ceiling near LLONG_MAX rounded past it in double.
    vwo::core::retry_policy policy;
    policy.base_delay = std::chrono::milliseconds::max() / 2;
    policy.max_delay = std::chrono::milliseconds::max();
    policy.max_retries = 10;
    vwo::core::attempt_outcome busy;
    busy.status = 503;
    const auto first = vwo::core::decide_retry(busy, 0, policy, 1.0);
    REQUIRE(first.action == vwo::core::verdict::retry);
    CHECK(first.delay >= policy.base_delay); // 1.5 steps, still below the cap
    CHECK(first.delay <= policy.max_delay);
    const auto later = vwo::core::decide_retry(busy, 3, policy, 1.0);
    REQUIRE(later.action == vwo::core::verdict::retry);
    CHECK(later.delay == policy.max_delay);
}

TEST_CASE("classify_finished: the stats buckets by condition", "[retry]")
{
    CHECK(classify_finished({}, false) == delivery_bucket::delivered);
    CHECK(classify_finished({}, true) == delivery_bucket::delivered);
    CHECK(classify_finished(errc::shutting_down, true) == delivery_bucket::dropped_shutdown);
    CHECK(classify_finished(errc::retries_exhausted, true) == delivery_bucket::dropped_shutdown);
    CHECK(classify_finished(errc::retries_exhausted, false) == delivery_bucket::failed_retries_exhausted);
    for (const errc e : {errc::http_rejected, errc::http_unauthorized, errc::payload_too_large})
        CHECK(classify_finished(e, false) == delivery_bucket::failed_rejected);
    for (const errc e : {errc::certificate_untrusted, errc::proxy_auth_required, errc::proxy_rejected,
                         errc::response_too_large, errc::request_not_sendable, errc::timeout})
        CHECK(classify_finished(e, false) == delivery_bucket::failed_other);
    CHECK(classify_finished(make_error_code(boost::system::errc::io_error), false) == delivery_bucket::failed_other);
}

TEST_CASE("decide_retry retries exactly the vwo::condition::network codes", "[retry]")
{
    for (int value = 1; value <= static_cast<int>(errc::request_not_sendable); ++value) {
        const auto e = static_cast<errc>(value);
        INFO(make_error_code(e).message());
        const retry_decision d = decide_retry(transport(e), 0, defaults, 0.5);
        CHECK((d.action == verdict::retry) == (make_error_code(e) == vwo::condition::network));
    }
}
