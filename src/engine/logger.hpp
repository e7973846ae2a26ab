#pragma once

#include <vwo/log.hpp>

#include <string>
#include <string_view>

namespace vwo::engine {

/// Level filter in front of the user's callback or the default stderr writer.
/// Thread-safety: immutable after construction; write() may be called from any thread
/// (the default writer emits each line with one write call). Callers never hold SDK locks.
class logger {
public:
    explicit logger(const logging_options& options);

    bool enabled(log_level level) const noexcept
    {
        return level_ == log_level::notset || static_cast<int>(level) >= static_cast<int>(level_);
    }

    void write(log_level level, std::string_view message) const;

    void debug(std::string_view m) const { write(log_level::debug, m); }
    void info(std::string_view m) const { write(log_level::info, m); }
    void warn(std::string_view m) const { write(log_level::warn, m); }
    void error(std::string_view m) const { write(log_level::error, m); }

private:
    log_level level_;
    log_callback callback_;
};

/// VWO-style line for the default writer: "VWO-SDK [ERROR]: 2026-11-23T15:47:46.123Z message".
std::string format_log_line(log_level level, std::string_view message);

} // namespace vwo::engine
