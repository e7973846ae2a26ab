// decision_service::track (docs/decisions.md#track): the campaigns considered, each one's gates, goal,
// goal type, revenue, decision and goal de-duplication; the conversions to send; the storage writes.

#include "engine/decision_service.hpp"

#include "engine/decision_text.hpp"

#include <vwo/error.hpp>

namespace vwo::engine {

using boost::system::error_code;
using core::decision::campaign;
using core::decision::decision_api;
using core::decision::decision_result;
using core::decision::decision_status;

namespace {

constexpr std::string_view goal_separator = "_vwo_"; // Node's stored goal list

bool goal_listed(std::string_view list, std::string_view goal)
{
    while (!list.empty()) {
        const std::size_t end = list.find(goal_separator);
        if (list.substr(0, end) == goal)
            return true;
        if (end == std::string_view::npos)
            break;
        list.remove_prefix(end + goal_separator.size());
    }
    return false;
}

bool goal_type_selected(goal_type filter, const core::decision::goal& g) noexcept
{
    switch (filter) {
    case goal_type::all: return true;
    case goal_type::revenue: return g.type == "REVENUE_TRACKING";
    case goal_type::custom: return g.type == "CUSTOM_GOAL";
    }
    return true;
}

const core::decision::goal* find_goal(const campaign& c, std::string_view identifier) noexcept
{
    for (const auto& g : c.goals)
        if (g.identifier == identifier)
            return &g;
    return nullptr;
}

} // namespace

track_answer decision_service::track(const campaign_specifier& spec, std::string_view user_id,
                                     std::string_view goal_identifier, const call_options& options) const
{
    constexpr decision_api api = decision_api::track;
    constexpr std::string_view name = "track";
    track_answer answer;
    auto reject = [&](errc code, std::initializer_list<std::string_view> parts) {
        answer.error = make_error_code(code);
        log_.error(message(name, parts));
        return std::move(answer);
    };
    if (user_id.empty())
        return reject(errc::invalid_argument, {"user_id must be a non-empty string"});
    if (goal_identifier.empty())
        return reject(errc::invalid_argument, {"goal_identifier must be a non-empty string"});
    if (!spec.is_all() && spec.keys().empty())
        return reject(errc::invalid_argument, {"the list of campaign keys is empty"});
    for (const auto& key : spec.keys())
        if (key.empty())
            return reject(errc::invalid_argument, {"campaign keys must be non-empty strings"});

    const goal_type filter = options.goal_type_to_track.value_or(goal_type_to_track_);
    // (key, campaign or null) in the order considered (docs/decisions.md#campaigns-considered).
    std::vector<std::pair<std::string_view, const campaign*>> considered;
    if (spec.is_all()) {
        for (const auto& c : settings_->campaigns())
            if (const auto* g = find_goal(c, goal_identifier); g != nullptr && goal_type_selected(filter, *g))
                considered.emplace_back(c.key, &c);
        if (considered.empty())
            return reject(errc::goal_not_found,
                          {"no campaign has a goal '", goal_identifier, "' of the selected goal type"});
    } else {
        for (const auto& key : spec.keys())
            considered.emplace_back(key, settings_->find_campaign(key));
    }
    answer.legacy_batch = considered.size() > 1;

    // Goals are de-duplicated where Node does (legacy and batch transports), but against every goal
    // converted, not only the last one (docs/decisions.md#goal-de-duplication).
    const bool events_arch_transport = event_arch_ && !batch_mode_;
    const bool track_again = options.should_track_returning_user.value_or(track_returning_users_);
    core::goal_event event;
    event.goal_identifier = std::string(goal_identifier);
    event.event_properties = options.event_properties;
    event.revenue = options.revenue_value;

    for (const auto& [key, c] : considered) {
        auto& outcome = answer.result.campaigns.emplace_back();
        outcome.campaign_key = std::string(key);
        auto refuse = [&](errc code, log_level level, std::initializer_list<std::string_view> parts) {
            outcome.error = make_error_code(code);
            log_.write(level, message(name, parts));
        };
        if (c == nullptr) {
            refuse(errc::campaign_not_found, log_level::warn, {"no campaign with key '", key, "' in the settings file"});
            continue;
        }
        if (error_code ec = gate(api, *c)) {
            outcome.error = ec;
            continue;
        }
        const core::decision::goal* g = find_goal(*c, goal_identifier);
        if (g == nullptr) {
            refuse(errc::goal_not_found, log_level::error,
                   {"campaign '", key, "' has no goal '", goal_identifier, "'"});
            continue;
        }
        if (!goal_type_selected(filter, *g)) {
            refuse(errc::goal_type_mismatch, log_level::info,
                   {"goal '", goal_identifier, "' of campaign '", key, "' is a ", g->type,
                    " goal, not the type goal_type_to_track selects"});
            continue;
        }
        const bool revenue_goal = g->type == "REVENUE_TRACKING";
        std::optional<attribute_value> revenue = revenue_goal ? options.revenue_value : std::nullopt;
        if (revenue_goal && !revenue) {
            // docs/decisions.md#revenue: without a revenue value, the event architecture accepts the goal's revenue
            // property from event_properties (or an occurrence-count goal, mca -1 without a property).
            const bool property_given =
                g->revenue_prop && options.event_properties.find(*g->revenue_prop) != options.event_properties.end();
            const bool count_only = g->mca_is_minus_one && !g->revenue_prop;
            if (!event_arch_ || !(property_given || count_only)) {
                refuse(errc::revenue_required, log_level::error,
                       {"goal '", goal_identifier, "' of campaign '", key,
                        "' is a revenue goal: pass call_options::revenue_value",
                        event_arch_ ? " or its revenue property in event_properties" : ""});
                continue;
            }
            if (batch_mode_ && property_given) // the batch event's r comes from the property
                revenue = options.event_properties.at(*g->revenue_prop);
        }

        std::optional<user_storage_record> stored;
        const decision_result d = decide_campaign(api, *c, user_id, options, goal_identifier, &stored);
        if (d.chosen == nullptr) {
            refuse(errc::no_variation, log_level::info,
                   {"user '", user_id, "' has no variation in campaign '", key, "': goal not tracked"});
            continue;
        }
        const std::string_view stored_goals = stored ? std::string_view(stored->goal_identifier) : std::string_view();
        if (!events_arch_transport && storage_ && !track_again && !g->mca_is_minus_one &&
            goal_listed(stored_goals, goal_identifier)) {
            refuse(errc::already_tracked, log_level::info,
                   {"user '", user_id, "' already converted goal '", goal_identifier, "' in campaign '", key, "'"});
            continue;
        }
        outcome.tracked = true;
        event.campaigns.push_back(core::goal_conversion{{c->id.text, c->id.is_string},
                                                        {d.chosen->id.text, d.chosen->id.is_string},
                                                        {g->id.text, g->id.is_string},
                                                        std::move(revenue),
                                                        revenue_goal ? g->revenue_prop : std::nullopt});
        // Whitelisted users are never stored (docs/decisions.md#whitelisting); their conversions are still sent.
        if (storage_ && !events_arch_transport && d.status != decision_status::whitelisted &&
            !goal_listed(stored_goals, goal_identifier)) {
            std::string goals(stored_goals);
            if (!goals.empty())
                goals += goal_separator;
            goals += goal_identifier;
            store(api, make_record(user_id, c->key, d.chosen->name, goals, options.meta_data));
        }
    }
    if (!event.campaigns.empty())
        answer.goal = std::move(event);
    return answer;
}

} // namespace vwo::engine
