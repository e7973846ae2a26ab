#pragma once

// Progress on stderr: a redrawn bar when stderr is a terminal, a plain line every N seconds
// otherwise (logs, CI). The text is built by pure functions (unit-tested); progress_reporter only
// decides when to write it, and owns stderr so messages and the bar never tear each other.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace vwo::cli {

/// What the progress output shows at one moment. Plain value type.
struct progress_snapshot {
    std::uint64_t done = 0;               ///< rows with a final outcome (delivered, invalid, failed, dropped)
    std::optional<std::uint64_t> total;   ///< rows in the input; unknown when reading standard input
    std::uint64_t failures = 0;           ///< invalid + failed + dropped
    double elapsed_seconds = 0;
};

/// "0:07", "12:34", "1:02:03"; "--:--" for an unknown or absurd duration.
std::string format_duration(double seconds);
/// Rows finished per second since the start (0 before any time has passed).
double rows_per_second(const progress_snapshot& s) noexcept;
/// Seconds until done at the average rate so far; nullopt when the total or the rate is unknown.
std::optional<double> eta_seconds(const progress_snapshot& s) noexcept;

/// One terminal line of at most `width` columns (ASCII only, so bytes are columns):
/// "[#########.........]  2500/5000  50%  4200 ev/s  ETA 0:01  failures 0".
/// The bar takes what the numbers leave and is left out below 10 columns.
std::string format_bar_line(const progress_snapshot& s, std::size_t width);
/// One log-friendly line: "progress: 2500/5000 rows (50%), 4200 events/s, ETA 0:01, 0 failures".
std::string format_plain_line(const progress_snapshot& s);

enum class progress_style {
    bar,   ///< redraw one line in place (stderr is a terminal)
    lines, ///< append a line every interval
    off,   ///< progress hidden; messages still go out
};

/// The style vwo-push uses for stderr: bar on a terminal (unless TERM=dumb), lines otherwise.
progress_style detect_progress_style(bool quiet);
/// Columns of the terminal on stderr; 80 when unknown.
std::size_t terminal_width();

/// Writes progress and messages to one sink from a background thread of its own.
///
/// Thread-safety: message() may be called from any thread (the SDK's thread reports failed rows
/// through it); start() and finish() from the owning thread only. A mutex serialises everything
/// that reaches the sink, so a message is never spliced into a half-drawn bar.
class progress_reporter {
public:
    using snapshot_source = std::function<progress_snapshot()>;
    using sink_type = std::function<void(std::string_view)>;

    /// `sink` receives complete pieces of text (default: stderr, flushed each time).
    progress_reporter(progress_style style, std::chrono::milliseconds interval, snapshot_source source,
                      sink_type sink = {}, std::size_t width = 80);
    ~progress_reporter();
    progress_reporter(const progress_reporter&) = delete;
    progress_reporter& operator=(const progress_reporter&) = delete;

    /// Starts the periodic output (no-op for style off).
    void start();
    /// Writes `line` (no trailing newline needed) on a line of its own, then redraws the bar.
    void message(std::string_view line);
    /// Stops the periodic output and writes the final state once (a last bar, or a last line).
    void finish();

private:
    void run();
    void draw_locked(const progress_snapshot& s);

    const progress_style style_;
    const std::chrono::milliseconds interval_;
    const snapshot_source source_;
    const sink_type sink_;
    const std::size_t width_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool running_ = false;  ///< start() was called: message() redraws the bar
    bool stopping_ = false;
    bool finished_ = false;
    bool bar_visible_ = false; ///< a bar line is on screen without its newline
    std::thread thread_;
};

} // namespace vwo::cli
