// The logger: the default line format, level filtering, and the repeat limiter, with injected
// clocks (no sleeping). logger.cpp is linked into this binary directly (it needs only the standard library).
#include "engine/logger.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using vwo::log_level;
using vwo::engine::format_log_line;
using vwo::engine::logger;
using namespace std::chrono_literals;

namespace {

// 2026-11-23T15:47:46.123Z
const std::chrono::system_clock::time_point fixed_wall =
    std::chrono::system_clock::time_point(std::chrono::seconds(1795448866) + std::chrono::milliseconds(123));

struct fake_clock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    auto function()
    {
        return [this] { return now; };
    }
};

struct captured {
    std::mutex mutex;
    std::vector<std::pair<log_level, std::string>> lines;

    vwo::log_callback callback()
    {
        return [this](log_level level, std::string_view message) {
            std::lock_guard lock(mutex);
            lines.emplace_back(level, std::string(message));
        };
    }
    std::vector<std::pair<log_level, std::string>> snapshot()
    {
        std::lock_guard lock(mutex);
        return lines;
    }
};

vwo::logging_options with(captured& sink, std::optional<log_level> level = log_level::debug)
{
    vwo::logging_options o;
    o.level = level;
    o.logger = sink.callback();
    return o;
}

} // namespace

TEST_CASE("default lines are VWO-style: prefix, level, ISO 8601 UTC with milliseconds, message", "[logger]")
{
    CHECK(format_log_line(log_level::error, "launch failed", fixed_wall) ==
          "VWO-SDK - [ERROR]: 2026-11-23T15:47:46.123Z launch failed");
    CHECK(format_log_line(log_level::warn, "w", fixed_wall) == "VWO-SDK - [WARN]: 2026-11-23T15:47:46.123Z w");
    CHECK(format_log_line(log_level::info, "i", fixed_wall) == "VWO-SDK - [INFO]: 2026-11-23T15:47:46.123Z i");
    CHECK(format_log_line(log_level::debug, "d", fixed_wall) == "VWO-SDK - [DEBUG]: 2026-11-23T15:47:46.123Z d");
    CHECK(format_log_line(log_level::notset, "n", fixed_wall) == "VWO-SDK - [NOTSET]: 2026-11-23T15:47:46.123Z n");
    CHECK(format_log_line(log_level::error, "", std::chrono::system_clock::time_point{}) ==
          "VWO-SDK - [ERROR]: 1970-01-01T00:00:00.000Z ");
    // Milliseconds are truncated, never rounded up into the next second.
    CHECK(format_log_line(log_level::info, "x", fixed_wall + 876ms + std::chrono::microseconds(999)) ==
          "VWO-SDK - [INFO]: 2026-11-23T15:47:46.999Z x");
}

TEST_CASE("the default writer emits one formatted line per message, newline-terminated", "[logger]")
{
    std::vector<std::string> out;
    vwo::engine::logger_hooks hooks;
    hooks.wall_now = [] { return fixed_wall; };
    hooks.default_sink = [&](std::string_view line) { out.emplace_back(line); };
    vwo::logging_options o;
    o.level = log_level::info;
    const logger log(o, std::move(hooks));
    log.info("launched for account 123456");
    log.debug("not written");
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "VWO-SDK - [INFO]: 2026-11-23T15:47:46.123Z launched for account 123456\n");
}

TEST_CASE("level filtering: default error, notset writes everything", "[logger]")
{
    auto written = [](std::optional<log_level> level) {
        captured sink;
        const logger log(with(sink, level));
        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        std::string levels;
        for (const auto& [l, m] : sink.snapshot())
            levels += m;
        return levels;
    };
    CHECK(written(std::nullopt) == "e"); // unset: VWO's default, error
    CHECK(written(log_level::error) == "e");
    CHECK(written(log_level::warn) == "we");
    CHECK(written(log_level::info) == "iwe");
    CHECK(written(log_level::debug) == "diwe");
    CHECK(written(log_level::notset) == "diwe");

    captured sink;
    const logger log(with(sink, log_level::warn));
    CHECK_FALSE(log.enabled(log_level::info));
    CHECK(log.enabled(log_level::warn));
    CHECK(log.enabled(log_level::error));
}

TEST_CASE("a custom logger gets the level and the bare message, without prefix or time", "[logger]")
{
    captured sink;
    const logger log(with(sink));
    log.warn("retry 1 in 1000 ms");
    const auto lines = sink.snapshot();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].first == log_level::warn);
    CHECK(lines[0].second == "retry 1 in 1000 ms");
}

TEST_CASE("an identical message within a second is counted, not written", "[logger][repeats]")
{
    captured sink;
    fake_clock clock;
    vwo::engine::logger_hooks hooks;
    hooks.steady_now = clock.function();
    const logger log(with(sink), std::move(hooks));

    log.error("key \"\" is empty");
    for (int i = 0; i < 4; ++i) {
        clock.now += 100ms;
        log.error("key \"\" is empty");
    }
    log.error("another message");         // a different message is not limited
    log.warn("key \"\" is empty");          // nor the same text at another level
    REQUIRE(sink.snapshot().size() == 3);

    clock.now += 999ms - 400ms; // 999 ms after the first line: still inside its window
    log.error("key \"\" is empty");
    CHECK(sink.snapshot().size() == 3);

    clock.now += 1ms; // the window has closed: the count first, then the line itself
    log.error("key \"\" is empty");
    const auto lines = sink.snapshot();
    REQUIRE(lines.size() == 5);
    CHECK(lines[3] == std::pair{log_level::error, std::string("key \"\" is empty (repeated 5 times)")});
    CHECK(lines[4] == std::pair{log_level::error, std::string("key \"\" is empty")});

    // A fresh window started with that line.
    clock.now += 500ms;
    log.error("key \"\" is empty");
    CHECK(sink.snapshot().size() == 5);
}

TEST_CASE("a count is reported with the next line of any message once its window closed", "[logger][repeats]")
{
    captured sink;
    fake_clock clock;
    vwo::engine::logger_hooks hooks;
    hooks.steady_now = clock.function();
    const logger log(with(sink), std::move(hooks));

    log.info("opted out");
    log.info("opted out");
    log.info("opted out");
    log.info("single");
    clock.now += 2s;
    log.warn("something else");
    const auto lines = sink.snapshot();
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].second == "opted out");
    CHECK(lines[1].second == "single");
    CHECK(lines[2] == std::pair{log_level::info, std::string("opted out (repeated 2 times)")});
    CHECK(lines[3].second == "something else"); // "single" had no copies: nothing to report

    // Nothing is reported twice.
    clock.now += 2s;
    log.warn("later");
    CHECK(sink.snapshot().size() == 5);
}

TEST_CASE("flush_repeats reports pending counts at once", "[logger][repeats]")
{
    captured sink;
    fake_clock clock;
    vwo::engine::logger_hooks hooks;
    hooks.steady_now = clock.function();
    const logger log(with(sink), std::move(hooks));

    log.error("queue full");
    log.error("queue full");
    log.flush_repeats();
    log.flush_repeats(); // nothing new
    auto lines = sink.snapshot();
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].second == "queue full (repeated 1 time)");

    log.error("queue full"); // still inside the window: counted again, not written
    CHECK(sink.snapshot().size() == 2);
}

TEST_CASE("the callback is never called under the logger's lock: it may log again", "[logger][repeats]")
{
    // With the lock held while calling out, the nested write below would deadlock (the test would hang).
    fake_clock clock;
    vwo::engine::logger_hooks hooks;
    hooks.steady_now = clock.function();
    std::vector<std::string> lines;
    const logger* self = nullptr;
    vwo::logging_options o;
    o.level = log_level::debug;
    o.logger = [&](log_level, std::string_view message) {
        lines.emplace_back(message);
        if (lines.size() == 1)
            self->warn("written from inside the callback");
    };
    const logger log(o, std::move(hooks));
    self = &log;
    log.error("first");
    REQUIRE(lines.size() == 2);
    CHECK(lines[1] == "written from inside the callback");

    // Also while repeats are reported.
    log.error("first");
    clock.now += 2s;
    log.error("second");
    CHECK(lines.size() == 4);
}

TEST_CASE("a throwing callback is swallowed", "[logger]")
{
    vwo::logging_options o;
    o.logger = [](log_level, std::string_view) { throw std::runtime_error("user bug"); };
    const logger log(o);
    CHECK_NOTHROW(log.error("x"));
}

TEST_CASE("repeat limiting is exact under concurrent writers", "[logger][repeats][threads]")
{
    captured sink;
    fake_clock clock; // never advanced while the threads run: every copy falls in one window
    vwo::engine::logger_hooks hooks;
    hooks.steady_now = clock.function();
    const logger log(with(sink), std::move(hooks));

    constexpr int threads = 4;
    constexpr int per_thread = 2000;
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            while (!go.load())
                std::this_thread::yield();
            for (int i = 0; i < per_thread; ++i) {
                log.error("same");
                log.info("thread " + std::to_string(t)); // its own message: one line per thread
            }
        });
    go = true;
    for (auto& th : pool)
        th.join();

    auto lines = sink.snapshot();
    CHECK(lines.size() == 1 + threads);
    log.flush_repeats();
    lines = sink.snapshot();
    std::uint64_t reported = 0;
    for (const auto& [level, message] : lines)
        if (message == "same (repeated " + std::to_string(threads * per_thread - 1) + " times)")
            ++reported;
    CHECK(reported == 1);
    CHECK(lines.size() == 1 + threads + 1 + threads);
}

TEST_CASE("every line is one line of valid text: control bytes escaped, invalid UTF-8 shown, long text cut",
          "[logger][hostile]")
{
    using vwo::engine::sanitize_log_message;
    CHECK(sanitize_log_message("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    CHECK(sanitize_log_message("a\nVWO-SDK - [ERROR]: forged") == "a\\nVWO-SDK - [ERROR]: forged");
    CHECK(sanitize_log_message("\r\t\x1b[2J\x7f") == "\\r\\t\\x1B[2J\\x7F");
    CHECK(sanitize_log_message(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(sanitize_log_message("bad \xC0\xAF \xED\xA0\x80 \xF0\x9F") == "bad \\xC0\\xAF \\xED\\xA0\\x80 \\xF0\\x9F");
    const std::string huge(300000, 'k');
    const std::string cut = sanitize_log_message(huge);
    CHECK(cut.size() < vwo::engine::max_log_message + 40);
    CHECK(cut.find("... (" + std::to_string(300000 - vwo::engine::max_log_message) + " more bytes cut)") !=
          std::string::npos);

    // Through a logger: the callback and the default writer both get the safe text.
    std::vector<std::string> seen;
    vwo::logging_options options;
    options.level = log_level::debug;
    options.logger = [&](log_level, std::string_view m) { seen.emplace_back(m); };
    logger log(options);
    log.error("key \"x\nVWO-SDK - [ERROR]: 2026 forged\"");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].find('\n') == std::string::npos);
    CHECK(seen[0] == "key \"x\\nVWO-SDK - [ERROR]: 2026 forged\"");
}
