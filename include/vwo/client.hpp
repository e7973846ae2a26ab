#pragma once

#include <vwo/api_result.hpp>
#include <vwo/client_options.hpp>
#include <vwo/decision_types.hpp>
#include <vwo/detail/push_plumbing.hpp>
#include <vwo/export.hpp>
#include <vwo/push_result.hpp>
#include <vwo/stats.hpp>
#include <vwo/track_types.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace vwo {

class client;
namespace detail {
struct launch_access;
}

/// Starts a client: parses the settings file, checks the options, starts the SDK thread.
/// Without options.settings_file, first fetches the settings of options.account_id with
/// options.sdk_key from options.endpoint (blocking, bounded by options.timeouts; docs/settings.md).
/// Throws boost::system::system_error (a std::system_error family type) naming the problem.
VWO_API client launch(const client_options& options);
/// Same, without exceptions: on failure `ec` is set (errc::invalid_settings, errc::invalid_options,
/// or why fetching the settings failed), the reason is logged, and the returned client is empty (!valid()).
VWO_API client launch(const client_options& options, boost::system::error_code& ec);

/// A launched VWO client. Move-only handle; the destructor runs shutdown(options.shutdown_timeout).
///
/// Thread-safety: every member function may be called concurrently from any number of
/// threads, except that moving, assigning and destroying the handle must not race with
/// other calls on the same handle.
class VWO_API client {
public:
    using dimension_pair = std::pair<std::string_view, std::string_view>;

    client() noexcept = default;
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client();

    /// False for a default-constructed, moved-from or failed-launch client; every API then returns false.
    bool valid() const noexcept { return impl_ != nullptr; }

    /// Attaches one custom dimension to `user_id`. Immediate mode: true when accepted for
    /// delivery. Promise mode: a future that becomes true once the collector answered 2xx.
    api_result<bool> push(std::string_view key, std::string_view value, std::string_view user_id);
    /// Several dimensions in one call, in the given order; all or none are accepted.
    api_result<bool> push(std::initializer_list<dimension_pair> dimensions, std::string_view user_id);
    template <detail::map_like Map>
    api_result<bool> push(const Map& dimensions, std::string_view user_id)
    {
        return push_dimensions(detail::to_dimension_list(dimensions), user_id);
    }

    /// The same operation for any Asio completion token; completes with
    /// void(error_code, push_result) once every request carrying the call's keys finished.
    /// The error is empty only when every key was delivered. Arguments are copied at once,
    /// so they need not outlive the call. Cancellation (terminal) completes the handler
    /// with asio::error::operation_aborted; the request itself may still be delivered.
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_push(std::string_view key, std::string_view value, std::string_view user_id,
                                  CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::push_signature>(
            detail::initiation{impl_}, token,
            detail::push_request{detail::single_dimension(key, value), std::string(user_id)});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_push(std::initializer_list<dimension_pair> dimensions, std::string_view user_id,
                                  CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::push_signature>(
            detail::initiation{impl_}, token,
            detail::push_request{detail::to_dimension_list(dimensions), std::string(user_id)});
    }
    template <detail::map_like Map, class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_push(const Map& dimensions, std::string_view user_id, CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::push_signature>(
            detail::initiation{impl_}, token,
            detail::push_request{detail::to_dimension_list(dimensions), std::string(user_id)});
    }

    // ---- Decisions (docs/decisions.md) ------------------------------------------------------
    // Each decision is made at once on the calling thread, without I/O or locks. Immediate mode
    // returns it at once; promise mode (return_promise_for.<api> or .all) returns a future that
    // holds the same decision once the impression the call sends (if any) was acknowledged or
    // finally failed: a user keeps the variation when tracking fails. Calls that cannot decide
    // (empty key or id, unknown or paused campaign, wrong campaign type, opted out) log why and
    // return std::nullopt / false; an empty client returns the same silently (async: not_launched).

    /// VISUAL_AB campaigns: the user's variation name, and a "variation shown" impression is sent.
    api_result<std::optional<std::string>> activate(std::string_view campaign_key, std::string_view user_id,
                                                    const call_options& options = {});
    /// The user's variation name without sending anything (every campaign type except FEATURE_ROLLOUT).
    api_result<std::optional<std::string>> get_variation_name(std::string_view campaign_key,
                                                              std::string_view user_id,
                                                              const call_options& options = {});
    /// The same as get_variation_name (Node's alias).
    api_result<std::optional<std::string>> get_variation(std::string_view campaign_key, std::string_view user_id,
                                                         const call_options& options = {})
    {
        return get_variation_name(campaign_key, user_id, options);
    }
    /// FEATURE_TEST and FEATURE_ROLLOUT campaigns: whether the feature is on for the user; sends an
    /// impression when the user got a variation (also one with the feature off).
    api_result<bool> is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                        const call_options& options = {});
    /// FEATURE_TEST and FEATURE_ROLLOUT campaigns: the variable's value for the user (the control's when
    /// the user's variation has the feature off), cast to its declared type; sends nothing.
    api_result<std::optional<variable_value>> get_feature_variable_value(std::string_view campaign_key,
                                                                         std::string_view variable_key,
                                                                         std::string_view user_id,
                                                                         const call_options& options = {});

    /// The same decisions for any completion token. The handler gets (error, decision): the error
    /// says why no decision was made (errc::campaign_not_found, ...), or, when one was made and an
    /// impression sent, how its delivery ended (empty: 2xx). The decision is passed either way.
    /// Arguments are copied at once. Each has an overload without call_options; in a coroutine prefer
    /// it (or a named call_options) to a braced `{}`: g++ 12 destroys a temporary inside a co_await
    /// expression twice (GCC PR c++/99576, fixed in GCC 13).
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_activate(std::string_view campaign_key, std::string_view user_id,
                                      const call_options& options, CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::variation_signature>(
            detail::initiation{impl_}, token,
            detail::variation_request{
                decision_call(detail::decision_request::api::activate, campaign_key, {}, user_id, options)});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_get_variation_name(std::string_view campaign_key, std::string_view user_id,
                                                const call_options& options, CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::variation_signature>(
            detail::initiation{impl_}, token,
            detail::variation_request{
                decision_call(detail::decision_request::api::get_variation_name, campaign_key, {}, user_id, options)});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                                const call_options& options, CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::feature_signature>(
            detail::initiation{impl_}, token,
            detail::feature_request{
                decision_call(detail::decision_request::api::is_feature_enabled, campaign_key, {}, user_id, options)});
    }
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_get_feature_variable_value(std::string_view campaign_key, std::string_view variable_key,
                                                        std::string_view user_id, const call_options& options,
                                                        CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::variable_signature>(
            detail::initiation{impl_}, token,
            detail::variable_request{decision_call(detail::decision_request::api::get_feature_variable_value,
                                                   campaign_key, variable_key, user_id, options)});
    }
    template <class CompletionToken = boost::asio::deferred_t>
        requires(!std::is_convertible_v<CompletionToken, const call_options&>)
    [[nodiscard]] auto async_activate(std::string_view campaign_key, std::string_view user_id,
                                      CompletionToken&& token = {})
    {
        return async_activate(campaign_key, user_id, call_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
        requires(!std::is_convertible_v<CompletionToken, const call_options&>)
    [[nodiscard]] auto async_get_variation_name(std::string_view campaign_key, std::string_view user_id,
                                                CompletionToken&& token = {})
    {
        return async_get_variation_name(campaign_key, user_id, call_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
        requires(!std::is_convertible_v<CompletionToken, const call_options&>)
    [[nodiscard]] auto async_is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                                CompletionToken&& token = {})
    {
        return async_is_feature_enabled(campaign_key, user_id, call_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = boost::asio::deferred_t>
        requires(!std::is_convertible_v<CompletionToken, const call_options&>)
    [[nodiscard]] auto async_get_feature_variable_value(std::string_view campaign_key, std::string_view variable_key,
                                                        std::string_view user_id, CompletionToken&& token = {})
    {
        return async_get_feature_variable_value(campaign_key, variable_key, user_id, call_options{},
                                                std::forward<CompletionToken>(token));
    }

    // ---- Goals (docs/decisions.md#track) --------------------------------------------------------
    /// Converts `goal_identifier` for the user in one campaign, each campaign of a list, or every
    /// campaign that has the goal (vwo::all_campaigns). Immediate mode: true when at least one campaign
    /// tracked the goal (its conversion accepted for delivery). Promise mode (return_promise_for.track
    /// or .all): true once the collector acknowledged the conversions with 2xx.
    api_result<bool> track(const campaign_specifier& campaigns, std::string_view user_id,
                           std::string_view goal_identifier, const call_options& options = {});
    /// The same for any completion token, with what happened per campaign: void(error_code, track_result).
    /// The error is empty when at least one campaign tracked the goal and its delivery succeeded.
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_track(const campaign_specifier& campaigns, std::string_view user_id,
                                   std::string_view goal_identifier, const call_options& options,
                                   CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::track_signature>(
            detail::initiation{impl_}, token,
            detail::track_request{campaigns, std::string(user_id), std::string(goal_identifier), options});
    }
    template <class CompletionToken = boost::asio::deferred_t>
        requires(!std::is_convertible_v<CompletionToken, const call_options&>)
    [[nodiscard]] auto async_track(const campaign_specifier& campaigns, std::string_view user_id,
                                   std::string_view goal_identifier, CompletionToken&& token = {})
    {
        return async_track(campaigns, user_id, goal_identifier, call_options{}, std::forward<CompletionToken>(token));
    }

    /// Batch mode: sends what is queued now. true once the batch was acknowledged (promise
    /// mode) or handed over (immediate mode); false when not in batch mode or nothing was queued.
    api_result<bool> flush_events();
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_flush_events(CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::flush_signature>(detail::initiation{impl_}, token,
                                                                                      detail::flush_request{});
    }

    /// Fetches the account's current settings (GET /server-side/pull, as Node's getAndUpdateSettingsFile,
    /// meant for a webhook handler) and uses them from the next call on (docs/settings.md#refresh-on-demand).
    /// Promise mode (return_promise_for.get_and_update_settings_file or .all): true once the client uses
    /// the settings VWO served, changed or not; false when they could not be fetched or were refused
    /// (the current ones stay; the reason is logged and counted). Immediate mode: true when the refresh
    /// was started (it never blocks on the network); false when it cannot be (opted out, shut down).
    api_result<bool> get_and_update_settings_file();
    /// The same for any completion token: void(error_code, bool changed). An empty error: the client
    /// uses the settings VWO served; `changed`: they differ from the ones it used before. Always completes,
    /// within the configured timeouts.
    template <class CompletionToken = boost::asio::deferred_t>
    [[nodiscard]] auto async_get_and_update_settings_file(CompletionToken&& token = {})
    {
        return boost::asio::async_initiate<CompletionToken, detail::refresh_signature>(
            detail::initiation{impl_}, token, detail::refresh_request{});
    }
    /// Uses `settings_json` (a settings file you got yourself: a cache, a config service, a webhook body)
    /// from the next call on. Empty on success (also when it equals the settings in use); otherwise
    /// errc::invalid_settings or errc::settings_of_another_account, and the current settings stay.
    boost::system::error_code update_settings_file(std::string_view settings_json);
    /// The settings JSON in use now (empty for an empty client).
    std::string settings_file() const;

    /// From now on nothing is sent and every API returns false / std::nullopt (async forms:
    /// errc::opted_out); queued batch events are flushed first; polling stops.
    void set_opt_out();

    /// Stops accepting, sends what is queued, waits for in-flight requests up to `deadline`,
    /// then completes whatever is left with errc::shutting_down. Safe to call more than once,
    /// from several threads, and from a completion handler running on the SDK thread
    /// (then it does not wait). Returns within the deadline plus a small constant.
    void shutdown(std::chrono::milliseconds deadline);
    void shutdown();

    /// Delivery counters (see client_stats for the invariant).
    client_stats stats() const;

    /// The executor the client runs on (a strand of its own io_context, or of client_options::executor);
    /// async_* handlers without an executor of their own complete there. The system executor for an
    /// empty client.
    using executor_type = boost::asio::any_io_executor;
    executor_type get_executor() const noexcept { return detail::client_executor(impl_); }

private:
    friend client launch(const client_options&);
    friend client launch(const client_options&, boost::system::error_code&);
    friend struct detail::launch_access;
    explicit client(std::shared_ptr<client_impl> impl) noexcept;
    api_result<bool> push_dimensions(detail::dimension_list dimensions, std::string_view user_id);
    static detail::decision_request decision_call(detail::decision_request::api which, std::string_view campaign_key,
                                                  std::string_view variable_key, std::string_view user_id,
                                                  const call_options& options)
    {
        return detail::decision_request{which, std::string(campaign_key), std::string(variable_key),
                                        std::string(user_id), options};
    }

    std::shared_ptr<client_impl> impl_;
};

namespace detail {
using launch_signature = void(boost::system::error_code, client);
using launch_handler = boost::asio::any_completion_handler<launch_signature>;
/// Launches on a thread of its own (the settings fetch may take until the timeouts) and completes
/// `handler` through its associated executor (the system executor when it has none).
VWO_API void start_launch(client_options options, launch_handler handler);
struct initiate_launch {
    template <class Handler>
    void operator()(Handler&& handler, client_options options) const
    {
        start_launch(std::move(options), launch_handler(std::forward<Handler>(handler)));
    }
};
} // namespace detail

/// launch() without blocking: fetches the settings when options.settings_file is empty, then
/// completes with void(error_code, vwo::client) — an empty client and the reason on failure.
/// For coroutine servers: `auto [ec, c] = co_await vwo::async_launch(options, as_tuple(use_awaitable));`.
template <class CompletionToken = boost::asio::deferred_t>
auto async_launch(client_options options, CompletionToken&& token = {})
{
    return boost::asio::async_initiate<CompletionToken, detail::launch_signature>(detail::initiate_launch{}, token,
                                                                                  std::move(options));
}

/// Fetches the settings file (GET /server-side/settings) for use as client_options::settings_file.
/// The future holds the JSON text, or throws boost::system::system_error on failure.
VWO_API std::future<std::string> get_settings_file(std::string_view account_id, std::string_view sdk_key,
                                                   const settings_fetch_options& options = {});

/// The same for any completion token: void(error_code, std::string settings_json).
template <class CompletionToken>
auto get_settings_file(std::string_view account_id, std::string_view sdk_key, const settings_fetch_options& options,
                       CompletionToken&& token)
{
    detail::settings_request request{std::string(account_id), std::string(sdk_key), options.endpoint,
                                     options.tls.ca_file, options.tls.ca_dir, options.tls.insecure_skip_verify,
                                     options.timeouts.connect.count(), options.timeouts.request.count(),
                                     options.proxy};
    return boost::asio::async_initiate<CompletionToken, detail::settings_signature>(
        detail::initiate_settings_fetch{}, token, std::move(request));
}

} // namespace vwo
