#pragma once

// Private to core::parse_account (core/account.cpp) and campaign_settings.cpp: filling the campaign part
// of an account from the one parsed document. Not for other code: it needs nlohmann's types.

#include "core/decision/campaign_settings.hpp"
#include "core/outcome.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace vwo::core::decision {

/// JavaScript String(accountId): the id the campaign model (and its visitor UUIDs) uses. `account_id`
/// must be a number or a string.
std::string campaigns_account_id(const nlohmann::ordered_json& account_id);

/// Reads isNB/isNBv2, campaigns, groups and campaignGroups of `root` (an object whose top-level fields
/// parse_account has checked) into `out`, which must be freshly constructed. A failure has code
/// vwo::errc::invalid_settings and a message "settings file: campaign 'key' (campaigns[2]): ...".
/// Internally the reader throws and this catches: no exception leaves this function (bad_alloc aside).
outcome<void> fill_campaign_settings(campaign_settings& out, const nlohmann::ordered_json& root);

} // namespace vwo::core::decision
