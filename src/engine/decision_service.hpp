#pragma once

// The decision APIs' logic between the public client and the decision core (decision-apis.md Part B
// §1.3-§1.4, §2, §9, §12): argument checks, campaign lookup, the MAB / status / type gates, the
// decision, the integrations callback, each API's value and the impression it sends. No I/O and no
// Asio: the client hands the impression to the engine.

#include "core/decision/api_gate.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"
#include "core/decision_requests.hpp"
#include "engine/logger.hpp"

#include <vwo/client_options.hpp>
#include <vwo/decision_types.hpp>

#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

/// Thread-safety: immutable after construction; every member function is const and may be called
/// from any number of threads at once. The integrations callback and the logger are called on the
/// calling thread without any lock held.
class decision_service {
public:
    decision_service(std::shared_ptr<const core::decision::campaign_settings> settings, const client_options& options,
                     const logger& log);

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

    const core::decision::campaign_settings& settings() const noexcept { return *settings_; }

private:
    struct gated;
    /// Checks, lookup, gates and the decision; logs every reason a call ends without one.
    gated decide(core::decision::decision_api api, std::string_view campaign_key, std::string_view user_id,
                 const call_options& options, std::string_view variable_key = {}) const;
    void notify(core::decision::decision_api api, const core::decision::campaign& c,
                const core::decision::decision_result& d, std::string_view user_id,
                const call_options& options) const;
    std::optional<core::impression> impression_for(const core::decision::campaign& c,
                                                   const core::decision::decision_result& d,
                                                   std::string_view api_name, std::string_view user_id,
                                                   const call_options& options) const;

    std::shared_ptr<const core::decision::campaign_settings> settings_;
    core::decision::bucketing_compat compat_;
    integrations_callback integrations_;
    bool track_returning_users_;
    bool has_user_storage_ = false; ///< issue 8: client_options::user_storage
    const logger& log_;
};

} // namespace vwo::engine
