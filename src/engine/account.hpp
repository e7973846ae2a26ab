#pragma once

// One account's settings as the running client uses them (docs/architecture.md#the-parts-of-the-engine):
// parsed once, immutable, shared. Every call takes the current snapshot once and uses it from start to
// finish; replacing the account is one store() of a new snapshot.

#include "core/account.hpp"
#include "core/endpoint.hpp"
#include "core/outcome.hpp"
#include "core/request_builder.hpp"
#include "engine/brief_mutex.hpp"
#include "engine/decision_service.hpp"
#include "engine/logger.hpp"

#include <vwo/client_options.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace vwo::engine {

/// Thread-safety: immutable after construction; share it freely.
struct account {
    std::shared_ptr<const core::account> settings; ///< the settings file, parsed once
    core::request_context context; ///< account id, sdk key, collection prefix, usage stats
    bool event_arch = false;       ///< the account sends events/t (settings isEventArchEnabled)
    decision_service decisions;    ///< the decision logic over settings->campaigns
};

/// Parses `options.settings_file` (core::parse_account) into an account for the collector at `origin`.
/// A failure (errc::invalid_settings) names the field and the problem. `log` must outlive the account.
core::outcome<std::shared_ptr<const account>> make_account(const client_options& options,
                                                           const core::endpoint& origin, const logger& log);

/// The current account. Thread-safety: load() and store() from any thread at once.
class account_holder {
public:
    explicit account_holder(std::shared_ptr<const account> first) : current_(std::move(first)) {}
    std::shared_ptr<const account> load() const
    {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void store(std::shared_ptr<const account> next)
    {
        std::lock_guard lock(mutex_);
        current_.swap(next); // the old one is released outside the lock, below
    }

private:
    mutable brief_mutex mutex_;
    std::shared_ptr<const account> current_;
};

} // namespace vwo::engine
