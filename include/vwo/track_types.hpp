#pragma once

// The campaign argument and the detailed result of track() (docs/decisions.md#track).

#include <boost/system/error_code.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vwo {

/// Selects every campaign that has the goal (Node's `track(null, ...)`, a "global goal").
struct all_campaigns_t {
    explicit constexpr all_campaigns_t() = default;
};
inline constexpr all_campaigns_t all_campaigns{};

/// Which campaigns track() considers: one key, a list of keys (in that order), or all_campaigns.
/// Value type.
class campaign_specifier {
public:
    campaign_specifier(std::string_view key) : keys_{std::string(key)} {}
    campaign_specifier(const char* key) : keys_{std::string(key)} {}
    campaign_specifier(const std::string& key) : keys_{key} {}
    campaign_specifier(std::initializer_list<std::string_view> keys) : keys_(keys.begin(), keys.end()), list_(true) {}
    campaign_specifier(std::vector<std::string> keys) : keys_(std::move(keys)), list_(true) {}
    campaign_specifier(all_campaigns_t) : all_(true) {}

    bool is_all() const noexcept { return all_; }
    bool is_list() const noexcept { return list_; }
    const std::vector<std::string>& keys() const noexcept { return keys_; }

private:
    std::vector<std::string> keys_;
    bool list_ = false;
    bool all_ = false;
};

/// What happened in each campaign track() considered. Value type.
struct track_result {
    struct campaign_outcome {
        std::string campaign_key;
        bool tracked = false;            ///< a conversion was sent (or queued) for this campaign
        /// Not tracked: why (errc::campaign_not_running, goal_not_found, no_variation, already_tracked, ...).
        /// Tracked: how its delivery ended (empty: 2xx, or development mode).
        boost::system::error_code error;
    };
    std::vector<campaign_outcome> campaigns; ///< in the order considered
    unsigned http_status = 0;                ///< last HTTP status of the goal request (0: none)
    unsigned attempts = 0;                   ///< HTTP attempts made

    /// True when at least one campaign was tracked and every tracked one was delivered.
    bool ok() const noexcept
    {
        bool any = false;
        for (const auto& c : campaigns) {
            if (c.tracked && c.error)
                return false;
            any = any || c.tracked;
        }
        return any;
    }
};

} // namespace vwo
