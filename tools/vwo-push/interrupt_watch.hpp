#pragma once

// Turns SIGINT and SIGTERM into a callback on an ordinary thread, so a backfill that is stopped
// still delivers what it handed over and prints its summary. A second signal ends the process at
// once (exit code 130), for when the collector is unreachable and the user will not wait.

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace vwo::cli {

/// Blocks SIGINT, SIGTERM and SIGUSR1 in the constructing thread (so threads started after it,
/// the SDK's included, inherit the mask) and waits for them with sigwait on a thread of its own.
/// Construct it before any other thread is started.
///
/// Thread-safety: construct and destroy on the same thread; the callback runs on the watcher
/// thread and must be thread-safe.
class interrupt_watch {
public:
    explicit interrupt_watch(std::function<void()> on_interrupt);
    ~interrupt_watch();
    interrupt_watch(const interrupt_watch&) = delete;
    interrupt_watch& operator=(const interrupt_watch&) = delete;

private:
    void run();

    std::function<void()> on_interrupt_;
    sigset_t signals_{};
    std::atomic<bool> stop_{false}; ///< set before the wake-up signal is sent
    std::thread thread_;
};

} // namespace vwo::cli
