#pragma once

// A mutex for critical sections of a few dozen nanoseconds that callers hit from their own
// latency-critical threads. std::mutex goes straight to a futex sleep (two system calls, the
// waiter's and the waker's) as soon as it finds the lock taken; spinning for about a
// microsecond first turns that rare contention into a short wait. It still blocks after the
// spin, so a holder that was preempted does not make the waiter burn its time slice.

#include <mutex>

namespace vwo::engine {

/// Thread-safety: a mutex; lock/try_lock/unlock from any thread (meets Lockable).
class brief_mutex {
public:
    void lock()
    {
        for (int spin = 0; spin < spin_limit; ++spin) {
            if (mutex_.try_lock())
                return;
            relax();
        }
        mutex_.lock();
    }
    bool try_lock() { return mutex_.try_lock(); }
    void unlock() { mutex_.unlock(); }

private:
    static constexpr int spin_limit = 64;

    static void relax() noexcept
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    std::mutex mutex_;
};

} // namespace vwo::engine
