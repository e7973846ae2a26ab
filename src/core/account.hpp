#pragma once

// The account: everything the SDK reads from the settings file (docs/protocol.md#settings-file,
// docs/decisions.md#settings-file-fields-the-decisions-read), parsed once into one immutable snapshot.
//
// parse_account is the only parse of a settings file. Its result is a shared_ptr<const account>: a
// running client can later replace its account with one atomic store of that pointer, and every reader
// (push URLs, decisions) keeps the snapshot it loaded for as long as it holds the pointer. Nothing in
// an account changes after parse_account returns (no mutable members, no setters, no caches).

#include "core/decision/campaign_settings.hpp"
#include "core/outcome.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace vwo::core {

/// Thread-safety: immutable once parse_account returns; any number of threads may read it at once.
class account {
    struct parse_key {
        explicit parse_key() = default;
    };

public:
    std::string account_id;        ///< decimal digits; the file may hold a number or a string
    std::string sdk_key;           ///< non-empty visible ASCII, at most 256 characters
    std::string version;           ///< as text (the file holds a number or a string)
    bool event_arch_enabled = false;   ///< "isEventArchEnabled"
    std::string collection_prefix; ///< "" when absent; otherwise one URL path segment
    /// Campaigns, groups, isNB / isNBv2 and the visitor UUID generator, ready for decisions.
    decision::campaign_settings campaigns;

    /// Number of entries of "campaigns".
    std::size_t campaign_count() const noexcept { return campaigns.campaigns().size(); }

    /// Only parse_account constructs accounts (the key is private); public so make_shared can.
    account(parse_key, std::string campaigns_account_id) : campaigns(std::move(campaigns_account_id)) {}
    account(const account&) = delete;
    account& operator=(const account&) = delete;

private:
    friend outcome<std::shared_ptr<const account>> parse_account(std::string_view json);
};

/// Parses and checks a settings file into an account. Required: accountId (non-negative integer, or a
/// string of at most 20 decimal digits), sdkKey (non-empty visible ASCII, at most 256 characters),
/// version (number or string), campaigns (array of valid campaigns, core/decision/campaign_settings.hpp).
/// Optional: isEventArchEnabled (bool), collectionPrefix (string of RFC 3986 unreserved characters;
/// empty means none), isNB, isNBv2, groups, campaignGroups. JSON null counts as absent for optional
/// fields. The text is first checked against the limits of core/json_limits.hpp (depth, numbers past
/// double's range read as JavaScript reads them).
///
/// A failure has code vwo::errc::invalid_settings and a message starting "settings file: " that names
/// the field (and campaign) and the problem; it never quotes the SDK key or the text of malformed JSON.
/// Never throws (std::bad_alloc during the parse is a failure too).
outcome<std::shared_ptr<const account>> parse_account(std::string_view json);

/// The campaign part of an account as its own pointer, sharing the account's lifetime (aliasing
/// shared_ptr): for code that holds only the campaigns, e.g. the engine's decision service.
inline std::shared_ptr<const decision::campaign_settings> campaigns_of(std::shared_ptr<const account> a) noexcept
{
    if (!a) return nullptr;
    const decision::campaign_settings* campaigns = &a->campaigns;
    return {std::move(a), campaigns};
}

} // namespace vwo::core
