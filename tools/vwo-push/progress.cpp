#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vwo::cli {

namespace {

// A terminal bar redraws often enough to look alive, rarely enough to cost nothing.
constexpr std::chrono::milliseconds bar_redraw_interval{200};

std::string format_rate(double rate)
{
    char text[32];
    if (rate < 10)
        std::snprintf(text, sizeof text, "%.1f", rate);
    else
        std::snprintf(text, sizeof text, "%.0f", rate);
    return text;
}

std::optional<unsigned> percent(const progress_snapshot& s)
{
    if (!s.total)
        return std::nullopt;
    if (*s.total == 0)
        return 100u;
    const auto done = std::min(s.done, *s.total);
    return static_cast<unsigned>(done * 100 / *s.total);
}

void write_stderr(std::string_view text)
{
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

} // namespace

std::string format_duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 100.0 * 3600)
        return "--:--";
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long h = total / 3600, m = total / 60 % 60, sec = total % 60;
    char text[32];
    if (h > 0)
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", h, m, sec);
    else
        std::snprintf(text, sizeof text, "%lld:%02lld", m, sec);
    return text;
}

double rows_per_second(const progress_snapshot& s) noexcept
{
    return s.elapsed_seconds > 0 ? static_cast<double>(s.done) / s.elapsed_seconds : 0.0;
}

std::optional<double> eta_seconds(const progress_snapshot& s) noexcept
{
    if (!s.total)
        return std::nullopt;
    if (s.done >= *s.total)
        return 0.0;
    const double rate = rows_per_second(s);
    if (rate <= 0)
        return std::nullopt;
    return static_cast<double>(*s.total - s.done) / rate;
}

std::string format_bar_line(const progress_snapshot& s, std::size_t width)
{
    // Padded to the widths they will end at, so the bar keeps its length as the numbers grow.
    std::string numbers = std::to_string(s.done);
    if (s.total) {
        const std::string total = std::to_string(*s.total);
        const std::string pct = std::to_string(*percent(s));
        if (numbers.size() < total.size())
            numbers.insert(0, total.size() - numbers.size(), ' ');
        numbers += "/" + total + "  " + std::string(3 - pct.size(), ' ') + pct + "%";
    } else {
        numbers += " rows";
    }
    std::string rate = format_rate(rows_per_second(s));
    if (rate.size() < 5)
        rate.insert(0, 5 - rate.size(), ' ');
    numbers += "  " + rate + " ev/s";
    if (s.total) {
        const auto eta = eta_seconds(s);
        numbers += "  ETA " + (eta ? format_duration(*eta) : std::string("--:--"));
    }
    numbers += "  failures " + std::to_string(s.failures);

    // One column is left free: writing the last column makes some terminals wrap.
    const std::size_t usable = width > 1 ? width - 1 : 1;
    constexpr std::size_t min_bar = 10;
    if (s.total && usable >= numbers.size() + 2 + 2 + min_bar) {
        const std::size_t inner = usable - numbers.size() - 2 - 2;
        const std::size_t filled = *s.total == 0 ? inner : static_cast<std::size_t>(
                                                               std::min(s.done, *s.total) * inner / *s.total);
        return "[" + std::string(filled, '#') + std::string(inner - filled, '.') + "]  " + numbers;
    }
    if (numbers.size() > usable)
        numbers.resize(usable);
    return numbers;
}

std::string format_plain_line(const progress_snapshot& s)
{
    // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) on "literal" + std::string.
    std::string line = "progress: ";
    line += std::to_string(s.done);
    if (s.total) {
        line += '/';
        line += std::to_string(*s.total);
        line += " rows (";
        line += std::to_string(*percent(s));
        line += "%)";
    } else {
        line += " rows";
    }
    line += ", " + format_rate(rows_per_second(s)) + " events/s";
    if (s.total) {
        const auto eta = eta_seconds(s);
        line += ", ETA " + (eta ? format_duration(*eta) : std::string("--:--"));
    }
    line += ", " + std::to_string(s.failures) + (s.failures == 1 ? " failure" : " failures");
    return line;
}

progress_style detect_progress_style(bool quiet)
{
    if (quiet)
        return progress_style::off;
    const char* term = std::getenv("TERM");
    if (isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0))
        return progress_style::bar;
    return progress_style::lines;
}

std::size_t terminal_width()
{
    winsize size{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

// ---------------------------------------------------------------------------------------------

progress_reporter::progress_reporter(progress_style style, std::chrono::milliseconds interval,
                                     snapshot_source source, sink_type sink, std::size_t width)
    : style_(style), interval_(style == progress_style::bar ? bar_redraw_interval : interval),
      source_(std::move(source)), sink_(sink ? std::move(sink) : sink_type(write_stderr)), width_(width)
{
}

progress_reporter::~progress_reporter()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void progress_reporter::start()
{
    if (style_ == progress_style::off || thread_.joinable())
        return;
    {
        std::lock_guard lock(mutex_);
        running_ = true;
    }
    thread_ = std::thread([this] { run(); });
}

void progress_reporter::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        // A periodic tick, not synchronisation: nothing waits for this thread's output.
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
        if (stopping_)
            return;
        // The snapshot is taken without our lock: the source takes the tracker's lock, and the
        // tracker never calls message() under it, but keeping the two apart needs no such proof.
        lock.unlock();
        const auto s = source_();
        lock.lock();
        if (stopping_)
            return;
        draw_locked(s);
    }
}

void progress_reporter::draw_locked(const progress_snapshot& s)
{
    if (style_ == progress_style::bar) {
        std::string line = "\r"; // appended, not "literal" + string (g++ 12 -O3 -Wrestrict false positive)
        line += format_bar_line(s, width_);
        line += "\x1b[K";
        sink_(line);
        bar_visible_ = true;
    } else if (style_ == progress_style::lines) {
        sink_(format_plain_line(s) + "\n");
    }
}

void progress_reporter::message(std::string_view line)
{
    std::optional<progress_snapshot> s;
    if (style_ == progress_style::bar)
        s = source_();
    std::lock_guard lock(mutex_);
    std::string text;
    if (bar_visible_)
        text = "\r\x1b[K"; // the message takes the bar's line; the bar is redrawn below it
    text += line;
    text += '\n';
    sink_(text);
    bar_visible_ = false;
    if (s && running_ && !stopping_)
        draw_locked(*s);
}

void progress_reporter::finish()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    if (style_ == progress_style::off)
        return;
    const auto s = source_();
    std::lock_guard lock(mutex_);
    if (finished_)
        return;
    finished_ = true;
    draw_locked(s);
    if (style_ == progress_style::bar) {
        sink_("\n");
        bar_visible_ = false;
    }
}

} // namespace vwo::cli
