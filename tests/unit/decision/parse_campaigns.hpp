#pragma once

// The decision tests read the campaign part of core::parse_account (the one settings parse).

#include "core/account.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace vwo_test {

/// parse_account's campaigns (sharing the account's lifetime) or its failure message.
struct parsed_campaigns {
    std::shared_ptr<const vwo::core::decision::campaign_settings> value; ///< set on success
    std::string error;                                                   ///< the failure's message
};

inline parsed_campaigns parse_campaigns(std::string_view json_text)
{
    auto parsed = vwo::core::parse_account(json_text);
    if (!parsed) return {nullptr, parsed.error().message};
    return {vwo::core::campaigns_of(*parsed), {}};
}

} // namespace vwo_test
