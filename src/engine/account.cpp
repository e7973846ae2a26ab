#include "engine/account.hpp"

#include "core/decision/campaign_settings.hpp"
#include "core/settings.hpp"

#include <vwo/version.hpp>

namespace vwo::engine {

namespace {

core::usage_stats usage_of(const client_options& options)
{
    core::usage_stats usage;
    usage.batch_events = options.batch_events.has_value();
    usage.custom_logger = static_cast<bool>(options.logging.logger);
    if (options.logging.level)
        usage.log_level = static_cast<int>(*options.logging.level);
    usage.integrations = static_cast<bool>(options.integrations);
    usage.user_storage = options.user_storage != nullptr;
    usage.track_returning_user = options.should_track_returning_user;
    usage.goal_type_to_track = options.goal_type_to_track != goal_type::all;
    return usage;
}

} // namespace

std::shared_ptr<const account> make_account(const client_options& options, const core::endpoint& origin,
                                            const logger& log, std::string& error)
{
    auto parsed = core::parse_settings(options.settings_file);
    if (!parsed.value) {
        error = "settings file: " + parsed.error;
        return nullptr;
    }
    const core::settings& s = *parsed.value;
    auto campaigns = core::decision::parse_campaign_settings(options.settings_file);
    if (!campaigns.value) {
        error = campaigns.error;
        return nullptr;
    }
    std::string prefix = origin.base_path;
    if (!s.collection_prefix.empty())
        prefix += "/" + s.collection_prefix;
    return std::make_shared<const account>(account{
        core::request_context(std::move(prefix), s.account_id, s.sdk_key, sdk_name, sdk_version, usage_of(options)),
        s.event_arch_enabled, s.campaign_count,
        decision_service(std::move(campaigns.value), options, s.event_arch_enabled, log)});
}

} // namespace vwo::engine
