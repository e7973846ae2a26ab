#pragma once

// The end-of-run summary and the exit code, as pure functions of the final tallies.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vwo::cli {

/// Final numbers of one run. Row outcomes come from the CLI's own per-row tracking; accepted,
/// delivered, failed and dropped from the SDK's client_stats (queue-full refusals the CLI sent
/// again are taken out of accepted and dropped: they were not losses). Plain value type.
struct run_summary {
    bool dry_run = false;
    bool interrupted = false;
    bool input_complete = true;            ///< false: reading stopped early (interrupted)
    std::uint64_t rows_read = 0;
    std::uint64_t validated = 0;           ///< dry run: rows that passed validation
    std::uint64_t accepted = 0;
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    std::uint64_t dropped = 0;
    std::uint64_t refusals_retried = 0;
    std::uint64_t not_sent = 0;            ///< read but never handed to the SDK (interrupted)
    std::vector<std::uint64_t> invalid_lines;  ///< ascending
    std::vector<std::uint64_t> failed_lines;   ///< ascending
    std::vector<std::uint64_t> dropped_lines;  ///< ascending (includes rows never handed over)
    double elapsed_seconds = 0;
};

/// "4, 17, 30-45" for ascending line numbers; after `max_ranges` ranges, ", ... (N more lines)".
std::string format_line_ranges(const std::vector<std::uint64_t>& lines, std::size_t max_ranges = 20);

/// The multi-line summary printed at the end (ends with a newline).
std::string format_summary(const run_summary& s);

/// exit_code::ok, rows_failed or interrupted.
int exit_code_for(const run_summary& s);

} // namespace vwo::cli
