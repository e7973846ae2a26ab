#pragma once

// Runs a program as a child process for end-to-end tests: posix_spawn, its stdout and stderr
// collected through pipes (stderr optionally through a pseudo-terminal), and every wait bounded
// by a deadline after which the child is killed.

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace vwo::test {

/// Plain value type.
struct child_result {
    int exit_code = -1;       ///< the exit status, or 128 + signal when killed by one
    bool timed_out = false;   ///< the deadline passed and the child was killed
    std::string out;          ///< everything written to stdout
    std::string err;          ///< everything written to stderr
    std::chrono::milliseconds elapsed{0}; ///< from spawn to exit
};

/// Plain value type.
struct child_options {
    std::string stdin_path = "/dev/null";
    bool stderr_is_terminal = false; ///< give the child a pseudo-terminal as stderr (80 columns)
};

/// One child process. Thread-safety: one thread drives it.
class child_process {
public:
    /// Spawns argv[0] (a path) with argv; throws std::runtime_error if it cannot be started.
    explicit child_process(const std::vector<std::string>& argv, const child_options& options = {});
    /// Kills the child if it is still running, and reaps it.
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Sends `signal` to the child.
    void send_signal(int signal);
    /// Collects output until the child exits, at most `timeout`; then kills it (timed_out).
    child_result wait(std::chrono::milliseconds timeout);

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    bool reaped_ = false;
    std::chrono::steady_clock::time_point started_;
};

/// Spawns, waits at most `timeout`, returns what happened.
child_result run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       const child_options& options = {});

} // namespace vwo::test
