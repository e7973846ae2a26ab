#pragma once

// The decision APIs' logic between the public client and the decision core (docs/decisions.md "Order of checks",
// "What each API accepts and returns", "Campaign types", "Feature variables", "The integrations callback"; quoted
// names below are sections of docs/decisions.md): argument checks, campaign lookup, the MAB / status / type gates,
// the decision, the integrations callback, each API's value and the impression it sends. No I/O and no Asio: the
// client hands the impression to the engine.

#include "core/decision/api_gate.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"
#include "core/decision_requests.hpp"
#include "engine/logger.hpp"

#include <vwo/client_options.hpp>
#include <vwo/decision_types.hpp>
#include <vwo/track_types.hpp>
#include <vwo/user_storage.hpp>

#include <boost/system/error_code.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vwo::engine {

/// The answer of one decision API call.
template <class T>
struct api_answer {
    T value{};                        ///< what the API returns
    boost::system::error_code error;  ///< why no decision was made (empty when one was made)
    /// The impression to send (activate / is_feature_enabled with a variation), if any.
    std::optional<core::impression> impression;
    const core::decision::campaign* campaign = nullptr; ///< the campaign decided, if found
};

/// The answer of one track call.
struct track_answer {
    track_result result;             ///< one outcome per campaign considered; `tracked` set where a conversion goes out
    boost::system::error_code error; ///< the call could not consider any campaign (bad argument, no campaign has the goal)
    /// The conversions to send (the tracked campaigns, in order); unset when none.
    std::optional<core::goal_event> goal;
    /// Legacy transport: more than one campaign was considered, so one batch-events POST ("What track sends").
    bool legacy_batch = false;
};

/// Thread-safety: immutable after construction; every member function is const and may be called
/// from any number of threads at once. The integrations callback and the logger are called on the
/// calling thread without any lock held.
class decision_service {
public:
    /// `event_arch`: the account sends events/t (settings isEventArchEnabled).
    /// `storage`: the user store the decisions read and write (options.user_storage, or the bridge to
    /// options.async_user_storage); null: none.
    decision_service(std::shared_ptr<const core::decision::campaign_settings> settings, const client_options& options,
                     bool event_arch, const logger& log, std::shared_ptr<user_storage> storage);

    /// The campaigns whose stored records a decision on `campaign_key` may read: the campaign and the other
    /// campaigns of its mutually exclusive group (what an asynchronous store prefetches).
    std::vector<std::string> storage_keys(std::string_view campaign_key) const;
    /// The same for track(): every campaign it may consider, with their groups.
    std::vector<std::string> storage_keys(const campaign_specifier& campaigns, std::string_view goal_identifier) const;

    api_answer<std::optional<std::string>> activate(std::string_view campaign_key, std::string_view user_id,
                                                    const call_options& options) const;
    api_answer<std::optional<std::string>> get_variation_name(std::string_view campaign_key,
                                                              std::string_view user_id,
                                                              const call_options& options) const;
    api_answer<bool> is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                        const call_options& options) const;
    api_answer<std::optional<variable_value>> get_feature_variable_value(std::string_view campaign_key,
                                                                         std::string_view variable_key,
                                                                         std::string_view user_id,
                                                                         const call_options& options) const;

    /// "Track": the campaigns considered, each one's gates, goal, goal type, revenue, decision and goal
    /// de-duplication; the conversions to send; the storage writes of converted goals.
    track_answer track(const campaign_specifier& campaigns, std::string_view user_id,
                       std::string_view goal_identifier, const call_options& options) const;

private:
    struct gated;
    /// Checks, lookup, gates and the decision; logs every reason a call ends without one.
    gated decide(core::decision::decision_api api, std::string_view campaign_key, std::string_view user_id,
                 const call_options& options, std::string_view variable_key = {}) const;
    /// The MAB, status and campaign-type gates ("Order of checks", steps 4-6); logs why a campaign is refused.
    boost::system::error_code gate(core::decision::decision_api api, const core::decision::campaign& c) const;
    /// One campaign's decision with user storage (read, "Who decides with storage configured", write of a fresh
    /// decision), its logs and the integrations callback. `stored` receives the campaign's stored record, if any.
    core::decision::decision_result decide_campaign(core::decision::decision_api api,
                                                    const core::decision::campaign& c, std::string_view user_id,
                                                    const call_options& options,
                                                    std::string_view goal_identifier = {},
                                                    std::optional<user_storage_record>* stored = nullptr) const;
    /// The record a call writes; `meta_data` is the call's call_options::meta_data, passed through.
    static user_storage_record make_record(std::string_view user_id, std::string_view campaign_key,
                                           std::string_view variation_name, std::string_view goals,
                                           const std::map<std::string, std::string>& meta_data);
    /// user_storage::set, with a throwing store logged (the decision stands).
    void store(core::decision::decision_api api, const user_storage_record& record) const;
    void notify(core::decision::decision_api api, const core::decision::campaign& c,
                const core::decision::decision_result& d, std::string_view user_id, const call_options& options,
                std::string_view goal_identifier) const;
    std::optional<core::impression> impression_for(const core::decision::campaign& c,
                                                   const core::decision::decision_result& d,
                                                   std::string_view api_name, std::string_view user_id,
                                                   const call_options& options) const;

    std::shared_ptr<const core::decision::campaign_settings> settings_;
    core::decision::bucketing_compat compat_;
    integrations_callback integrations_;
    std::shared_ptr<user_storage> storage_; ///< null: none
    bool track_returning_users_;
    goal_type goal_type_to_track_;
    bool event_arch_;
    bool batch_mode_;
    const logger& log_;
};

} // namespace vwo::engine
