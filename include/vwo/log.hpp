#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace vwo {

/// VWO's log levels and numbering (0..4): a message is written when its level is at
/// least the configured one; `notset` writes everything.
enum class log_level { notset = 0, debug = 1, info = 2, warn = 3, error = 4 };

/// Receives each log line. Called on whichever thread produced the line (the caller's
/// thread for validation errors, the SDK thread for delivery events), never while the
/// SDK holds one of its locks; it must be thread-safe if the client is used from several threads.
using log_callback = std::function<void(log_level, std::string_view message)>;

struct logging_options {
    /// Lowest level written. Unset means the default (error), and is not reported in usage stats.
    std::optional<log_level> level;
    /// Where lines go. Empty: the default writer to stderr.
    log_callback logger;
};

} // namespace vwo
