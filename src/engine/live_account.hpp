#pragma once

// The account a running client decides and sends with, and how it is replaced while the client runs
// (docs/settings.md#the-swap). A snapshot is immutable; replacing it is one pointer swap, so every call
// that took a snapshot finishes on it, and callers never wait for a parse.

#include "core/outcome.hpp"
#include "engine/account.hpp"
#include "engine/brief_mutex.hpp"

#include <vwo/stats.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vwo::engine {

/// What applying a settings text did.
enum class settings_change { updated, unchanged };

/// Thread-safety: every member function may be called from any thread at once. load() takes a lock of a
/// few nanoseconds (a pointer copy); apply() runs appliers one at a time on a mutex of their own, so a
/// parse never holds up load().
class live_account {
public:
    /// Builds an account from a settings text (make_account with the client's options).
    using account_factory = std::function<core::outcome<std::shared_ptr<const account>>(std::string json)>;

    live_account(std::shared_ptr<const account> first, account_factory make);

    /// The snapshot in use now. Keep it for the whole call.
    std::shared_ptr<const account> load() const
    {
        std::lock_guard lock(mutex_);
        return current_;
    }

    /// Counts a refresh as started (a fetch, or update_settings_file()).
    void begin_refresh() noexcept { attempted_.fetch_add(1, std::memory_order_relaxed); }
    /// Ends a refresh whose fetch failed before there was anything to apply.
    void fail_refresh() noexcept { failed_.fetch_add(1, std::memory_order_relaxed); }
    /// Ends a refresh with `json`: unchanged when it is the text in use; otherwise parsed and, when it is
    /// valid settings of the same account, made the current snapshot. A failure leaves the current one.
    core::outcome<settings_change> apply(std::string json);

    /// Adds the refresh counters and the age of the settings in use to `out`.
    void add_stats(client_stats& out) const;

private:
    void confirmed_now() noexcept;

    const account_factory make_;
    mutable brief_mutex mutex_; ///< guards current_
    std::shared_ptr<const account> current_;

    std::mutex apply_mutex_; ///< one applier at a time; guards retired_
    /// Replaced snapshots that a call may still hold. Released here, by a later apply, once nothing else
    /// holds them, so that a caller's thread is never the one that frees a whole account.
    std::vector<std::shared_ptr<const account>> retired_;

    std::atomic<std::uint64_t> attempted_{0}, updated_{0}, unchanged_{0}, failed_{0};
    std::atomic<std::chrono::steady_clock::rep> confirmed_at_; ///< steady_clock ticks
};

} // namespace vwo::engine
