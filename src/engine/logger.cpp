#include "engine/logger.hpp"

#include "core/decision/utf8.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

namespace vwo::engine {

namespace {

struct pending_repeat {
    log_level level;
    std::string message;
    std::uint64_t count;
};

std::string key_of(log_level level, std::string_view message)
{
    std::string key;
    key.reserve(message.size() + 1);
    key += static_cast<char>('0' + static_cast<int>(level));
    key += message;
    return key;
}

log_level level_of(const std::string& key)
{
    return static_cast<log_level>(key.front() - '0');
}

} // namespace

std::string sanitize_log_message(std::string_view message)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(std::min(message.size(), max_log_message) + 16);
    std::size_t i = 0;
    while (i < message.size() && out.size() < max_log_message) {
        const auto byte = static_cast<unsigned char>(message[i]);
        if (byte >= 0x20 && byte < 0x7F) {
            out += message[i++];
        } else if (byte == '\n') {
            out += "\\n", ++i;
        } else if (byte == '\r') {
            out += "\\r", ++i;
        } else if (byte == '\t') {
            out += "\\t", ++i;
        } else if (const std::size_t n = byte >= 0x80 ? core::decision::utf8_sequence_length(message, i) : 0; n != 0) {
            out.append(message.substr(i, n));
            i += n;
        } else { // other control bytes, DEL, invalid UTF-8: visible, and never a terminal escape
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
            ++i;
        }
    }
    if (i < message.size()) {
        out += "... (";
        out += std::to_string(message.size() - i);
        out += " more bytes cut)";
    }
    return out;
}

namespace {

} // namespace

logger::logger(const logging_options& options, logger_hooks hooks)
    : level_(options.level.value_or(log_level::error)), callback_(options.logger), hooks_(std::move(hooks))
{
}

void logger::write(log_level level, std::string_view message) const noexcept
{
    if (!enabled(level))
        return;
    try {
        const auto now = hooks_.steady_now ? hooks_.steady_now() : std::chrono::steady_clock::now();
        std::vector<pending_repeat> repeats;
        bool suppressed = false;
        {
            std::lock_guard lock(mutex_);
            // Windows that have closed: their counts go out now, and the table forgets them.
            for (auto it = recent_.begin(); it != recent_.end();) {
                if (now - it->second.start < repeat_window) {
                    ++it;
                    continue;
                }
                if (it->second.suppressed != 0)
                    repeats.push_back({level_of(it->first), it->first.substr(1), it->second.suppressed});
                it = recent_.erase(it);
            }
            std::string key = key_of(level, message);
            if (auto it = recent_.find(key); it != recent_.end()) {
                ++it->second.suppressed;
                suppressed = true;
            } else if (recent_.size() < max_tracked) {
                recent_.emplace(std::move(key), window{now, 0});
            }
        }
        // Outside the lock: the callback may log again, take its own locks or be slow.
        for (const auto& r : repeats)
            emit_repeats(r.level, r.message, r.count);
        if (!suppressed)
            emit(level, message);
    } catch (...) {
        // Logging must never take the SDK down (out of memory while building a line).
    }
}

void logger::flush_repeats() const noexcept
{
    try {
        std::vector<pending_repeat> repeats;
        {
            std::lock_guard lock(mutex_);
            for (auto& [key, w] : recent_) {
                if (w.suppressed != 0)
                    repeats.push_back({level_of(key), key.substr(1), w.suppressed});
                w.suppressed = 0;
            }
        }
        for (const auto& r : repeats)
            emit_repeats(r.level, r.message, r.count);
    } catch (...) {
    }
}

void logger::emit_repeats(log_level level, std::string_view message, std::uint64_t count) const noexcept
{
    try {
        std::string line(message);
        line += " (repeated ";
        line += std::to_string(count);
        line += count == 1 ? " time)" : " times)";
        emit(level, line);
    } catch (...) {
    }
}

void logger::emit(log_level level, std::string_view raw_message) const noexcept
{
    try {
        // Every line, to the callback too: text from outside (keys, answers, settings) can hold a newline
        // that would forge a line, a terminal escape, invalid UTF-8, or be megabytes long.
        const std::string safe = sanitize_log_message(raw_message);
        const std::string_view message = safe;
        if (callback_) {
            callback_(level, message);
            return;
        }
        const auto when = hooks_.wall_now ? hooks_.wall_now() : std::chrono::system_clock::now();
        const std::string line = format_log_line(level, message, when) + '\n';
        if (hooks_.default_sink)
            hooks_.default_sink(line);
        else
            std::fwrite(line.data(), 1, line.size(), stderr); // one write: lines from threads do not interleave
    } catch (...) {
        // A throwing user callback must not unwind into the SDK thread or the caller's push().
    }
}

std::string format_log_line(log_level level, std::string_view message, std::chrono::system_clock::time_point when)
{
    static constexpr const char* names[] = {"NOTSET", "DEBUG", "INFO", "WARN", "ERROR"};
    const int index = static_cast<int>(level);
    const char* name = index >= 0 && index <= 4 ? names[index] : "NOTSET";

    const auto millis_since_epoch =
        std::chrono::floor<std::chrono::milliseconds>(when).time_since_epoch().count();
    const auto seconds_since_epoch = std::chrono::floor<std::chrono::seconds>(when).time_since_epoch().count();
    const int millis = static_cast<int>(millis_since_epoch - seconds_since_epoch * 1000);
    const std::time_t seconds = static_cast<std::time_t>(seconds_since_epoch);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);

    std::string line = "VWO-SDK - [";
    line += name;
    line += "]: ";
    line += stamp;
    line += ' ';
    line += message;
    return line;
}

} // namespace vwo::engine
