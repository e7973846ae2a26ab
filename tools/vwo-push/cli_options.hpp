#pragma once

// vwo-push's command line: what each flag means, its checks, and the --help text. Pure: parsing
// touches no file and no network, so every rule here is unit-tested without running the tool.

#include "row_reader.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vwo::cli {

inline constexpr const char* default_endpoint = "https://dev.visualwebsiteoptimizer.com";
inline constexpr std::size_t default_events_per_request = 100;
inline constexpr std::chrono::milliseconds default_timeout{30000};
inline constexpr std::chrono::milliseconds default_progress_interval{5000};

/// vwo-push's exit codes (docs/cli.md).
namespace exit_code {
inline constexpr int ok = 0;           ///< every row delivered (dry run: validated)
inline constexpr int rows_failed = 1;  ///< some rows invalid, failed or dropped
inline constexpr int usage = 2;        ///< bad arguments, unreadable input, unusable CSV header
inline constexpr int setup = 3;        ///< settings unreadable or not fetched, or launch failed
inline constexpr int interrupted = 130; ///< SIGINT / SIGTERM (128 + SIGINT, as shells report it)
} // namespace exit_code

/// Which SDK log lines reach stderr (the SDK's levels, plus off).
enum class sdk_log_level { debug, info, warn, error, off };

/// Everything a run needs, as given on the command line (defaults filled in). Plain value type.
struct cli_options {
    // Input: exactly one of a single push (user_id, key, value) or a file.
    std::optional<input_format> file_format; ///< set: backfill from input_path; unset: single push
    std::string input_path;                  ///< "-" reads standard input
    std::string user_id, key, value;

    // Settings: a file, or fetched with account id and SDK key.
    std::string settings_file;
    std::string account_id, sdk_key;

    std::string endpoint = default_endpoint; ///< collector, and where settings are fetched from
    std::string ca_file;
    bool insecure_skip_verify = false;

    bool batch = true;                       ///< files only: batch-events requests (single pushes never batch)
    std::size_t events_per_request = default_events_per_request;
    std::optional<double> rate;              ///< events per second; unset: unlimited
    bool dry_run = false;                    ///< development mode: validate, send nothing
    std::chrono::milliseconds timeout = default_timeout; ///< final delivery deadline
    std::chrono::milliseconds progress_interval = default_progress_interval; ///< plain progress lines
    bool quiet = false;                      ///< no progress output
    std::size_t max_pending = 0;             ///< rows handed to the SDK and not finished; 0: default_max_pending()
    std::size_t connections = 2;
    sdk_log_level log_level = sdk_log_level::warn;

    /// The bound on unfinished rows used when --max-pending is not given: room for several full
    /// batches, so one batch is filling while others are on the wire.
    std::size_t effective_max_pending() const noexcept
    {
        if (max_pending != 0)
            return max_pending;
        return events_per_request * 4 > 1000 ? events_per_request * 4 : 1000;
    }
};

/// What main() should do.
enum class cli_action { run, help, version, usage_error };

/// Plain value type.
struct parse_result {
    cli_action action = cli_action::run;
    cli_options options;
    std::string error; ///< for usage_error: one line naming the problem
};

/// Parses the arguments after the program name. Flags take their value as the next argument or
/// after '=' (--rate=50). --help and --version win over any other argument, valid or not.
parse_result parse_arguments(std::span<const std::string_view> args);
parse_result parse_arguments(int argc, const char* const* argv);

/// The --help text.
std::string usage_text();

} // namespace vwo::cli
