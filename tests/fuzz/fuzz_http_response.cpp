// libFuzzer target: an HTTP response from the collector → status and Retry-After → retry decision.
//
// Input: 4 parameter bytes, then the raw response bytes.
//   byte 0  chunk size for parser.put(): 0 = everything at once, n = n bytes per read
//   byte 1  retries_done
//   byte 2  jitter: n/256 for n < 253; 253 → -0.5, 254 → 1.0, 255 → NaN (out of contract, clamped)
//   byte 3  bits 0-1 events in the request (1..4), bits 2-3 retry policy variant,
//           bits 4-7 a transport error to decide on as well (0 = none)
// Inputs shorter than 4 bytes are only fed to read_retry_after.
//
// The response goes through transport::response_reader, the very code http_client's connections read with
// (connection.cpp; no copy of its set-up): in chunks into a read buffer bounded as a connection's, end of
// stream at the end of input.
//
// Properties (reliability.md R9, retry_policy.hpp):
//  - parsing never crashes; the read buffer stays within its bound; a final answer is never 1xx; a parsed
//    body stays within the body limit; an unreadable response is response_too_large, bad_response or
//    connection_lost;
//  - read_retry_after (on the header value and on the raw input) never reports a negative delay,
//    ignores surrounding blanks, reads delta-seconds exactly, decreases by exactly the elapsed time
//    as `now` advances, and an accepted IMF-fixdate lies exactly `delay` after `now`;
//  - decide_retry follows the rule table exactly: success iff 2xx; retry only for retryable
//    outcomes with retries left; 413 split/fail; 401/403; everything else rejected; a retry delay is
//    within [min(Retry-After, max_retry_after), max(max_delay, max_retry_after)] and never above
//    max(backoff ceiling, clamped Retry-After); an error is set iff the verdict is fail.

#include "core/retry_policy.hpp"
#include "transport/response_reader.hpp"
#include "fuzz_check.hpp"

#include <vwo/error.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace http = boost::beast::http;
using std::chrono::milliseconds;
using vwo::errc;
using namespace vwo::core;

constexpr std::size_t max_response_body = 1024 * 1024; // http_client.hpp's default

// 2026-06-15 12:00:00.500 UTC: mid-year, so "now + 1 day" keeps RFC 850's two-digit-year window.
const std::chrono::system_clock::time_point fixed_now =
    std::chrono::sys_days{std::chrono::year{2026} / 6 / 15} + std::chrono::hours{12} + milliseconds{500};
constexpr milliseconds one_day{24LL * 3600 * 1000};

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string describe(std::optional<milliseconds> value)
{
    return value ? std::to_string(value->count()) + " ms" : std::string("nullopt");
}

// "06 Nov 1994 08:49:37 GMT" for a time point (the IMF-fixdate without its weekday).
std::string imf_fixdate_tail(std::chrono::sys_seconds t)
{
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%02u %s %04d %02d:%02d:%02d GMT", static_cast<unsigned>(ymd.day()),
                  months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buffer;
}

// read_retry_after as an optional, which compares and prints simply.
std::optional<std::chrono::milliseconds> retry_after_of(std::string_view value,
                                                        std::chrono::system_clock::time_point now)
{
    const auto parsed = read_retry_after(value, now);
    if (!parsed)
        return std::nullopt;
    return *parsed;
}

void check_retry_after(std::string_view value)
{
    const auto parsed = retry_after_of(value, fixed_now);
    const std::string context = "Retry-After \"" + std::string(value) + "\" -> " + describe(parsed);
    if (parsed) FUZZ_CHECK(parsed->count() >= 0, context);

    // Surrounding blanks do not matter.
    const std::string padded = " \t" + std::string(value) + "\t ";
    FUZZ_CHECK(retry_after_of(padded, fixed_now) == parsed, context);

    // A day later the same header means exactly one day less (down to zero); delta-seconds do not move.
    const auto later = retry_after_of(value, fixed_now + one_day);
    FUZZ_CHECK(later.has_value() == parsed.has_value(), context + ", a day later " + describe(later));

    const std::string_view text = trim(value);
    if (!parsed || text.empty()) return;
    const bool numeric = text.front() >= '0' && text.front() <= '9';
    if (numeric) {
        FUZZ_CHECK(text.find_first_not_of("0123456789") == std::string_view::npos, context);
        FUZZ_CHECK(*later == *parsed, context + ", a day later " + describe(later));
        const std::string_view significant = text.substr(std::min(text.find_first_not_of('0'), text.size()));
        if (significant.size() <= 15) {
            const long long seconds = significant.empty() ? 0 : std::stoll(std::string(significant));
            FUZZ_CHECK(parsed->count() == seconds * 1000, context);
        } else {
            FUZZ_CHECK(parsed->count() >= 100000000000000LL * 1000 || *parsed == milliseconds::max(), context);
        }
        return;
    }
    FUZZ_CHECK(*later == std::max(*parsed - one_day, milliseconds{0}), context + ", a day later " + describe(later));
    FUZZ_CHECK(text.size() == 24 || (text.size() >= 29 && text.size() <= 33), "odd-sized HTTP-date accepted: " + context);
    // An IMF-fixdate in the future is exactly `delay` after now (the leap second 60 rolls over, so skip it).
    if (text.size() == 29 && text[3] == ',' && parsed->count() > 0 && text.substr(23, 2) != "60") {
        // In milliseconds: system_clock's nanoseconds overflow before year 9999.
        const auto when = std::chrono::floor<std::chrono::seconds>(std::chrono::floor<milliseconds>(fixed_now) + *parsed);
        FUZZ_CHECK(imf_fixdate_tail(when) == text.substr(5), context + " but now + delay is " + imf_fixdate_tail(when));
    }
}

struct inputs {
    unsigned retries_done = 0;
    double jitter = 0.0;
    std::size_t events = 1;
    retry_policy policy;
    std::optional<errc> transport_error;
};

retry_policy policy_variant(unsigned variant)
{
    switch (variant) {
    case 0: return retry_policy{};                                                    // the defaults
    case 1: return retry_policy{0, milliseconds{1000}, milliseconds{30000}, milliseconds{60000}}; // never retry
    case 2: return retry_policy{10, milliseconds{1}, milliseconds{100}, milliseconds{0}};         // ignore Retry-After
    default: // what client_options accepts at the extreme: max_delay >= base_delay >= 0, all huge
        return retry_policy{std::numeric_limits<unsigned>::max(), milliseconds::max() / 2, milliseconds::max(),
                            milliseconds::max()};
    }
}

std::optional<errc> transport_variant(unsigned variant)
{
    switch (variant) {
    case 0: return std::nullopt;
    case 1: return errc::timeout;
    case 2: return errc::resolve_failed;
    case 3: return errc::connect_failed;
    case 4: return errc::connection_lost;
    case 5: return errc::bad_response;
    case 6: return errc::tls_handshake_failed;
    case 7: return errc::certificate_verification_failed;
    case 8: return errc::queue_full;
    default: return errc::invalid_argument;
    }
}

bool retryable_transport(errc error)
{
    return error == errc::timeout || error == errc::resolve_failed || error == errc::connect_failed ||
           error == errc::connection_lost || error == errc::bad_response || error == errc::tls_handshake_failed;
}

void check_decision(const attempt_outcome& outcome, const inputs& in)
{
    const retry_policy& policy = in.policy;
    const retry_decision d = decide_retry(outcome, in.retries_done, policy, in.jitter);
    const std::string context = "status " + std::to_string(outcome.status) + ", transport error " +
                                outcome.transport_error.message() + ", retries_done " +
                                std::to_string(in.retries_done) + ", jitter " + std::to_string(in.jitter) +
                                ", Retry-After " + describe(outcome.retry_after) + " -> verdict " +
                                std::to_string(static_cast<int>(d.action)) + ", delay " +
                                std::to_string(d.delay.count()) + " ms, error " + d.error.message();

    FUZZ_CHECK((d.action == verdict::fail) == static_cast<bool>(d.error), "error set iff fail: " + context);
    if (d.action != verdict::retry) FUZZ_CHECK(d.delay.count() == 0, "delay without retry: " + context);

    bool retryable = false;
    if (outcome.transport_error) {
        const auto error = static_cast<errc>(outcome.transport_error.value());
        retryable = retryable_transport(error);
        if (!retryable) {
            FUZZ_CHECK(d.action == verdict::fail && d.error == outcome.transport_error, context);
            return;
        }
    } else {
        const unsigned status = outcome.status;
        const bool success = status >= 200 && status <= 299;
        FUZZ_CHECK((d.action == verdict::success) == success, "success iff 2xx: " + context);
        if (success) return;
        retryable = status == 408 || status == 429 || (status >= 500 && status <= 599);
        if (status == 413) {
            if (outcome.events > 1) FUZZ_CHECK(d.action == verdict::split, context);
            else FUZZ_CHECK(d.action == verdict::fail && d.error == errc::payload_too_large, context);
            return;
        }
        if (status == 401 || status == 403) {
            FUZZ_CHECK(d.action == verdict::fail && d.error == errc::http_unauthorized, context);
            return;
        }
        if (!retryable) {
            FUZZ_CHECK(d.action == verdict::fail && d.error == errc::http_rejected, context);
            return;
        }
    }

    // A retryable outcome.
    if (in.retries_done >= policy.max_retries) {
        FUZZ_CHECK(d.action == verdict::fail && d.error == errc::retries_exhausted, context);
        return;
    }
    FUZZ_CHECK(d.action == verdict::retry, context);
    FUZZ_CHECK(d.delay.count() >= 0, "negative delay: " + context);
    const milliseconds max_delay = std::max(policy.max_delay, milliseconds{0});
    const milliseconds max_retry_after = std::max(policy.max_retry_after, milliseconds{0});
    FUZZ_CHECK(d.delay <= std::max(max_delay, max_retry_after), "delay above every cap: " + context);

    // The exponential step min(max_delay, base * 2^n), computed in long double; the delay lies in the band
    // [step / 2, 1.5 step], capped at max_delay (never collapsing towards zero).
    const long double base = static_cast<long double>(std::max(policy.base_delay, milliseconds{0}).count());
    const long double cap = static_cast<long double>(max_delay.count());
    const long double step = std::min(cap, std::ldexp(base, static_cast<int>(std::min(in.retries_done, 4096U))));
    const long double lower = std::min(cap, step / 2);
    long double upper = std::min(cap, step * 3 / 2);
    // Converting through double loses up to 2^-52 of the value; allow that much below the band.
    FUZZ_CHECK(static_cast<long double>(d.delay.count()) >= lower * (1 - 1e-12L) - 1, "delay below the band: " + context);
    if (outcome.retry_after) {
        const milliseconds floor = std::clamp(*outcome.retry_after, milliseconds{0}, max_retry_after);
        FUZZ_CHECK(d.delay >= floor, "delay below Retry-After: " + context);
        upper = std::max(upper, static_cast<long double>(floor.count()));
    }
    FUZZ_CHECK(static_cast<long double>(d.delay.count()) <= upper, "delay above the backoff ceiling: " + context);
}

struct parse_result {
    bool header_done = false;
    unsigned status = 0;
    std::optional<std::string> retry_after;
    boost::system::error_code error; ///< the vwo::errc the transport reports for an unreadable response
};

// Feeds the bytes to the transport's own response_reader exactly as a connection does: into a flat_buffer
// bounded at max_read_buffer, at most `chunk` bytes per "read", consume() after each, end_of_stream()
// when the input ends.
parse_result parse_response(std::string_view bytes, std::size_t chunk)
{
    if (chunk == 0) chunk = std::max<std::size_t>(bytes.size(), 1);
    vwo::transport::response_reader reader(max_response_body);
    boost::beast::flat_buffer buffer(vwo::transport::response_reader::max_read_buffer);
    std::size_t offset = 0;
    auto step = reader.consume(buffer);
    while (step == vwo::transport::response_reader::step::need_more) {
        if (offset == bytes.size()) {
            step = reader.end_of_stream();
            break;
        }
        const std::size_t room = vwo::transport::response_reader::max_read_buffer - buffer.size();
        FUZZ_CHECK(room > 0, "need_more with a full read buffer");
        const std::size_t take = std::min({chunk, bytes.size() - offset, room});
        boost::asio::buffer_copy(buffer.prepare(take), boost::asio::buffer(bytes.substr(offset, take)));
        buffer.commit(take);
        offset += take;
        step = reader.consume(buffer);
        FUZZ_CHECK(buffer.size() <= vwo::transport::response_reader::max_read_buffer, "read buffer past its bound");
    }

    parse_result result;
    if (step == vwo::transport::response_reader::step::failed) {
        result.error = reader.error();
        FUZZ_CHECK(result.error.category() == vwo::error_category(), "a failure that is no vwo::errc");
        FUZZ_CHECK(result.error == errc::response_too_large || result.error == errc::bad_response ||
                       result.error == errc::connection_lost,
                   "an unexpected read error: " + result.error.message());
        return result;
    }
    const auto& head = reader.head();
    result.header_done = true;
    result.status = head.status;
    FUZZ_CHECK(result.status >= 200 || result.status < 100, "an interim (1xx) answer reported as final");
    FUZZ_CHECK(result.status <= 999, "status outside three digits");
    FUZZ_CHECK(head.body.size() <= max_response_body, "body above the limit");
    FUZZ_CHECK(!head.body_too_large || head.body.empty(), "an oversized body kept");
    result.retry_after = head.retry_after;
    return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    check_retry_after(std::string_view(reinterpret_cast<const char*>(data), size));
    if (size < 4) return 0;

    vwo_fuzz::byte_reader reader(data, size);
    const std::size_t chunk = reader.byte();
    inputs in;
    in.retries_done = reader.byte();
    const unsigned jitter_byte = reader.byte();
    in.jitter = jitter_byte < 253   ? jitter_byte / 256.0
                : jitter_byte == 253 ? -0.5
                : jitter_byte == 254 ? 1.0
                                     : std::numeric_limits<double>::quiet_NaN();
    const unsigned flags = reader.byte();
    in.events = (flags & 3U) + 1;
    in.policy = policy_variant((flags >> 2) & 3U);
    in.transport_error = transport_variant(flags >> 4);
    const std::string_view response = reader.rest();

    const parse_result parsed = parse_response(response, chunk);
    std::optional<milliseconds> retry_after;
    if (parsed.retry_after) {
        check_retry_after(*parsed.retry_after);
        retry_after = retry_after_of(*parsed.retry_after, fixed_now);
    }

    if (parsed.header_done) {
        attempt_outcome outcome;
        outcome.status = parsed.status;
        outcome.retry_after = retry_after;
        outcome.events = in.events;
        check_decision(outcome, in);
    }
    if (parsed.error) {
        // What the transport reports for a response it could not read.
        attempt_outcome outcome;
        outcome.transport_error = parsed.error;
        outcome.events = in.events;
        check_decision(outcome, in);
    }
    if (in.transport_error) {
        attempt_outcome outcome;
        outcome.transport_error = make_error_code(*in.transport_error);
        outcome.retry_after = retry_after;
        outcome.events = in.events;
        check_decision(outcome, in);
    }
    return 0;
}
