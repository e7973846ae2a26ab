#pragma once

// The state behind a vwo::client: admission on the caller's thread, everything else on
// the SDK's own io_context thread (request building, batching, delivery, retries, shutdown).

#include "core/batch_body.hpp"
#include "core/decision_requests.hpp"
#include "core/dimension.hpp"
#include "core/request_builder.hpp"
#include "core/retry_policy.hpp"
#include "engine/brief_mutex.hpp"
#include "engine/decision_service.hpp"
#include "engine/logger.hpp"
#include "transport/http_client.hpp"

#include <vwo/api_result.hpp>
#include <vwo/client_options.hpp>
#include <vwo/detail/push_plumbing.hpp>
#include <vwo/stats.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <deque>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace vwo {

namespace engine {

/// What only an async or promise-mode push carries: its handler and the per-key result.
/// Immediate-mode pushes have none, which keeps a queued event small (R4, benchmarks).
struct push_completion {
    detail::push_handler handler;
    boost::asio::any_completion_executor work; ///< keeps the handler's executor busy
    push_result result;
    boost::system::error_code first_error;
    std::size_t outstanding = 0; ///< keys not yet finished
    bool completed = false;      ///< the handler was called or is on its way
};

/// What a decision or track call sends: an impression (activate, is_feature_enabled) or a goal (track).
struct tracked_event {
    std::variant<core::impression, core::goal_event> what;
    core::visitor_info visitor;
    /// track, legacy: more than one campaign was considered, so the goal goes out as one batch-events
    /// POST even if a single campaign converted (decision-apis.md B §10.1); otherwise one GET track-goal.
    bool legacy_batch = false;
};

/// One accepted push, impression or goal. Lives until it is built into requests; with a
/// completion, until every request that carries one of its events finished.
struct push_op {
    core::dimensions dims;                  ///< push: one event per dimension
    std::unique_ptr<tracked_event> tracked; ///< decision and track calls (dims empty)
    std::string user_id;
    std::unique_ptr<push_completion> completion; ///< null in immediate mode

    /// Events this op counts as (queue bounds, stats, per-key results): one per dimension, one per
    /// impression, one per campaign of a goal.
    std::uint32_t event_count() const noexcept;
    /// What event `i` counts against max_queue_bytes.
    std::uint32_t event_bytes(std::uint32_t i) const;
};

/// One key of one op inside a request.
struct carried_key {
    std::shared_ptr<push_op> op; ///< only when the op has a completion to report to
    std::uint32_t index;
    std::uint32_t bytes; ///< what this key counts against max_queue_bytes
};

/// Completion of one flush_events() call: done when every request it started finished.
struct flush_waiter {
    // A constructor, not an aggregate: clang 14 has no parenthesised aggregate initialisation, and the
    // handler must be constructed in place (see client_impl::start_flush).
    explicit flush_waiter(detail::flush_handler h) : handler(std::move(h)) {}

    detail::flush_handler handler;
    std::optional<boost::asio::any_completion_executor> work;
    std::size_t remaining = 0;
    boost::system::error_code error;
};

/// One request with its retry state. Retries resend the same bytes (same event identity).
struct outgoing {
    std::shared_ptr<const core::wire_request> request;
    std::vector<carried_key> carried;
    std::vector<std::uint32_t> event_starts; ///< where each batch event starts in the body, to split on 413
    unsigned retries = 0;            ///< what decide_retry charges against max_retries
    unsigned resends = 0;            ///< attempts repeated after an outage hold (not charged)
    std::chrono::steady_clock::time_point attempt_started; ///< for client_stats::request_latency
    std::chrono::steady_clock::time_point first_attempt;   ///< start of its retry time budget
    std::chrono::steady_clock::duration held{};            ///< time held during outages (not charged)
    std::chrono::steady_clock::time_point held_since;      ///< while held: when it was
    bool from_batch_queue = false;   ///< report to flush_callback
    std::vector<std::shared_ptr<flush_waiter>> waiters;
};

} // namespace engine

/// Thread-safety: the public member functions may be called from any thread. Members
/// marked "SDK thread" are touched only by the io_context thread; the admission state
/// and the counters are guarded by mutex_, which is never held while calling out.
class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    /// Parses settings, checks options, starts the SDK thread. nullptr and `error` set on failure.
    static std::shared_ptr<client_impl> create(const client_options& options, boost::system::error_code& ec,
                                               std::string& error);
    ~client_impl();
    client_impl(const client_impl&) = delete;
    client_impl& operator=(const client_impl&) = delete;

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
    void start_variation_call(const detail::decision_request& request, detail::variation_handler handler);
    void start_feature_call(const detail::decision_request& request, detail::feature_handler handler);
    void start_variable_call(const detail::decision_request& request, detail::variable_handler handler);
    api_result<bool> track(const campaign_specifier& campaigns, std::string_view user_id,
                           std::string_view goal_identifier, const call_options& options);
    void start_track(const detail::track_request& request, detail::track_handler handler);
    api_result<bool> flush_events();
    void start_flush(detail::flush_handler handler);
    void set_opt_out();
    void shutdown(std::chrono::milliseconds deadline);
    void shutdown() { shutdown(options_.shutdown_timeout); }
    client_stats stats() const;

private:
    client_impl(const client_options& options, core::request_context context, core::endpoint origin,
                std::optional<core::proxy_server> proxy);
    static boost::asio::strand<boost::asio::any_io_executor> make_executor(const client_options& options,
                                                                          std::optional<boost::asio::io_context>& own);
    bool on_sdk_thread() const noexcept { return exec_.running_in_this_thread(); }

    bool promise_mode() const noexcept { return options_.return_promise_for.all || options_.return_promise_for.push; }
    bool promise_mode(bool api_flag) const noexcept { return options_.return_promise_for.all || api_flag; }
    bool batch_mode() const noexcept { return options_.batch_events.has_value(); }

    // Caller's thread.
    boost::system::error_code check_call(const core::dimensions& dims, std::string_view user_id);
    /// Validation, opt-out and development mode, shared by both push paths: nullopt means go on
    /// and admit; otherwise the call ends here with that error (empty in development mode).
    std::optional<boost::system::error_code> screen(const engine::push_op& op);
    boost::system::error_code admit(std::shared_ptr<engine::push_op> op);
    void complete_early(std::shared_ptr<engine::push_op> op, boost::system::error_code ec);
    /// Gives `op` its completion (result keys named `keys`), honours cancellation and admits it.
    void start_op(std::shared_ptr<engine::push_op> op, std::vector<std::string> keys, detail::push_handler handler);
    /// The op that sends `shown` for `user_id`.
    std::shared_ptr<engine::push_op> impression_op(const core::impression& shown, std::string_view user_id,
                                                   const call_options& options) const;
    /// The sync face of a decision API: the value now, or a future that is ready once the impression
    /// (if any) finished. Never throws; in development mode nothing is sent.
    template <class T>
    api_result<T> answer_now(engine::api_answer<T> answer, std::string_view user_id, const call_options& options,
                             bool promise);
    /// The async face: completes `handler` with (error, value) once the impression (if any) finished.
    template <class T>
    void answer_later(engine::api_answer<T> answer, std::string_view user_id, const call_options& options,
                      boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler);
    /// The op that sends a track call's conversions.
    std::shared_ptr<engine::push_op> goal_op(engine::track_answer& answer, std::string_view user_id,
                                             const call_options& options) const;
    /// Completes `handler` with (ec, value) through our executor, never inside the initiating function.
    template <class T>
    void complete_soon(boost::asio::any_completion_handler<void(boost::system::error_code, T)> handler,
                       boost::system::error_code ec, T value);
    /// Opted out: logs and returns true (the decision APIs then return nothing).
    bool decision_opted_out(std::string_view api) const;
    template <class Handler, class Fn>
    void post_completion(const Handler& handler, boost::asio::any_completion_executor work, Fn&& fn);
    /// `fn` (which completes a user's handler) wrapped so that what it throws is caught and logged.
    template <class Fn>
    auto contain(Fn&& fn);

    // SDK thread.
    /// Takes what callers queued; true when there was something.
    bool drain_inbox();
    /// Drains, then polls again shortly while pushes keep coming (see admit()).
    void poll_inbox();
    void dispatch(const std::shared_ptr<engine::push_op>& op, core::system_time now);
    void dispatch_tracked(const std::shared_ptr<engine::push_op>& op, const std::shared_ptr<engine::push_op>& reported,
                          core::system_time now);
    /// Queues one batch event; `render(std::string&)` appends its JSON to the batch body.
    template <class Render>
    void queue_batch_event(engine::carried_key key, Render&& render);
    void flush_batch(bool all, std::shared_ptr<engine::flush_waiter> waiter);
    void send(std::shared_ptr<engine::outgoing> out, bool first_attempt);
    void on_attempt(const std::shared_ptr<engine::outgoing>& out, transport::exchange_result result);
    void split_and_resend(const std::shared_ptr<engine::outgoing>& out);
    /// Outage detection: `out` waits in held_ until the probe gets an answer.
    void hold(std::shared_ptr<engine::outgoing> out);
    /// The collector answered: every held request goes out (through the pool, max_connections at a time).
    void end_outage();
    /// The probe finished without an answer: the oldest held request probes next.
    void next_probe();
    void finish_request(engine::outgoing& out, boost::system::error_code ec, unsigned status, bool shutdown_drop);
    void complete_op(engine::push_op& op);
    void complete_flush(engine::flush_waiter& waiter);
    void begin_shutdown(std::chrono::steady_clock::time_point deadline);
    void force_shutdown();
    void maybe_finish_shutdown();
    double next_random();

    const client_options options_;
    const core::request_context context_;
    const core::retry_policy retry_policy_;
    const engine::logger log_;
    bool event_arch_ = false; ///< set once in create(), before any request is built
    std::optional<engine::decision_service> decisions_; ///< set once in create(), before the client is returned

    // Exactly one of: our own io_context run by thread_, or the user's executor. Either way
    // all SDK-thread state below is touched only through exec_, a strand.
    std::optional<boost::asio::io_context> own_ioc_;
    boost::asio::strand<boost::asio::any_io_executor> exec_;
    boost::asio::any_io_executor work_; ///< outstanding work on exec_ until shutdown finishes
    transport::http_client http_;
    std::thread thread_;

    // Guarded by mutex_.
    mutable engine::brief_mutex mutex_;
    std::vector<std::shared_ptr<engine::push_op>> inbox_;
    bool sdk_awake_ = false; ///< the SDK thread polls the inbox; pushes need not wake it
    bool accepting_ = true;
    bool io_done_ = false; ///< our own thread has left run(): exec_ no longer runs anything
    std::uint64_t pending_events_ = 0; ///< queued + in flight, for the queue bounds
    std::uint64_t pending_bytes_ = 0;
    client_stats stats_;
    std::uint64_t queue_full_unlogged_ = 0;
    std::chrono::steady_clock::time_point queue_full_logged_at_{};

    std::atomic<bool> opted_out_{false};
    std::once_flag join_once_;
    std::promise<void> stopped_promise_;
    std::shared_future<void> stopped_ = stopped_promise_.get_future().share();
    std::shared_ptr<client_impl> self_while_stopping_; ///< set when shutdown runs on the SDK thread

    // SDK thread only.
    std::vector<std::shared_ptr<engine::push_op>> drained_; ///< swapped with inbox_, capacity kept
    boost::asio::steady_timer poll_timer_{exec_};
    unsigned idle_polls_ = 0;
    std::vector<engine::carried_key> batch_;
    core::batch_body batch_body_; ///< the events of batch_, rendered as the next request's body
    boost::asio::steady_timer batch_timer_{exec_};
    bool batch_timer_armed_ = false;
    std::set<std::shared_ptr<boost::asio::steady_timer>> retry_timers_;
    // Outage detection (docs/reliability.md R3): while the collector cannot be reached, one request (the
    // probe) retries with backoff and every other request waits in held_, its retry budget untouched,
    // so an outage burns no event's budget and recovery is no request storm.
    bool outage_ = false;
    std::shared_ptr<engine::outgoing> probe_;
    std::deque<std::shared_ptr<engine::outgoing>> held_;
    std::size_t requests_outstanding_ = 0; ///< in flight or waiting to retry
    bool shutting_down_ = false;
    bool forced_ = false;
    bool finished_ = false;
    boost::asio::steady_timer shutdown_timer_{exec_};
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace vwo
