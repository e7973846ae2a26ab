#pragma once

// The engine behind a vwo::client (docs/architecture.md): the API entry points, each written once and
// reused by every face, and the coordination of the parts — admission (callers' threads), the router,
// the batch queue, the request sender, the delivery ledger and the I/O host — and of shutdown.

#include "engine/account.hpp"
#include "engine/async_storage.hpp"
#include "engine/live_account.hpp"
#include "engine/settings_refresher.hpp"
#include "engine/admission.hpp"
#include "engine/batch_queue.hpp"
#include "engine/clock.hpp"
#include "engine/delivery_ledger.hpp"
#include "engine/io_host.hpp"
#include "engine/logger.hpp"
#include "engine/operation.hpp"
#include "engine/request_sender.hpp"
#include "transport/http_client.hpp"
#include "transport/transport.hpp"

#include <vwo/api_result.hpp>
#include <vwo/client_options.hpp>
#include <vwo/detail/push_plumbing.hpp>
#include <vwo/stats.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace vwo {

namespace engine {

/// What launch() builds by default and tests replace (tests/support/fake_transport.hpp,
/// tests/support/manual_clock.hpp). Empty members: the real ones.
struct seams {
    std::function<std::unique_ptr<transport::transport>(boost::asio::any_io_executor, transport::transport_config)>
        make_transport;
    std::function<std::unique_ptr<clock>(boost::asio::any_io_executor)> make_clock;
};

} // namespace engine

/// Thread-safety: the public member functions may be called from any thread. The parts touched by
/// callers' threads are the admission (its own lock), the account holder (its own lock) and the
/// opt-out flag (atomic); everything else lives on the I/O host's strand (the "SDK thread").
class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    /// Parses settings, checks options, starts the SDK thread. nullptr and `error` set on failure.
    static std::shared_ptr<client_impl> create(const client_options& options, boost::system::error_code& ec,
                                               std::string& error, engine::seams seams = {});
    ~client_impl();
    client_impl(const client_impl&) = delete;
    client_impl& operator=(const client_impl&) = delete;

    // ---- the faces: immediate or promise (return_promise_for), and any completion token ----------
    api_result<bool> push(detail::dimension_list dims, std::string_view user_id);
    void start_push(detail::dimension_list dims, std::string user_id, detail::push_handler handler);

    // Decision APIs: decided on the caller's thread; the impression (if any) goes through the engine.
    api_result<std::optional<std::string>> activate(std::string_view campaign_key, std::string_view user_id,
                                                    const call_options& options);
    api_result<std::optional<std::string>> get_variation_name(std::string_view campaign_key,
                                                              std::string_view user_id, const call_options& options);
    api_result<bool> is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                        const call_options& options);
    api_result<std::optional<variable_value>> get_feature_variable_value(std::string_view campaign_key,
                                                                         std::string_view variable_key,
                                                                         std::string_view user_id,
                                                                         const call_options& options);
    void start_decision(const detail::decision_request& request, detail::variation_handler handler);
    void start_decision(const detail::decision_request& request, detail::feature_handler handler);
    void start_decision(const detail::decision_request& request, detail::variable_handler handler);

    api_result<bool> track(const campaign_specifier& campaigns, std::string_view user_id,
                           std::string_view goal_identifier, const call_options& options);
    void start_track(const detail::track_request& request, detail::track_handler handler);
    api_result<bool> flush_events();
    void start_flush(detail::flush_handler handler);

    // Live settings (docs/settings.md).
    api_result<bool> get_and_update_settings_file();
    void start_refresh(detail::refresh_handler handler);
    boost::system::error_code update_settings_file(std::string_view settings_json);
    std::string settings_file() const;

    void set_opt_out();
    void shutdown(std::chrono::milliseconds deadline);
    void shutdown() { shutdown(options_.shutdown_timeout); }
    client_stats stats() const;
    /// The strand everything of this client runs on.
    boost::asio::any_io_executor get_executor() const { return host_.executor(); }

private:
    /// A decision call's arguments, borrowed for the call.
    struct decision_args {
        detail::decision_request::api which;
        std::string_view campaign_key;
        std::string_view variable_key;
        std::string_view user_id;
        const call_options& options;
    };
    /// How a handler may complete when the answer is known during the call. The async_* faces: never
    /// inside the initiating function (posted). The promise face: at once, so that its future is ready
    /// when the call returns and can be read anywhere, even on the SDK thread itself.
    enum class early_completion { posted, at_once };
    /// A track call's arguments, borrowed for the call.
    struct track_args {
        const campaign_specifier& campaigns;
        std::string_view user_id;
        std::string_view goal_identifier;
        const call_options& options;
    };

    client_impl(const client_options& options, std::shared_ptr<const engine::logger> log,
                std::shared_ptr<const engine::account> first_account, const core::endpoint& origin,
                std::shared_ptr<engine::async_storage_bridge> bridge);
    /// Builds the parts that keep the client alive while they wait (they need weak_from_this()).
    void assemble(engine::seams& seams, transport::transport_config config);
    bool promise_mode(bool api_flag) const noexcept { return options_.return_promise_for.all || api_flag; }
    bool batch_mode() const noexcept { return options_.batch_events.has_value(); }

    // ---- each operation, once (caller's thread). An empty handler is the immediate face: the call's
    //      verdict is the return value and nothing is reported later.
    boost::system::error_code run_push(detail::dimension_list dims, std::string user_id, detail::push_handler handler);
    template <class T>
    engine::api_answer<T> decide(const decision_args& call, const engine::account& account) const;
    template <class T>
    void report(engine::api_answer<T>& answer, const decision_args& call,
                std::shared_ptr<const engine::account> account,
                boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler,
                early_completion early = early_completion::posted);
    template <class T>
    api_result<T> decide_now(const decision_args& call, bool promise);
    template <class T>
    void decide_later(const detail::decision_request& request,
                      boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler);
    template <class T>
    void decide_after_storage(detail::decision_request request,
                              boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler);
    /// An asynchronous user store is configured and the client has not opted out (then nothing is read).
    bool with_async_storage() const noexcept
    {
        return storage_bridge_ && !opted_out_.load(std::memory_order_acquire);
    }
    bool run_track(const track_args& call, detail::track_handler handler,
                   early_completion early = early_completion::posted);
    engine::track_answer decide_track(const track_args& call, const engine::account& account) const;
    /// Sends the conversions (if any) and completes `handler`; false when the call tracked nothing or was refused.
    bool report_track(engine::track_answer& answer, const track_args& call,
                      std::shared_ptr<const engine::account> account, detail::track_handler handler,
                      early_completion early);
    void track_after_storage(detail::track_request request, detail::track_handler handler);
    boost::system::error_code run_flush(detail::flush_handler handler);
    /// Starts a pull (get_and_update_settings_file); false when refused (opted out, shut down).
    bool run_refresh(detail::refresh_handler handler, early_completion early = early_completion::posted);

    // ---- shared steps (caller's thread)
    /// Validation, opt-out and development mode of a push: nullopt means go on and admit; otherwise the
    /// call ends here with that error (empty in development mode).
    std::optional<boost::system::error_code> screen(const engine::push_op& op);
    /// Opted out: logs and returns true (the decision APIs then return nothing).
    bool opted_out(std::string_view api) const;
    /// Gives `op` a completion when `handler` is set, screens a push, admits it; the verdict.
    boost::system::error_code start_op(std::shared_ptr<engine::push_op> op, std::vector<std::string> keys,
                                       detail::push_handler handler);
    boost::system::error_code admit(std::shared_ptr<engine::push_op> op);
    void complete_early(const std::shared_ptr<engine::push_op>& op, boost::system::error_code ec);
    /// Completes `handler` with (ec, value): through our executor, never inside the initiating function;
    /// or, for the promise face (`at_once`), here.
    template <class T>
    void complete_soon(boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler,
                       boost::system::error_code ec, T value, early_completion early);

    // ---- the SDK thread
    /// Takes what callers queued and routes it; true when there was something.
    bool drain_inbox();
    /// Drains, then polls again shortly while pushes keep coming (see admit()).
    void poll_inbox();
    void dispatch(const std::shared_ptr<engine::push_op>& op, const engine::account& account, core::system_time now);
    void send_batch(std::vector<engine::carried_key> keys, core::batch_body body,
                    std::shared_ptr<engine::flush_waiter> waiter);
    void begin_shutdown(std::chrono::steady_clock::time_point deadline);
    void force_shutdown();
    void maybe_finish_shutdown();
    double next_random();

    const client_options options_;
    /// Shared so that a contained handler running after the client is gone logs nothing (a weak_ptr).
    const std::shared_ptr<const engine::logger> log_;
    /// Set with client_options::async_user_storage: the store the decisions see (engine/async_storage.hpp).
    const std::shared_ptr<engine::async_storage_bridge> storage_bridge_;
    engine::live_account account_;
    engine::admission admission_;
    engine::delivery_ledger ledger_;
    std::atomic<bool> opted_out_{false};
    engine::io_host host_;
    std::unique_ptr<transport::transport> transport_; // declared after host_: destroyed before it
    /// Settings fetches: a connection of their own, so a large download never delays events.
    std::unique_ptr<transport::transport> settings_transport_;
    std::unique_ptr<engine::clock> clock_;
    std::optional<engine::request_sender> sender_;
    std::optional<engine::settings_refresher> refresher_;
    std::optional<engine::batch_queue> batch_; ///< batch mode only

    std::promise<void> stopped_promise_;
    std::shared_future<void> stopped_ = stopped_promise_.get_future().share();
    std::shared_ptr<client_impl> self_while_stopping_; ///< set when shutdown runs on the SDK thread

    // SDK thread only.
    std::vector<std::shared_ptr<engine::push_op>> drained_; ///< swapped with the inbox, capacity kept
    std::shared_ptr<engine::clock::timer> poll_wait_;
    unsigned idle_polls_ = 0;
    std::shared_ptr<engine::clock::timer> shutdown_wait_;
    bool shutting_down_ = false;
    bool finished_ = false;
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace vwo
