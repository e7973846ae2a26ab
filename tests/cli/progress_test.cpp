// Progress text (pure functions) and the reporter's message / final-output behaviour.

#include "progress.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <vector>

using namespace vwo::cli;

TEST_CASE("progress: durations", "[cli][progress]")
{
    CHECK(format_duration(0) == "0:00");
    CHECK(format_duration(7.4) == "0:07");
    CHECK(format_duration(754) == "12:34");
    CHECK(format_duration(3723) == "1:02:03");
    CHECK(format_duration(-1) == "--:--");
    CHECK(format_duration(1e12) == "--:--");
}

TEST_CASE("progress: rate and ETA from the average so far", "[cli][progress]")
{
    progress_snapshot s{2500, 5000, 3, 2.0};
    CHECK(rows_per_second(s) == 1250.0);
    CHECK(eta_seconds(s) == 2.0);
    s.total.reset();
    CHECK_FALSE(eta_seconds(s));
    CHECK_FALSE(eta_seconds(progress_snapshot{0, 10, 0, 0.0})); // no rate yet
    CHECK(eta_seconds(progress_snapshot{10, 10, 0, 1.0}) == 0.0);
}

TEST_CASE("progress: the terminal bar fits the width and shows every number", "[cli][progress]")
{
    const progress_snapshot s{2500, 5000, 3, 2.0};
    const auto line = format_bar_line(s, 80);
    CHECK(line.size() == 79); // the last column stays free
    CHECK(line.rfind("[", 0) == 0);
    CHECK(line.find("]  2500/5000   50%   1250 ev/s  ETA 0:02  failures 3") != std::string::npos);
    const auto hashes = std::count(line.begin(), line.end(), '#');
    const auto dots = std::count(line.begin(), line.end(), '.');
    CHECK(hashes == dots); // half done
    CHECK(format_bar_line(progress_snapshot{5000, 5000, 0, 2.0}, 80).find('.') == std::string::npos);

    // The bar keeps its length while the numbers grow.
    CHECK(format_bar_line(progress_snapshot{7, 5000, 0, 0.01}, 80).find(']') == line.find(']'));

    // Narrow terminals drop the bar, then cut the numbers.
    CHECK(format_bar_line(s, 50).rfind("2500/5000", 0) == 0);
    CHECK(format_bar_line(s, 20).size() == 19);
}

TEST_CASE("progress: without a total the bar becomes a counter", "[cli][progress]")
{
    const progress_snapshot s{120, std::nullopt, 0, 4.0};
    CHECK(format_bar_line(s, 80) == "120 rows     30 ev/s  failures 0");
    CHECK(format_plain_line(s) == "progress: 120 rows, 30 events/s, 0 failures");
}

TEST_CASE("progress: plain lines", "[cli][progress]")
{
    CHECK(format_plain_line(progress_snapshot{2500, 5000, 1, 2.0}) ==
          "progress: 2500/5000 rows (50%), 1250 events/s, ETA 0:02, 1 failure");
    CHECK(format_plain_line(progress_snapshot{0, 0, 0, 0.0}) ==
          "progress: 0/0 rows (100%), 0.0 events/s, ETA 0:00, 0 failures");
    CHECK(format_plain_line(progress_snapshot{3, 10, 0, 2.0}) ==
          "progress: 3/10 rows (30%), 1.5 events/s, ETA 0:05, 0 failures");
}

namespace {
// What a reporter wrote. Thread-safety: the sink may be called from the reporter's thread and the
// test's; pieces are guarded by the mutex.
struct captured {
    std::mutex mutex;
    std::vector<std::string> pieces;
    progress_reporter::sink_type sink()
    {
        return [this](std::string_view text) {
            std::lock_guard lock(mutex);
            pieces.emplace_back(text);
        };
    }
    std::string all()
    {
        std::lock_guard lock(mutex);
        std::string text;
        for (const auto& p : pieces)
            text += p;
        return text;
    }
};
} // namespace

TEST_CASE("progress reporter: lines style writes messages and a final line", "[cli][progress]")
{
    captured out;
    progress_reporter reporter(progress_style::lines, std::chrono::hours(1),
                               [] { return progress_snapshot{7, 10, 1, 1.0}; }, out.sink());
    reporter.start();
    reporter.message("users.csv:3: invalid: key \"\" is empty");
    reporter.finish();
    CHECK(out.all() == "users.csv:3: invalid: key \"\" is empty\n"
                       "progress: 7/10 rows (70%), 7.0 events/s, ETA 0:00, 1 failure\n");
    reporter.finish(); // idempotent
    CHECK(out.pieces.size() == 2);
}

TEST_CASE("progress reporter: bar style clears the bar before a message and ends with a newline",
          "[cli][progress]")
{
    captured out;
    progress_reporter reporter(progress_style::bar, std::chrono::hours(1),
                               [] { return progress_snapshot{5, 10, 0, 1.0}; }, out.sink(), 60);
    reporter.start();
    reporter.message("first");  // no bar drawn yet: nothing to clear
    reporter.message("second"); // the redraw after "first" is cleared first
    reporter.finish();
    const auto text = out.all();
    CHECK(text.rfind("first\n\r", 0) == 0);
    CHECK(text.find("\r\x1b[Ksecond\n") != std::string::npos);
    CHECK(text.find(" 5/10   50%") != std::string::npos);
    CHECK(text.back() == '\n');
}

TEST_CASE("progress reporter: off style still writes messages, nothing else", "[cli][progress]")
{
    captured out;
    progress_reporter reporter(progress_style::off, std::chrono::milliseconds(1),
                               [] { return progress_snapshot{}; }, out.sink());
    reporter.start();
    reporter.message("bad row");
    reporter.finish();
    CHECK(out.all() == "bad row\n");
}

TEST_CASE("progress style: quiet turns it off, a pipe gets lines", "[cli][progress]")
{
    CHECK(detect_progress_style(true) == progress_style::off);
    // Under ctest stderr is a pipe or a file, never a terminal.
    CHECK(detect_progress_style(false) == progress_style::lines);
}
