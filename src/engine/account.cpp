#include "engine/account.hpp"

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
    usage.user_storage = options.user_storage != nullptr || options.async_user_storage != nullptr;
    usage.track_returning_user = options.should_track_returning_user;
    usage.goal_type_to_track = options.goal_type_to_track != goal_type::all;
    usage.polling = options.poll_interval.count() > 0;
    return usage;
}

} // namespace

core::outcome<std::shared_ptr<const account>> make_account(std::string json, const client_options& options,
                                                           const core::endpoint& origin, const logger& log,
                                                           std::shared_ptr<user_storage> storage)
{
    auto parsed = core::parse_account(json);
    if (!parsed)
        return parsed.error();
    const std::shared_ptr<const core::account>& s = *parsed;
    std::string prefix = origin.base_path;
    if (!s->collection_prefix.empty())
        prefix += "/" + s->collection_prefix;
    return std::make_shared<const account>(account{
        std::move(json), s,
        core::request_context(std::move(prefix), s->account_id, s->sdk_key, sdk_name, sdk_version, usage_of(options)),
        s->event_arch_enabled, decision_service(core::campaigns_of(s), options, s->event_arch_enabled, log, std::move(storage))});
}

} // namespace vwo::engine
