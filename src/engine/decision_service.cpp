#include "engine/decision_service.hpp"

#include "core/decision/feature.hpp"
#include "engine/decision_text.hpp"
#include "engine/storage_reader.hpp"

#include <algorithm>

#include <vwo/error.hpp>

namespace vwo::engine {

using boost::system::error_code;
using core::decision::campaign;
using core::decision::campaign_type;
using core::decision::decision_api;
using core::decision::decision_result;
using core::decision::decision_status;

namespace {

std::string_view api_name(decision_api api) noexcept
{
    switch (api) {
    case decision_api::activate: return "activate";
    case decision_api::get_variation_name: return "get_variation_name";
    case decision_api::is_feature_enabled: return "is_feature_enabled";
    case decision_api::get_feature_variable_value: return "get_feature_variable_value";
    case decision_api::track: return "track";
    }
    return "?";
}

std::string_view applicable_types(decision_api api) noexcept
{
    switch (api) {
    case decision_api::activate: return "VISUAL_AB campaigns only";
    case decision_api::get_variation_name: return "every campaign type except FEATURE_ROLLOUT";
    case decision_api::is_feature_enabled:
    case decision_api::get_feature_variable_value: return "FEATURE_TEST and FEATURE_ROLLOUT campaigns";
    case decision_api::track: return "every campaign type except FEATURE_ROLLOUT";
    }
    return "?";
}

// Node's MAB check (docs/decisions.md#order-of-checks, step 4) guards the APIs that store decisions or track goals.
bool needs_storage_for_mab(decision_api api) noexcept
{
    return api == decision_api::activate || api == decision_api::is_feature_enabled || api == decision_api::track;
}

// The integrations callback fires where Node's HooksManager.execute runs
// (docs/decisions.md#the-integrations-callback): at a whitelisting hit, a stored variation, and after the called
// campaign (or group winner) was bucketed, also when the bucket hit no variation. Never when pre-segmentation,
// traffic or a group took the user out.
bool reaches_hook(decision_status status) noexcept
{
    switch (status) {
    case decision_status::whitelisted:
    case decision_status::stored:
    case decision_status::bucketed:
    case decision_status::no_variation_in_range: return true;
    case decision_status::presegmentation_failed:
    case decision_status::not_in_traffic:
    case decision_status::not_activated:
    case decision_status::group_claimed_by_other:
    case decision_status::group_lost:
    case decision_status::group_no_winner: return false;
    }
    return false;
}




} // namespace

struct decision_service::gated {
    const campaign* c = nullptr;
    decision_result d;
    error_code error;
};

decision_service::decision_service(std::shared_ptr<const core::decision::campaign_settings> settings,
                                   const client_options& options, bool event_arch, const logger& log,
                                   std::shared_ptr<user_storage> storage)
    : settings_(std::move(settings)), compat_(options.bucketing), integrations_(options.integrations),
      storage_(std::move(storage)), track_returning_users_(options.should_track_returning_user),
      goal_type_to_track_(options.goal_type_to_track), event_arch_(event_arch),
      batch_mode_(options.batch_events.has_value()), log_(log)
{
}

error_code decision_service::gate(decision_api api, const campaign& c) const
{
    const std::string_view name = api_name(api);
    if (c.is_mab && needs_storage_for_mab(api) && !storage_) {
        log_.error(message(name, {"campaign '", c.key, "' has MAB configured: set client_options::user_storage"}));
        return make_error_code(errc::user_storage_required);
    }
    if (!c.is_running) {
        log_.warn(message(name, {"campaign '", c.key, "' is not running (status ", c.status, ")"}));
        return make_error_code(errc::campaign_not_running);
    }
    if (!core::decision::api_accepts(api, c.type)) {
        log_.error(message(name, {"not applicable to ", c.type_text, " campaign '", c.key, "' (",
                                  applicable_types(api), ")"}));
        return make_error_code(errc::campaign_type_mismatch);
    }
    return {};
}

decision_service::gated decision_service::decide(decision_api api, std::string_view campaign_key,
                                                 std::string_view user_id, const call_options& options,
                                                 std::string_view variable_key) const
{
    gated g;
    const std::string_view name = api_name(api);
    auto reject = [&](errc code, log_level level, std::initializer_list<std::string_view> parts) {
        g.error = make_error_code(code);
        log_.write(level, message(name, parts));
        return std::move(g);
    };
    if (campaign_key.empty())
        return reject(errc::invalid_argument, log_level::error, {"campaign_key must be a non-empty string"});
    if (user_id.empty())
        return reject(errc::invalid_argument, log_level::error, {"user_id must be a non-empty string"});
    if (api == decision_api::get_feature_variable_value && variable_key.empty())
        return reject(errc::invalid_argument, log_level::error, {"variable_key must be a non-empty string"});

    const campaign* c = settings_->find_campaign(campaign_key);
    if (c == nullptr)
        return reject(errc::campaign_not_found, log_level::warn,
                      {"no campaign with key '", campaign_key, "' in the settings file"});
    g.c = c;
    if ((g.error = gate(api, *c)))
        return g;
    g.d = decide_campaign(api, *c, user_id, options);
    return g;
}

decision_result decision_service::decide_campaign(decision_api api, const campaign& c, std::string_view user_id,
                                                  const call_options& options, std::string_view goal_identifier,
                                                  std::optional<user_storage_record>* stored) const
{
    const std::string_view name = api_name(api);
    core::decision::decision_input input;
    input.user_id = user_id;
    input.custom_variables = &options.custom_variables;
    input.variation_targeting_variables = &options.variation_targeting_variables;
    input.compat = compat_;
    std::optional<storage_reader> reader;
    if (storage_) {
        reader.emplace(*storage_, user_id, options, log_, name);
        input.storage = &*reader;
        // docs/decisions.md#who-decides-with-storage-configured: only activate and is_feature_enabled may make a
        // fresh decision for a user with nothing stored; the others report "not activated". A record naming a
        // variation that no longer exists lets any API decide afresh (and store it), as Node does.
        input.allow_fresh_decision = reader->names_unknown_variation(c) || api == decision_api::activate ||
                                     api == decision_api::is_feature_enabled;
    }
    decision_result d = core::decision::decide(*settings_, c, input);
    if (stored != nullptr && reader)
        *stored = reader->record(c);

    if (d.group_range_extended)
        log_.info(message(name, {"user '", user_id, "' fell above the last range of group '", d.group->name,
                                 "''s random algorithm: given to the last eligible campaign (vwo-node-sdk throws "
                                 "here and returns null)"}));
    if (!d.segment_error.empty())
        log_.error(message(name, {"campaign '", c.key, "': a segment could not be evaluated and counts as "
                                  "not matched: ", d.segment_error}));
    if (d.status == decision_status::not_activated)
        log_.warn(message(name, {"campaign '", c.key, "' is not yet activated for user '", user_id,
                                 "': nothing in user storage (call activate or is_feature_enabled first)"}));
    if (log_.enabled(log_level::info))
        log_.info(message(name, {"user '", user_id, "' in campaign '", c.key, "': ",
                                 core::decision::to_string(d.status),
                                 d.chosen != nullptr ? ", variation '" : "",
                                 d.chosen != nullptr ? std::string_view(d.chosen->name) : "",
                                 d.chosen != nullptr ? "'" : ""}));
    // Pipeline step 9 (docs/decisions.md#the-pipeline-for-one-campaign): a fresh decision is remembered, so the
    // user keeps it when traffic or weights change.
    if (storage_ && d.status == decision_status::bucketed && d.chosen != nullptr)
        store(api, make_record(user_id, c.key, d.chosen->name, {}, options.meta_data));
    if (integrations_ && reaches_hook(d.status))
        notify(api, c, d, user_id, options, goal_identifier);
    return d;
}

user_storage_record decision_service::make_record(std::string_view user_id, std::string_view campaign_key,
                                                           std::string_view variation_name,
                                                           std::string_view goals,
                                                           const std::map<std::string, std::string>& meta_data)
{
    return user_storage_record{std::string(user_id), std::string(campaign_key), std::string(variation_name),
                               std::string(goals), meta_data};
}

void decision_service::store(decision_api api, const user_storage_record& record) const
{
    try {
        storage_->set(record);
    } catch (const std::exception& e) {
        log_.error(message(api_name(api), {"user_storage.set failed for user '", record.user_id, "' in campaign '",
                                           record.campaign_key, "': ", e.what(), " (the decision stands)"}));
    } catch (...) {
        log_.error(message(api_name(api), {"user_storage.set failed for user '", record.user_id, "' in campaign '",
                                           record.campaign_key, "' (the decision stands)"}));
    }
}

void decision_service::notify(decision_api api, const campaign& c, const decision_result& d,
                              std::string_view user_id, const call_options& options,
                              std::string_view goal_identifier) const
{
    decision_event e;
    e.source = api_name(api);
    e.campaign_id = c.id.text;
    e.campaign_key = c.key;
    e.campaign_type = c.type_text;
    e.campaign_name = c.name;
    e.user_id = user_id;
    e.vwo_user_id = settings_->visitor_uuid(user_id);
    e.is_user_whitelisted = d.status == decision_status::whitelisted;
    e.from_user_storage = d.status == decision_status::stored;
    if (d.group != nullptr) {
        e.group_id = d.group->id;
        e.group_name = d.group->name;
    }
    e.is_forced_variation_enabled = c.is_forced_variation_enabled;
    if (c.type == campaign_type::feature_rollout) {
        e.is_feature_enabled = d.chosen != nullptr;
    } else if (d.chosen != nullptr) {
        e.variation_name = d.chosen->name;
        e.variation_id = d.chosen->id.text;
    }
    e.custom_variables = options.custom_variables;
    e.variation_targeting_variables = options.variation_targeting_variables;
    if (api == decision_api::track)
        e.goal_identifier = std::string(goal_identifier);
    try {
        integrations_(e);
    } catch (const std::exception& ex) {
        log_.error(message(api_name(api), {"the integrations callback threw: ", ex.what()}));
    } catch (...) {
        log_.error(message(api_name(api), {"the integrations callback threw a non-standard exception"}));
    }
}

std::optional<core::impression> decision_service::impression_for(const campaign& c, const decision_result& d,
                                                                 std::string_view api, std::string_view user_id,
                                                                 const call_options& options) const
{
    if (d.chosen == nullptr)
        return std::nullopt;
    // docs/decisions.md#returning-users: a user whose decision came from storage was tracked when it was made;
    // track again only when asked. As in Node, a per-call false cannot switch off a launch-time true for these
    // APIs.
    if (d.status == decision_status::stored && !(options.should_track_returning_user.value_or(false) ||
                                                 track_returning_users_)) {
        log_.info(message(api, {"user '", user_id, "' already tracked for campaign '", c.key,
                                "' (stored variation): no impression sent"}));
        return std::nullopt;
    }
    return core::impression{{c.id.text, c.id.is_string}, {d.chosen->id.text, d.chosen->id.is_string}};
}

api_answer<std::optional<std::string>> decision_service::activate(std::string_view campaign_key,
                                                                  std::string_view user_id,
                                                                  const call_options& options) const
{
    gated g = decide(decision_api::activate, campaign_key, user_id, options);
    api_answer<std::optional<std::string>> answer;
    answer.error = g.error;
    answer.campaign = g.c;
    if (g.d.chosen != nullptr) {
        answer.value = g.d.chosen->name;
        answer.impression = impression_for(*g.c, g.d, "activate", user_id, options);
    }
    return answer;
}

api_answer<std::optional<std::string>> decision_service::get_variation_name(std::string_view campaign_key,
                                                                            std::string_view user_id,
                                                                            const call_options& options) const
{
    gated g = decide(decision_api::get_variation_name, campaign_key, user_id, options);
    api_answer<std::optional<std::string>> answer;
    answer.error = g.error;
    answer.campaign = g.c;
    if (g.d.chosen != nullptr)
        answer.value = g.d.chosen->name;
    return answer;
}

api_answer<bool> decision_service::is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                                      const call_options& options) const
{
    gated g = decide(decision_api::is_feature_enabled, campaign_key, user_id, options);
    api_answer<bool> answer;
    answer.error = g.error;
    answer.campaign = g.c;
    if (g.error)
        return answer;
    answer.value = core::decision::is_feature_enabled(*g.c, g.d);
    // Node sends the impression for any variation, enabled or not
    // (docs/decisions.md#what-each-api-accepts-and-returns): the report counts who saw the feature test's
    // variation, including the variation that has the feature switched off.
    answer.impression = impression_for(*g.c, g.d, "is_feature_enabled", user_id, options);
    return answer;
}

api_answer<std::optional<variable_value>> decision_service::get_feature_variable_value(
    std::string_view campaign_key, std::string_view variable_key, std::string_view user_id,
    const call_options& options) const
{
    gated g = decide(decision_api::get_feature_variable_value, campaign_key, user_id, options, variable_key);
    api_answer<std::optional<variable_value>> answer;
    answer.error = g.error;
    answer.campaign = g.c;
    if (g.error)
        return answer;
    const auto lookup = core::decision::feature_variable_value(*g.c, g.d, variable_key);
    answer.value = lookup.value;
    constexpr std::string_view name = "get_feature_variable_value";
    using core::decision::variable_status;
    switch (lookup.status) {
    case variable_status::found:
        break;
    case variable_status::found_in_control:
        log_.info(message(name, {"feature disabled in user '", user_id, "''s variation of campaign '", campaign_key,
                                 "': variable '", variable_key, "' takes the control's value"}));
        break;
    case variable_status::feature_disabled:
        log_.info(message(name, {"campaign '", campaign_key, "' gave user '", user_id,
                                 "' no variation: variable '", variable_key, "' has no value"}));
        break;
    case variable_status::not_found:
        answer.error = make_error_code(errc::variable_not_found);
        log_.error(message(name, {"campaign '", campaign_key, "' has no variable '", variable_key,
                                  "' for this variation"}));
        break;
    case variable_status::control_without_variables:
        answer.error = make_error_code(errc::variable_not_found);
        log_.error(message(name, {"campaign '", campaign_key, "': the control variation (id 1) is missing or has "
                                  "no variables, so variable '", variable_key, "' has no default value"}));
        break;
    case variable_status::cast_failed:
        answer.error = make_error_code(errc::variable_type_mismatch);
        log_.error(message(name, {"campaign '", campaign_key, "': variable '", variable_key, "': ",
                                  lookup.variable != nullptr ? std::string_view(lookup.variable->cast_error)
                                                             : std::string_view("value does not fit its type")}));
        break;
    }
    if (lookup.control_by_string_id)
        log_.info(message(name, {"campaign '", campaign_key, "': no variation has the number 1 as id, so the "
                                 "variation with id \"1\" serves as the control (vwo-node-sdk returns null here)"}));
    return answer;
}

} // namespace vwo::engine
