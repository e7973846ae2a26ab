#include "core/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace vwo::core {
namespace {

using std::chrono::milliseconds;

// vwo::condition::network is exactly the transient transport failures (include/vwo/error.hpp): the
// retry table and the public classification cannot drift apart.
bool is_retryable_transport_error(const boost::system::error_code& error) noexcept
{
    return error == condition::network;
}

bool is_retryable_status(unsigned status) noexcept
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

// min(max_delay, base_delay * 2^retries_done) without overflowing for large retry counts.
long long backoff_ceiling(const retry_policy& policy, unsigned retries_done) noexcept
{
    const long long cap = std::max<long long>(policy.max_delay.count(), 0);
    long long delay = std::max<long long>(policy.base_delay.count(), 0);
    for (unsigned i = 0; i < retries_done && delay < cap && delay != 0; ++i) {
        delay = delay > cap / 2 ? cap : delay * 2;
    }
    return std::min(delay, cap);
}

retry_decision retry_or_exhaust(const attempt_outcome& outcome, unsigned retries_done, const retry_policy& policy,
                                double jitter01) noexcept
{
    const bool count_left = retries_done < policy.max_retries;
    const bool time_left = policy.max_elapsed > milliseconds{0} && outcome.elapsed < policy.max_elapsed;
    if (!count_left && !time_left && !outcome.until_deadline)
        return {verdict::fail, milliseconds{0}, errc::retries_exhausted};
    // Out-of-range jitter would break the "never above the cap" promise, so clamp it.
    if (!(jitter01 >= 0.0)) jitter01 = 0.0;
    if (jitter01 > 1.0) jitter01 = 1.0;
    const long long step = backoff_ceiling(policy, retries_done);
    const long long cap = std::max<long long>(policy.max_delay.count(), 0);
    // In double a value near LLONG_MAX rounds up past it (found by fuzz_http_response), so
    // saturate at the cap before converting back.
    const double scaled = (0.5 + jitter01) * static_cast<double>(step);
    long long wait = scaled >= static_cast<double>(cap) ? cap : static_cast<long long>(scaled);
    // Near 2^62 a double rounds: keep the wait inside [step / 2, 1.5 step] in exact integers too.
    const long long half = step / 2;
    const long long band_top = step > std::numeric_limits<long long>::max() - half ? std::numeric_limits<long long>::max()
                                                                                  : step + half;
    wait = std::clamp(wait, std::min(half, cap), std::min(band_top, cap));
    auto delay = milliseconds{wait};
    if (outcome.retry_after) {
        const auto floor = std::clamp(*outcome.retry_after, milliseconds{0}, std::max(policy.max_retry_after,
                                                                                      milliseconds{0}));
        delay = std::max(delay, floor);
    }
    return {verdict::retry, delay, {}};
}

// ---- Retry-After parsing -------------------------------------------------------------------

constexpr std::array<std::string_view, 7> short_days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_days{"Monday", "Tuesday", "Wednesday", "Thursday",
                                                    "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A cursor over the header value; every accessor fails (returns false) instead of reading past the end.
class scanner {
public:
    explicit scanner(std::string_view text) noexcept : text_(text) {}

    bool literal(std::string_view expected) noexcept
    {
        if (text_.substr(0, expected.size()) != expected) return false;
        text_.remove_prefix(expected.size());
        return true;
    }

    template <std::size_t N>
    bool one_of(const std::array<std::string_view, N>& names, int& index) noexcept
    {
        for (std::size_t i = 0; i < N; ++i) {
            if (literal(names[i])) {
                index = static_cast<int>(i);
                return true;
            }
        }
        return false;
    }

    /// Exactly `count` decimal digits.
    bool digits(std::size_t count, int& value) noexcept
    {
        if (text_.size() < count) return false;
        value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = text_[i];
            if (c < '0' || c > '9') return false;
            value = value * 10 + (c - '0');
        }
        text_.remove_prefix(count);
        return true;
    }

    bool time_of_day(int& hour, int& minute, int& second) noexcept
    {
        return digits(2, hour) && literal(":") && digits(2, minute) && literal(":") && digits(2, second) &&
               hour <= 23 && minute <= 59 && second <= 60; // 60: leap second, allowed by RFC 9110
    }

    bool done() const noexcept { return text_.empty(); }

private:
    std::string_view text_;
};

struct date_parts {
    int year = 0;
    int month = 0; // 0-based
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
bool parse_imf_fixdate(std::string_view text, date_parts& d) noexcept
{
    scanner s(text);
    int weekday = 0;
    return s.one_of(short_days, weekday) && s.literal(", ") && s.digits(2, d.day) && s.literal(" ") &&
           s.one_of(months, d.month) && s.literal(" ") && s.digits(4, d.year) && s.literal(" ") &&
           s.time_of_day(d.hour, d.minute, d.second) && s.literal(" GMT") && s.done();
}

// RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
bool parse_rfc850(std::string_view text, date_parts& d, int current_year) noexcept
{
    scanner s(text);
    int weekday = 0;
    int two_digit_year = 0;
    if (!(s.one_of(long_days, weekday) && s.literal(", ") && s.digits(2, d.day) && s.literal("-") &&
          s.one_of(months, d.month) && s.literal("-") && s.digits(2, two_digit_year) && s.literal(" ") &&
          s.time_of_day(d.hour, d.minute, d.second) && s.literal(" GMT") && s.done())) {
        return false;
    }
    // RFC 9110 5.6.7: a year more than 50 years in the future means the most recent past
    // year with the same last two digits.
    d.year = current_year - current_year % 100 + two_digit_year;
    if (d.year > current_year + 50) d.year -= 100;
    return true;
}

// asctime: "Sun Nov  6 08:49:37 1994" (day space-padded; "06" tolerated)
bool parse_asctime(std::string_view text, date_parts& d) noexcept
{
    scanner s(text);
    int weekday = 0;
    if (!(s.one_of(short_days, weekday) && s.literal(" ") && s.one_of(months, d.month) && s.literal(" "))) {
        return false;
    }
    if (s.literal(" ")) {
        if (!s.digits(1, d.day)) return false;
    } else if (!s.digits(2, d.day)) {
        return false;
    }
    return s.literal(" ") && s.time_of_day(d.hour, d.minute, d.second) && s.literal(" ") && s.digits(4, d.year) &&
           s.done();
}

std::optional<std::chrono::sys_seconds> to_time_point(const date_parts& d) noexcept
{
    const std::chrono::year_month_day date{std::chrono::year{d.year},
                                           std::chrono::month{static_cast<unsigned>(d.month + 1)},
                                           std::chrono::day{static_cast<unsigned>(d.day)}};
    if (!date.ok()) return std::nullopt; // 31 Feb and the like
    return std::chrono::sys_days{date} + std::chrono::hours{d.hour} + std::chrono::minutes{d.minute} +
           std::chrono::seconds{d.second};
}

std::string_view trim(std::string_view text) noexcept
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

} // namespace

delivery_bucket classify_finished(const boost::system::error_code& ec, bool shutdown_drop) noexcept
{
    if (!ec) return delivery_bucket::delivered;
    if (shutdown_drop) return delivery_bucket::dropped_shutdown;
    if (ec == condition::gave_up) return delivery_bucket::failed_retries_exhausted;
    if (ec == condition::rejected) return delivery_bucket::failed_rejected;
    return delivery_bucket::failed_other;
}

bool signals_unreachable(const attempt_outcome& outcome) noexcept
{
    return outcome.transport_error && is_retryable_transport_error(outcome.transport_error) &&
           outcome.transport_error != errc::bad_response; // a garbled answer still came from the collector
}

retry_decision decide_retry(const attempt_outcome& outcome, unsigned retries_done, const retry_policy& policy,
                            double jitter01) noexcept
{
    if (outcome.transport_error) {
        if (is_retryable_transport_error(outcome.transport_error)) {
            return retry_or_exhaust(outcome, retries_done, policy, jitter01);
        }
        return {verdict::fail, milliseconds{0}, outcome.transport_error};
    }
    const unsigned status = outcome.status;
    if (status >= 200 && status <= 299) return {verdict::success, milliseconds{0}, {}};
    if (is_retryable_status(status)) return retry_or_exhaust(outcome, retries_done, policy, jitter01);
    if (status == 413) {
        if (outcome.events > 1) return {verdict::split, milliseconds{0}, {}};
        return {verdict::fail, milliseconds{0}, errc::payload_too_large};
    }
    if (status == 401 || status == 403) return {verdict::fail, milliseconds{0}, errc::http_unauthorized};
    return {verdict::fail, milliseconds{0}, errc::http_rejected};
}

boost::system::result<milliseconds> read_retry_after(std::string_view value,
                                                     std::chrono::system_clock::time_point now) noexcept
{
    const boost::system::error_code malformed = make_error_code(boost::system::errc::invalid_argument);
    value = trim(value);
    if (value.empty()) return malformed;

    if (value.front() >= '0' && value.front() <= '9') {
        unsigned long long seconds = 0;
        const char* const last = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), last, seconds);
        if (ptr != last) return malformed; // "1.5", "10s"
        constexpr auto max_seconds = static_cast<unsigned long long>(std::numeric_limits<long long>::max() / 1000);
        // An absurdly large delay saturates; decide_retry clamps it to max_retry_after anyway.
        if (ec == std::errc::result_out_of_range || seconds > max_seconds) return milliseconds::max();
        if (ec != std::errc{}) return malformed;
        return milliseconds{static_cast<long long>(seconds) * 1000};
    }

    date_parts parts;
    const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    const bool parsed = parse_imf_fixdate(value, parts) ||
                        parse_rfc850(value, parts, static_cast<int>(today.year())) || parse_asctime(value, parts);
    if (!parsed) return malformed;
    const auto when = to_time_point(parts);
    if (!when) return malformed;
    // Subtract in milliseconds: converting a far-future date to system_clock's nanoseconds
    // would overflow. Flooring `now` makes the difference the ceiling of the exact one.
    const milliseconds delta = *when - std::chrono::floor<milliseconds>(now);
    return std::max(delta, milliseconds{0});
}

} // namespace vwo::core
