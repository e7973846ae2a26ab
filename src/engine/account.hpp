#pragma once

// One account's settings as the running client uses them (docs/architecture.md#the-parts-of-the-engine):
// parsed once, immutable, shared. Every call takes the current snapshot once and uses it from start to
// finish; replacing the account is one store() of a new snapshot.

#include "core/account.hpp"
#include "core/endpoint.hpp"
#include "core/outcome.hpp"
#include "core/request_builder.hpp"
#include "engine/decision_service.hpp"
#include "engine/logger.hpp"

#include <vwo/client_options.hpp>

#include <memory>
#include <string>

namespace vwo::engine {

/// Thread-safety: immutable after construction; share it freely.
struct account {
    std::string json;                              ///< the settings text, as given (settings_file())
    std::shared_ptr<const core::account> settings; ///< the settings file, parsed once
    core::request_context context; ///< account id, sdk key, collection prefix, usage stats
    bool event_arch = false;       ///< the account sends events/t (settings isEventArchEnabled)
    decision_service decisions;    ///< the decision logic over settings->campaigns
};

/// Parses `json` (core::parse_account) into an account for the collector at `origin`, configured by
/// `options`. A failure (errc::invalid_settings) names the field and the problem. `log` must outlive
/// the account.
/// `storage`: the user store its decisions use (see decision_service).
core::outcome<std::shared_ptr<const account>> make_account(std::string json, const client_options& options,
                                                           const core::endpoint& origin, const logger& log,
                                                           std::shared_ptr<user_storage> storage);

} // namespace vwo::engine
