#include "engine/live_account.hpp"

#include <vwo/error.hpp>

#include <algorithm>

namespace vwo::engine {

live_account::live_account(std::shared_ptr<const account> first, account_factory make)
    : make_(std::move(make)), current_(std::move(first))
{
    confirmed_now();
}

void live_account::confirmed_now() noexcept
{
    confirmed_at_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

core::outcome<settings_change> live_account::apply(std::string json)
{
    std::lock_guard serial(apply_mutex_);
    // Whatever no call holds any more goes now, on this (the applier's) thread.
    std::erase_if(retired_, [](const auto& old) { return old.use_count() == 1; });

    auto current = load();
    if (json == current->json) { // byte for byte: the same settings, nothing to parse or swap
        unchanged_.fetch_add(1, std::memory_order_relaxed);
        confirmed_now();
        return settings_change::unchanged;
    }
    auto made = make_(std::move(json));
    if (!made) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return made.error();
    }
    std::shared_ptr<const account> next = std::move(*made);
    if (next->context.account_id != current->context.account_id) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        return core::failure{make_error_code(errc::settings_of_another_account),
                             "settings refused: they are for account " + next->context.account_id +
                                 ", this client serves account " + current->context.account_id};
    }
    {
        std::lock_guard lock(mutex_);
        current_.swap(next); // `next` now holds the old snapshot
    }
    retired_.push_back(std::move(next));
    current.reset();
    updated_.fetch_add(1, std::memory_order_relaxed);
    confirmed_now();
    return settings_change::updated;
}

void live_account::add_stats(client_stats& out) const
{
    out.settings_refreshes_attempted = attempted_.load(std::memory_order_relaxed);
    out.settings_updated = updated_.load(std::memory_order_relaxed);
    out.settings_unchanged = unchanged_.load(std::memory_order_relaxed);
    out.settings_failed = failed_.load(std::memory_order_relaxed);
    const auto since = std::chrono::steady_clock::now().time_since_epoch() -
                       std::chrono::steady_clock::duration(confirmed_at_.load(std::memory_order_relaxed));
    out.settings_age = std::max(std::chrono::milliseconds(0),
                                std::chrono::duration_cast<std::chrono::milliseconds>(since));
}

} // namespace vwo::engine
