#include "summary.hpp"

#include "cli_options.hpp"

#include <cstdio>

namespace vwo::cli {

namespace {

std::string counter_line(const char* label, std::uint64_t n, const std::string& detail = {})
{
    char text[64];
    std::snprintf(text, sizeof text, "  %-11s %10llu", label, static_cast<unsigned long long>(n));
    std::string line = text;
    if (!detail.empty())
        line += "   " + detail;
    return line + "\n";
}

std::string lines_detail(const std::vector<std::uint64_t>& lines)
{
    if (lines.empty())
        return {};
    return (lines.size() == 1 ? "line " : "lines ") + format_line_ranges(lines);
}

} // namespace

std::string format_line_ranges(const std::vector<std::uint64_t>& lines, std::size_t max_ranges)
{
    std::string out;
    std::size_t ranges = 0;
    std::size_t i = 0;
    while (i < lines.size()) {
        if (ranges == max_ranges) {
            out += ", ... ("; // piece by piece: g++ 12 -O3 -Wrestrict false positive on "literal" + string
            out += std::to_string(lines.size() - i);
            out += " more)";
            break;
        }
        std::size_t j = i;
        while (j + 1 < lines.size() && lines[j + 1] <= lines[j] + 1) // duplicates cannot happen, but are harmless
            ++j;
        if (!out.empty())
            out += ", ";
        out += std::to_string(lines[i]);
        if (lines[j] != lines[i]) {
            out += '-';
            out += std::to_string(lines[j]);
        }
        ++ranges;
        i = j + 1;
    }
    return out;
}

std::string format_summary(const run_summary& s)
{
    std::string out = "summary";
    if (s.dry_run)
        out += " (dry run: nothing was sent)";
    if (s.interrupted)
        out += s.input_complete ? " (interrupted)" : " (interrupted: the rest of the input was not read)";
    out += ":\n";
    out += counter_line("rows read", s.rows_read);
    out += counter_line("invalid", s.invalid_lines.size(), lines_detail(s.invalid_lines));
    if (s.dry_run) {
        out += counter_line("validated", s.validated);
    } else {
        out += counter_line("accepted", s.accepted,
                            s.refusals_retried ? std::to_string(s.refusals_retried) +
                                                     " queue-full refusals were sent again"
                                               : std::string());
        out += counter_line("delivered", s.delivered);
        out += counter_line("failed", s.failed, lines_detail(s.failed_lines));
        out += counter_line("dropped", s.dropped + s.not_sent, lines_detail(s.dropped_lines));
        if (s.not_sent != 0)
            out += "  (" + std::to_string(s.not_sent) + " of them read but never handed over: interrupted)\n";
    }
    const std::uint64_t done = s.dry_run ? s.validated : s.delivered;
    char text[96];
    std::snprintf(text, sizeof text, "  %-11s %10.2f s\n", "elapsed", s.elapsed_seconds);
    out += text;
    std::snprintf(text, sizeof text, "  %-11s %10.0f events/s\n", "throughput",
                  s.elapsed_seconds > 0 ? static_cast<double>(done) / s.elapsed_seconds : 0.0);
    out += text;
    return out;
}

int exit_code_for(const run_summary& s)
{
    if (s.interrupted)
        return exit_code::interrupted;
    if (!s.invalid_lines.empty() || !s.failed_lines.empty() || !s.dropped_lines.empty() || s.failed != 0 ||
        s.dropped != 0 || s.not_sent != 0)
        return exit_code::rows_failed;
    return exit_code::ok;
}

} // namespace vwo::cli
