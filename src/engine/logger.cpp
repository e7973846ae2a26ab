#include "engine/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace vwo::engine {

logger::logger(const logging_options& options)
    : level_(options.level.value_or(log_level::error)), callback_(options.logger)
{
}

void logger::write(log_level level, std::string_view message) const
{
    if (!enabled(level))
        return;
    if (callback_) {
        callback_(level, message);
        return;
    }
    const std::string line = format_log_line(level, message) + '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string format_log_line(log_level level, std::string_view message)
{
    static constexpr const char* names[] = {"NOTSET", "DEBUG", "INFO", "WARN", "ERROR"};
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
    std::string line = "VWO-SDK [";
    line += names[static_cast<int>(level)];
    line += "]: ";
    line += stamp;
    line += ' ';
    line += message;
    return line;
}

} // namespace vwo::engine
