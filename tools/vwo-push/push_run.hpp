#pragma once

// One vwo-push run: open the input, get the settings, launch the client, hand every row over at
// the --rate limit with bounded rows in flight, wait for delivery up to --timeout, and report.

#include "cli_options.hpp"

namespace vwo::cli {

/// Runs with already parsed options; returns the process exit code (exit_code::*). Writes bad
/// rows, SDK messages and progress to stderr, the summary to stdout.
/// Thread-safety: call once per process, from the main thread, before any other thread exists
/// (it blocks SIGINT/SIGTERM for the threads it starts and handles them itself).
int run_push(const cli_options& options);

} // namespace vwo::cli
