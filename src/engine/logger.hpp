#pragma once

#include <vwo/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vwo::engine {

/// Seams for tests; every empty member means the real thing.
struct logger_hooks {
    /// Clock of the repeat windows (default: steady_clock::now).
    std::function<std::chrono::steady_clock::time_point()> steady_now;
    /// Time stamp of the default writer's lines (default: system_clock::now).
    std::function<std::chrono::system_clock::time_point()> wall_now;
    /// Where the default writer's lines go, each ending in '\n' (default: one fwrite to stderr).
    std::function<void(std::string_view line)> default_sink;
};

/// Level filter and repeat limiter in front of the user's callback or the default stderr writer.
///
/// Repeats: a (level, message) pair written once is not written again for `repeat_window`; the
/// copies are counted instead. When the window has passed, the next write of ANY message first
/// writes "<message> (repeated N times)" at the original level for every pair that had copies
/// (so a count is never lost while the client keeps logging), then goes on as usual; flush_repeats()
/// writes the pending counts at once. Messages that differ in any character are different messages.
///
/// Thread-safety: write() and flush_repeats() may be called from any number of threads. The
/// logger's own mutex only guards the repeat table: it is released before any line goes out,
/// so the user's callback is never called under a lock of the logger (and callers never hold
/// an SDK lock either). The callback may therefore log again or call into the client. An
/// exception thrown by the callback is swallowed. Not copyable or movable (owns a mutex).
/// The longest message a log line carries; the rest is cut and its size said (docs/configuration.md).
inline constexpr std::size_t max_log_message = 4096;

/// `message` made safe for one log line: CR, LF and tab as \r \n \t, other control bytes, DEL and
/// invalid UTF-8 as \xNN, cut after max_log_message bytes with "... (N more bytes cut)".
std::string sanitize_log_message(std::string_view message);

class logger {
public:
    static constexpr std::chrono::milliseconds repeat_window{1000};
    /// Distinct messages tracked at once; beyond that, new messages are written unlimited.
    static constexpr std::size_t max_tracked = 256;

    explicit logger(const logging_options& options, logger_hooks hooks = {});
    logger(const logger&) = delete;
    logger& operator=(const logger&) = delete;

    bool enabled(log_level level) const noexcept
    {
        return level_ == log_level::notset || static_cast<int>(level) >= static_cast<int>(level_);
    }

    void write(log_level level, std::string_view message) const noexcept;
    /// Writes "<message> (repeated N times)" for every message with suppressed copies, now.
    void flush_repeats() const noexcept;

    void debug(std::string_view m) const noexcept { write(log_level::debug, m); }
    void info(std::string_view m) const noexcept { write(log_level::info, m); }
    void warn(std::string_view m) const noexcept { write(log_level::warn, m); }
    void error(std::string_view m) const noexcept { write(log_level::error, m); }

private:
    struct window {
        std::chrono::steady_clock::time_point start; ///< when the message was last written
        std::uint64_t suppressed = 0;                ///< copies not written since
    };

    void emit(log_level level, std::string_view message) const noexcept;
    void emit_repeats(log_level level, std::string_view message, std::uint64_t count) const noexcept;

    log_level level_;
    log_callback callback_;
    logger_hooks hooks_;
    mutable std::mutex mutex_;
    /// Key: one byte for the level, then the message. Holds the messages written within the last window.
    mutable std::unordered_map<std::string, window> recent_;
};

/// A VWO-style line (the official Node and Python SDKs' default format, without Node's padding):
/// "VWO-SDK - [ERROR]: 2026-11-23T15:47:46.123Z message" (ISO 8601, UTC, milliseconds).
std::string format_log_line(log_level level, std::string_view message, std::chrono::system_clock::time_point when);

} // namespace vwo::engine
