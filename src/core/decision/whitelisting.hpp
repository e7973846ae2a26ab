#pragma once

// Whitelisting, a.k.a. forced variations (docs/decisions.md#whitelisting, Node's DecisionUtil
// _checkForWhitelisting / _evaluateWhitelisting): each variation's segments against the
// variation-targeting variables plus `_vwoUserId`, and re-bucketing among several matches.

#include "core/decision/attributes.hpp"
#include "core/decision/bucketing.hpp"
#include "core/decision/campaign_settings.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace vwo::core::decision {

struct whitelisting_result {
    const variation* chosen = nullptr; ///< the whitelisted variation, if any
    std::size_t candidates = 0;        ///< variations whose segments matched
    /// The first malformed variation segment met (it evaluated to false): what to log.
    std::string_view segment_error;
};

/// Requires campaign.is_forced_variation_enabled (the caller checks it: Node skips whitelisting
/// entirely otherwise). `use_visitor_uuid` is the `_vwoUserId` choice (pipeline step 3): by default the
/// campaign's own isUserListEnabled; a group member is evaluated with the called campaign's (group step 1;
/// both steps as numbered in docs/decisions.md).
/// Thread-safe: reads only immutable settings and the caller's inputs.
whitelisting_result evaluate_whitelisting(const campaign_settings& settings, const campaign& c,
                                          std::string_view user_id, const attribute_map* targeting_variables,
                                          bucketing_compat compat, std::optional<bool> use_visitor_uuid = {});

} // namespace vwo::core::decision
