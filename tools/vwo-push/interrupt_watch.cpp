#include "interrupt_watch.hpp"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>

namespace vwo::cli {

interrupt_watch::interrupt_watch(std::function<void()> on_interrupt) : on_interrupt_(std::move(on_interrupt))
{
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGUSR1); // our own wake-up at destruction
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] { run(); });
}

interrupt_watch::~interrupt_watch()
{
    // sigwait cannot be cancelled, so the watcher is woken by a signal only it waits for.
    stop_ = true;
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
}

void interrupt_watch::run()
{
    bool interrupted = false;
    for (;;) {
        int signal = 0;
        if (sigwait(&signals_, &signal) != 0)
            continue;
        if (signal == SIGUSR1) {
            if (stop_)
                return;
            continue;
        }
        if (interrupted) {
            std::fputs("\nvwo-push: interrupted again, exiting without waiting\n", stderr);
            std::_Exit(130);
        }
        interrupted = true;
        std::fputs("\nvwo-push: interrupted: no more rows are read; delivering what was handed over "
                   "(interrupt again to exit at once)\n",
                   stderr);
        on_interrupt_();
    }
}

} // namespace vwo::cli
