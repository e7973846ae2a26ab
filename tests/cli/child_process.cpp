#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace vwo::test {

namespace {

[[noreturn]] void fail(const std::string& what)
{
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

int status_to_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

child_process::child_process(const std::vector<std::string>& argv, const child_options& options)
{
    int out_pipe[2], err_pipe[2] = {-1, -1};
    // O_CLOEXEC: children spawned concurrently by other tests must not inherit our ends.
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        fail("pipe2");
    if (options.stderr_is_terminal) {
        winsize size{};
        size.ws_col = 80;
        size.ws_row = 24;
        int master = -1, slave = -1;
        if (openpty(&master, &slave, nullptr, nullptr, &size) != 0)
            fail("openpty");
        fcntl(master, F_SETFD, FD_CLOEXEC);
        fcntl(slave, F_SETFD, FD_CLOEXEC);
        err_pipe[0] = master;
        err_pipe[1] = slave;
    } else if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        fail("pipe2");
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, options.stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1); // dup2 clears FD_CLOEXEC on the copy
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    // The child starts with default signal handling and nothing blocked, whatever the test runner has.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // Our environment, except that a child given a terminal gets a terminal type that draws (TERM=dumb,
    // as in CI's fresh root, or no TERM, would rightly make vwo-push print plain lines instead).
    std::vector<char*> env;
    static char xterm[] = "TERM=xterm";
    for (char** e = environ; *e; ++e)
        if (!options.stderr_is_terminal || std::strncmp(*e, "TERM=", 5) != 0)
            env.push_back(*e);
    if (options.stderr_is_terminal)
        env.push_back(xterm);
    env.push_back(nullptr);
    started_ = std::chrono::steady_clock::now();
    const int rc = posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (rc != 0) {
        errno = rc;
        close(out_fd_);
        close(err_fd_);
        fail("posix_spawn " + argv[0]);
    }
}

child_process::~child_process()
{
    if (!reaped_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (out_fd_ >= 0)
        close(out_fd_);
    if (err_fd_ >= 0)
        close(err_fd_);
}

void child_process::send_signal(int signal)
{
    if (!reaped_)
        kill(pid_, signal);
}

child_result child_process::wait(std::chrono::milliseconds timeout)
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    child_result result;
    auto remaining_ms = [&] {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
        return static_cast<int>(std::max<long long>(0, left));
    };

    // Output first: the pipes reach end-of-file when the child exits (a pty master reports EIO).
    std::string* sinks[2] = {&result.out, &result.err};
    int fds[2] = {out_fd_, err_fd_};
    while ((fds[0] >= 0 || fds[1] >= 0) && !result.timed_out) {
        pollfd polls[2];
        nfds_t n = 0;
        int which[2];
        for (int i = 0; i < 2; ++i) {
            if (fds[i] >= 0) {
                polls[n] = pollfd{fds[i], POLLIN, 0};
                which[n++] = i;
            }
        }
        const int ready = poll(polls, n, remaining_ms());
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            result.timed_out = true;
            break;
        }
        for (nfds_t k = 0; k < n; ++k) {
            if (polls[k].revents == 0)
                continue;
            char buffer[65536];
            const ssize_t got = read(polls[k].fd, buffer, sizeof buffer);
            if (got > 0) {
                sinks[which[k]]->append(buffer, static_cast<std::size_t>(got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(fds[which[k]]);
                fds[which[k]] = -1;
            }
        }
    }
    out_fd_ = fds[0];
    err_fd_ = fds[1];

    // Then the exit status: the child has closed its output, so it is exiting; a short poll
    // bounded by the deadline covers the moment between closing and being reapable.
    int status = 0;
    while (!result.timed_out) {
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            reaped_ = true;
            result.exit_code = status_to_code(status);
            break;
        }
        if (remaining_ms() == 0)
            result.timed_out = true;
        else
            poll(nullptr, 0, 5);
    }
    if (result.timed_out && !reaped_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        reaped_ = true;
        result.exit_code = status_to_code(status);
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started_);
    return result;
}

child_result run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       const child_options& options)
{
    child_process child(argv, options);
    return child.wait(timeout);
}

} // namespace vwo::test
