// decision_service::storage_keys: which campaigns' stored records one call may read, so that an asynchronous
// store can fetch them all before the call decides (docs/decisions.md#asynchronous-user-storage). A superset is
// harmless (one read too many); a campaign left out is decided as without storage.

#include "engine/decision_service.hpp"

#include <algorithm>

namespace vwo::engine {

namespace {

void add_with_group(std::vector<std::string>& keys, const core::decision::campaign_settings& settings,
                    const core::decision::campaign& c)
{
    auto add = [&](const std::string& key) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            keys.push_back(key);
    };
    add(c.key);
    if (!c.group_index) // a mutually exclusive group reads the stored variations of its other campaigns
        return;
    for (const auto& other : settings.campaigns())
        if (other.group_index == c.group_index)
            add(other.key);
}

} // namespace

std::vector<std::string> decision_service::storage_keys(std::string_view campaign_key) const
{
    std::vector<std::string> keys;
    if (const auto* c = settings_->find_campaign(campaign_key))
        add_with_group(keys, *settings_, *c);
    return keys;
}

std::vector<std::string> decision_service::storage_keys(const campaign_specifier& campaigns,
                                                        std::string_view goal_identifier) const
{
    std::vector<std::string> keys;
    if (campaigns.is_all()) {
        for (const auto& c : settings_->campaigns())
            if (std::any_of(c.goals.begin(), c.goals.end(),
                            [&](const auto& g) { return g.identifier == goal_identifier; }))
                add_with_group(keys, *settings_, c);
        return keys;
    }
    for (const auto& key : campaigns.keys())
        if (const auto* c = settings_->find_campaign(key))
            add_with_group(keys, *settings_, *c);
    return keys;
}

} // namespace vwo::engine
