#include "engine/client_impl.hpp"

#include "core/endpoint.hpp"
#include "core/settings.hpp"
#include "core/validation.hpp"

#include <vwo/error.hpp>
#include <vwo/version.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <algorithm>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;
using engine::carried_key;
using engine::flush_waiter;
using engine::outgoing;
using engine::push_completion;
using engine::push_op;

namespace {

// A std::promise that can never be broken: if its handler is destroyed without being called
// (the io_context torn down with work pending), the future still gets `fallback` (false for
// push; the decision itself for the decision APIs).
template <class T>
class never_broken_promise {
public:
    explicit never_broken_promise(T fallback) : fallback_(std::move(fallback)) {}
    never_broken_promise(never_broken_promise&& other) noexcept
        : promise_(std::move(other.promise_)), fallback_(std::move(other.fallback_)), armed_(other.armed_)
    {
        other.armed_ = false;
    }
    never_broken_promise& operator=(never_broken_promise&&) = delete;
    ~never_broken_promise()
    {
        if (armed_)
            promise_.set_value(std::move(fallback_));
    }
    std::future<T> get_future() { return promise_.get_future(); }
    void set(T value)
    {
        if (std::exchange(armed_, false))
            promise_.set_value(std::move(value));
    }
    /// Completes with the fallback (the decision APIs' value whatever delivery did).
    void set_fallback()
    {
        if (std::exchange(armed_, false))
            promise_.set_value(std::move(fallback_));
    }

private:
    std::promise<T> promise_;
    T fallback_;
    bool armed_ = true;
};

// What one pending event is charged against max_queue_bytes: its strings three times (the
// copies taken at push, and the percent-encoded request built from them) plus 1.5 KiB for the
// built request's fixed part, its retry timer, handlers and bookkeeping. Calibrated by the R4
// stress test, which measured ~2 KiB of resident memory per pending single-key push with
// ~210 bytes of strings; counting only the strings let RSS reach ~6x the cap.
std::uint32_t dimension_bytes(const core::dimension& d, const std::string& user_id)
{
    return static_cast<std::uint32_t>(3 * (d.key.size() + d.value.size() + user_id.size()) + 1536);
}

// An impression or goal: its strings three times (as dimension_bytes) plus the same fixed part.
std::uint32_t tracked_bytes(const engine::tracked_event& t, const std::string& user_id)
{
    std::size_t strings = user_id.size() + t.visitor.user_agent.size() + t.visitor.ip_address.size();
    if (const auto* shown = std::get_if<core::impression>(&t.what)) {
        strings += shown->campaign_id.text.size() + shown->variation_id.text.size();
    } else {
        const auto& goal = std::get<core::goal_event>(t.what);
        strings += goal.goal_identifier.size();
        for (const auto& [key, value] : goal.event_properties)
            strings += key.size() + core::attribute_text(value).size();
        for (const auto& c : goal.campaigns)
            strings += c.campaign_id.text.size() + c.variation_id.text.size() + c.goal_id.text.size() + 16;
    }
    return static_cast<std::uint32_t>(3 * strings + 1536);
}

std::string describe_keys(const core::dimensions& dims)
{
    std::string keys;
    for (const auto& d : dims) {
        if (!keys.empty())
            keys += ", ";
        keys += '"' + d.key + '"';
    }
    return keys;
}

std::optional<std::string> check_options(const client_options& o)
{
    if (o.batch_events) {
        const auto& b = *o.batch_events;
        if (b.events_per_request < 1 || b.events_per_request > 5000)
            return "batch_events.events_per_request must be in 1..5000, got " + std::to_string(b.events_per_request);
        if (b.request_time_interval < std::chrono::seconds(1))
            return "batch_events.request_time_interval must be at least 1 s, got " +
                   std::to_string(b.request_time_interval.count()) + " s";
    }
    if (o.max_connections < 1 || o.max_connections > 64)
        return "max_connections must be in 1..64, got " + std::to_string(o.max_connections);
    if (o.max_queue_events < 1)
        return "max_queue_events must be at least 1";
    if (o.max_queue_bytes < 1024)
        return "max_queue_bytes must be at least 1024";
    const auto& t = o.timeouts;
    if (t.resolve.count() <= 0 || t.connect.count() <= 0 || t.tls_handshake.count() <= 0 || t.request.count() <= 0)
        return "every timeouts.* deadline must be positive";
    if (o.retry.base_delay.count() < 0 || o.retry.max_delay < o.retry.base_delay)
        return "retry.base_delay must be >= 0 and retry.max_delay >= retry.base_delay";
    if (o.retry.max_elapsed_time.count() < 0)
        return "retry.max_elapsed_time must be >= 0 (0: the retry count alone)";
    if (o.shutdown_timeout.count() < 0)
        return "shutdown_timeout must be >= 0";
    return std::nullopt;
}

} // namespace

std::uint32_t engine::push_op::event_count() const noexcept
{
    if (!tracked)
        return static_cast<std::uint32_t>(dims.size());
    if (const auto* goal = std::get_if<core::goal_event>(&tracked->what))
        return static_cast<std::uint32_t>(goal->campaigns.size());
    return 1;
}

std::uint32_t engine::push_op::event_bytes(std::uint32_t i) const
{
    if (!tracked)
        return dimension_bytes(dims[i], user_id);
    return tracked_bytes(*tracked, user_id);
}

// ---------------------------------------------------------------------------------------------
// Launch

std::shared_ptr<client_impl> client_impl::create(const client_options& options, error_code& ec, std::string& error)
{
    auto fail = [&](errc code, std::string message) -> std::shared_ptr<client_impl> {
        ec = make_error_code(code);
        error = "launch failed: " + std::move(message);
        engine::logger(options.logging).error(error);
        return nullptr;
    };
    if (auto problem = check_options(options))
        return fail(errc::invalid_options, *problem);
    std::string endpoint_error;
    auto origin = core::parse_endpoint(options.endpoint, endpoint_error);
    if (!origin)
        return fail(errc::invalid_options, endpoint_error);
    // The proxy is chosen once, here on the caller's thread (the only place the environment is read).
    std::string proxy_error;
    auto proxy = transport::choose_proxy(options.proxy, *origin, proxy_error);
    if (!proxy)
        return fail(errc::invalid_options, proxy_error);
    auto parsed = core::parse_settings(options.settings_file);
    if (!parsed.value)
        return fail(errc::invalid_settings, "settings file: " + parsed.error);
    const core::settings& s = *parsed.value;
    // The campaigns are parsed once, here, into the immutable model every decision reads without locks.
    auto campaigns = core::decision::parse_campaign_settings(options.settings_file);
    if (!campaigns.value)
        return fail(errc::invalid_settings, campaigns.error);

    core::usage_stats usage;
    usage.batch_events = options.batch_events.has_value();
    usage.custom_logger = static_cast<bool>(options.logging.logger);
    if (options.logging.level)
        usage.log_level = static_cast<int>(*options.logging.level);
    usage.integrations = static_cast<bool>(options.integrations);
    usage.user_storage = options.user_storage != nullptr;
    usage.track_returning_user = options.should_track_returning_user;
    usage.goal_type_to_track = options.goal_type_to_track != goal_type::all;
    std::string prefix = origin->base_path;
    if (!s.collection_prefix.empty())
        prefix += "/" + s.collection_prefix;
    core::request_context context(std::move(prefix), s.account_id, s.sdk_key, sdk_name, sdk_version, usage);

    std::shared_ptr<client_impl> impl;
    try {
        impl.reset(new client_impl(options, std::move(context), std::move(*origin), proxy->server));
    } catch (const transport::transport_setup_error& e) {
        return fail(errc::invalid_options, e.what());
    }
    impl->event_arch_ = s.event_arch_enabled;
    impl->decisions_.emplace(std::move(campaigns.value), impl->options_, s.event_arch_enabled, impl->log_);
    if (options.tls.insecure_skip_verify)
        impl->log_.warn("tls.insecure_skip_verify is set: server certificates are NOT verified. Never use this in "
                        "production.");
    if (options.development_mode)
        impl->log_.info("development mode: requests are validated and logged, never sent");
    impl->log_.info("launched for account " + s.account_id + " (" + std::to_string(s.campaign_count) +
                    " campaigns), endpoint " + options.endpoint + ", " + proxy->explanation);
    ec.clear();
    return impl;
}

client_impl::client_impl(const client_options& options, core::request_context context, core::endpoint origin,
                         std::optional<core::proxy_server> proxy)
    : options_(options), context_(std::move(context)),
      retry_policy_{options.retry.max_retries, options.retry.base_delay, options.retry.max_delay,
                    options.retry.max_retry_after, options.retry.max_elapsed_time},
      log_(options.logging), exec_(make_executor(options, own_ioc_)),
      work_(asio::prefer(exec_.get_inner_executor(), asio::execution::outstanding_work.tracked)),
      http_(exec_, transport::transport_config{std::move(origin), options.tls, options.timeouts,
                                                             options.max_connections, 1024 * 1024,
                                                             options.resolver, std::move(proxy)})
{
    if (!own_ioc_)
        return; // the user's executor runs everything
    thread_ = std::thread([this] {
        own_ioc_->run();
        // From now on completions go through their own executors (see post_completion);
        // run what was posted here before the flag was seen.
        {
            std::lock_guard lock(mutex_);
            io_done_ = true;
        }
        own_ioc_->restart();
        own_ioc_->poll();
        // When shutdown was started on this thread, this reference kept the client alive
        // until run() returned. Dropping it may destroy *this here (the destructor then
        // detaches instead of joining itself); touch nothing after.
        auto keep_alive = std::move(self_while_stopping_);
    });
}

asio::strand<asio::any_io_executor> client_impl::make_executor(const client_options& options,
                                                               std::optional<asio::io_context>& own)
{
    if (options.executor)
        return asio::make_strand(*options.executor);
    own.emplace(1);
    return asio::make_strand(asio::any_io_executor(own->get_executor()));
}

client_impl::~client_impl()
{
    if (thread_.joinable()) {
        // Reached when the last reference dies on the SDK thread itself (after a shutdown
        // started there), or when shutdown() never ran: a thread cannot join itself.
        own_ioc_->stop();
        if (thread_.get_id() == std::this_thread::get_id())
            thread_.detach();
        else
            thread_.join();
    }
}

// ---------------------------------------------------------------------------------------------
// Caller's thread: validation and admission

error_code client_impl::check_call(const core::dimensions& dims, std::string_view user_id)
{
    if (auto problem = core::validate_push(dims, user_id)) {
        {
            std::lock_guard lock(mutex_);
            ++stats_.rejected_invalid;
        }
        log_.error(*problem);
        return make_error_code(errc::invalid_argument);
    }
    if (opted_out_.load(std::memory_order_acquire)) {
        {
            std::lock_guard lock(mutex_);
            ++stats_.rejected_opted_out;
        }
        log_.info("push ignored: the client has opted out");
        return make_error_code(errc::opted_out);
    }
    return {};
}

std::optional<error_code> client_impl::screen(const push_op& op)
{
    if (error_code ec = check_call(op.dims, op.user_id))
        return ec;
    if (options_.development_mode) {
        log_.info("development mode: push of " + describe_keys(op.dims) + " for user \"" + op.user_id +
                  "\" validated, not sent");
        return error_code{};
    }
    return std::nullopt;
}

error_code client_impl::admit(std::shared_ptr<push_op> op)
{
    // An impression or goal decided just before set_opt_out() returned is not sent either.
    if (op->tracked && opted_out_.load(std::memory_order_acquire)) {
        std::lock_guard lock(mutex_);
        ++stats_.rejected_opted_out;
        return make_error_code(errc::opted_out);
    }
    const std::uint32_t events = op->event_count();
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < events; ++i)
        bytes += op->event_bytes(i);
    bool post_drain = false;
    std::uint64_t full_since_last_log = 0;
    {
        std::lock_guard lock(mutex_);
        if (!accepting_) {
            ++stats_.rejected_shut_down;
            return make_error_code(errc::shutting_down);
        }
        if (pending_events_ + events > options_.max_queue_events ||
            pending_bytes_ + bytes > options_.max_queue_bytes) {
            stats_.accepted += events;
            stats_.dropped_queue_full += events;
            stats_.last_error = make_error_code(errc::queue_full);
            // One log line per second at most, however hard callers push into a full queue.
            queue_full_unlogged_ += events;
            const auto now = std::chrono::steady_clock::now();
            if (now - queue_full_logged_at_ >= std::chrono::seconds(1)) {
                queue_full_logged_at_ = now;
                full_since_last_log = std::exchange(queue_full_unlogged_, 0);
            }
        } else {
            pending_events_ += events;
            pending_bytes_ += bytes;
            stats_.accepted += events;
            stats_.queued += events;
            inbox_.push_back(std::move(op));
            post_drain = !std::exchange(sdk_awake_, true);
            bytes = 0;
        }
    }
    if (bytes != 0) {
        if (full_since_last_log != 0)
            log_.error("send queue full (max_queue_events " + std::to_string(options_.max_queue_events) +
                       ", max_queue_bytes " + std::to_string(options_.max_queue_bytes) + "): " +
                       std::to_string(full_since_last_log) + " events dropped since the last report");
        return make_error_code(errc::queue_full);
    }
    // Waking the SDK thread is a system call on this thread (~2 us). It is paid once per busy
    // period: while pushes keep coming the SDK thread polls the inbox (poll_inbox) instead.
    if (post_drain)
        asio::post(exec_, [self = shared_from_this()] { self->poll_inbox(); });
    return {};
}

api_result<bool> client_impl::push(detail::dimension_list list, std::string_view user_id)
{
    if (promise_mode()) {
        never_broken_promise<bool> promise(false);
        auto future = promise.get_future();
        start_push(std::move(list), std::string(user_id),
                   [p = std::move(promise)](error_code ec, push_result) mutable { p.set(!ec); });
        return api_result<bool>(std::move(future));
    }
    auto op = std::make_shared<push_op>();
    op->dims = std::move(list);
    op->user_id = std::string(user_id);
    if (auto ends_here = screen(*op))
        return api_result<bool>(!*ends_here);
    return api_result<bool>(!admit(std::move(op)));
}

void client_impl::start_push(detail::dimension_list list, std::string user_id, detail::push_handler handler)
{
    auto op = std::make_shared<push_op>();
    op->dims = std::move(list);
    op->user_id = std::move(user_id);
    std::vector<std::string> keys;
    keys.reserve(op->dims.size());
    for (const auto& d : op->dims)
        keys.push_back(d.key);
    start_op(std::move(op), std::move(keys), std::move(handler));
}

void client_impl::start_op(std::shared_ptr<push_op> op, std::vector<std::string> keys, detail::push_handler handler)
{
    auto slot = handler.get_cancellation_slot();
    auto work = asio::prefer(asio::get_associated_executor(handler, exec_), asio::execution::outstanding_work.tracked);
    // Constructed in place, never assigned (any_completion_handler assignment recurses in Boost 1.81).
    op->completion.reset(new engine::push_completion{std::move(handler), std::move(work), {}, {}, 0, false});
    op->completion->result.keys.reserve(keys.size());
    for (auto& key : keys)
        op->completion->result.keys.push_back({std::move(key), {}});

    if (!op->tracked) // impressions and goals were checked when the decision was made
        if (auto ends_here = screen(*op))
            return complete_early(std::move(op), *ends_here);
    if (slot.is_connected()) {
        // Cancelling abandons the wait, not the delivery: the handler completes with
        // operation_aborted at once while the request carries on and is still counted.
        std::weak_ptr<push_op> weak_op = op;
        std::weak_ptr<client_impl> weak_self = shared_from_this();
        slot.assign([weak_self, weak_op](asio::cancellation_type type) {
            if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                         asio::cancellation_type::total)) == asio::cancellation_type::none)
                return;
            auto self = weak_self.lock();
            if (!self)
                return;
            asio::post(self->exec_, [self, weak_op] {
                if (auto op = weak_op.lock(); op && !op->completion->completed) {
                    op->completion->first_error = asio::error::operation_aborted;
                    self->complete_op(*op);
                }
            });
        });
    }
    if (error_code ec = admit(op))
        complete_early(std::move(op), ec);
}

// ---------------------------------------------------------------------------------------------
// Caller's thread: decision APIs

bool client_impl::decision_opted_out(std::string_view api) const
{
    if (!opted_out_.load(std::memory_order_acquire))
        return false;
    std::string line(api);
    line += " ignored: the client has opted out";
    log_.info(line);
    return true;
}

std::shared_ptr<push_op> client_impl::impression_op(const core::impression& shown, std::string_view user_id,
                                                    const call_options& options) const
{
    auto op = std::make_shared<push_op>();
    op->user_id = std::string(user_id);
    op->tracked = std::make_unique<engine::tracked_event>(
        engine::tracked_event{shown, core::visitor_info{options.user_agent, options.user_ip_address}, false});
    return op;
}

template <class T>
void client_impl::complete_soon(asio::any_completion_handler<void(error_code, T)> handler, error_code ec, T value)
{
    // Held in a shared state so that reading the handler's executor and moving the handler are
    // never in one expression (their order would be unspecified).
    struct pending {
        asio::any_completion_handler<void(error_code, T)> handler;
        error_code error;
        T value;
    };
    auto state = std::make_shared<pending>(pending{std::move(handler), ec, std::move(value)});
    auto work = asio::prefer(asio::get_associated_executor(state->handler, exec_),
                             asio::execution::outstanding_work.tracked);
    post_completion(state->handler, std::move(work), [state] {
        auto h = std::move(state->handler);
        std::move(h)(state->error, std::move(state->value));
    });
}

template <class T>
api_result<T> client_impl::answer_now(engine::api_answer<T> answer, std::string_view user_id,
                                      const call_options& options, bool promise)
{
    auto ready = [&] {
        if (!promise)
            return api_result<T>(std::move(answer.value));
        std::promise<T> p;
        p.set_value(std::move(answer.value));
        return api_result<T>(p.get_future());
    };
    if (!answer.impression)
        return ready();
    if (options_.development_mode) {
        log_.info("development mode: impression for campaign '" + answer.campaign->key + "' not sent");
        return ready();
    }
    auto op = impression_op(*answer.impression, user_id, options);
    if (!promise) {
        if (error_code ec = admit(std::move(op)); ec == errc::shutting_down)
            log_.warn("impression for campaign '" + answer.campaign->key + "' not sent: the client is shut down");
        return api_result<T>(std::move(answer.value));
    }
    // The future holds the decision whatever delivery did: a user keeps the variation when
    // tracking fails (decision-apis.md Part A); the wait only tells when the impression is done.
    never_broken_promise<T> p(std::move(answer.value));
    auto future = p.get_future();
    start_op(std::move(op), {answer.campaign->key},
             [p = std::move(p)](error_code, push_result) mutable { p.set_fallback(); });
    return api_result<T>(std::move(future));
}

template <class T>
void client_impl::answer_later(engine::api_answer<T> answer, std::string_view user_id, const call_options& options,
                               asio::any_completion_handler<void(error_code, T)> handler)
{
    if (answer.impression && options_.development_mode) {
        log_.info("development mode: impression for campaign '" + answer.campaign->key + "' not sent");
        answer.impression.reset();
    }
    if (!answer.impression)
        return complete_soon(std::move(handler), answer.error, std::move(answer.value));
    // The impression's delivery ends the call: the op's completion forwards (error, decision) to the
    // caller's handler, on the caller's executor and with its cancellation slot.
    auto slot = handler.get_cancellation_slot();
    auto ex = asio::get_associated_executor(handler, exec_);
    auto forward = [h = std::move(handler), value = std::move(answer.value)](error_code ec, push_result) mutable {
        std::move(h)(ec, std::move(value));
    };
    auto op = impression_op(*answer.impression, user_id, options);
    start_op(std::move(op), {answer.campaign->key},
             detail::push_handler(asio::bind_cancellation_slot(slot, asio::bind_executor(ex, std::move(forward)))));
}

api_result<std::optional<std::string>> client_impl::activate(std::string_view campaign_key, std::string_view user_id,
                                                            const call_options& options)
{
    const bool promise = promise_mode(options_.return_promise_for.activate);
    if (decision_opted_out("activate"))
        return answer_now(engine::api_answer<std::optional<std::string>>{}, user_id, options, promise);
    return answer_now(decisions_->activate(campaign_key, user_id, options), user_id, options, promise);
}

api_result<std::optional<std::string>> client_impl::get_variation_name(std::string_view campaign_key,
                                                                      std::string_view user_id,
                                                                      const call_options& options)
{
    const bool promise = promise_mode(options_.return_promise_for.get_variation_name);
    if (decision_opted_out("get_variation_name"))
        return answer_now(engine::api_answer<std::optional<std::string>>{}, user_id, options, promise);
    return answer_now(decisions_->get_variation_name(campaign_key, user_id, options), user_id, options, promise);
}

api_result<bool> client_impl::is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                                 const call_options& options)
{
    const bool promise = promise_mode(options_.return_promise_for.is_feature_enabled);
    if (decision_opted_out("is_feature_enabled"))
        return answer_now(engine::api_answer<bool>{}, user_id, options, promise);
    return answer_now(decisions_->is_feature_enabled(campaign_key, user_id, options), user_id, options, promise);
}

api_result<std::optional<variable_value>> client_impl::get_feature_variable_value(std::string_view campaign_key,
                                                                                 std::string_view variable_key,
                                                                                 std::string_view user_id,
                                                                                 const call_options& options)
{
    const bool promise = promise_mode(options_.return_promise_for.get_feature_variable_value);
    if (decision_opted_out("get_feature_variable_value"))
        return answer_now(engine::api_answer<std::optional<variable_value>>{}, user_id, options, promise);
    return answer_now(decisions_->get_feature_variable_value(campaign_key, variable_key, user_id, options), user_id,
                      options, promise);
}

std::shared_ptr<push_op> client_impl::goal_op(engine::track_answer& answer, std::string_view user_id,
                                              const call_options& options) const
{
    auto op = std::make_shared<push_op>();
    op->user_id = std::string(user_id);
    op->tracked = std::make_unique<engine::tracked_event>(engine::tracked_event{
        std::move(*answer.goal), core::visitor_info{options.user_agent, options.user_ip_address},
        answer.legacy_batch});
    answer.goal.reset();
    return op;
}

namespace {
std::vector<std::string> tracked_keys(const track_result& result)
{
    std::vector<std::string> keys;
    for (const auto& c : result.campaigns)
        if (c.tracked)
            keys.push_back(c.campaign_key);
    return keys;
}

// Why a track call tracked nothing: the call's own error, else the first campaign's reason.
error_code untracked_reason(const engine::track_answer& answer)
{
    if (answer.error)
        return answer.error;
    for (const auto& c : answer.result.campaigns)
        if (c.error)
            return c.error;
    return make_error_code(errc::no_variation);
}
} // namespace

api_result<bool> client_impl::track(const campaign_specifier& campaigns, std::string_view user_id,
                                    std::string_view goal_identifier, const call_options& options)
{
    const bool promise = promise_mode(options_.return_promise_for.track);
    auto ready = [promise](bool value) {
        if (!promise)
            return api_result<bool>(value);
        std::promise<bool> p;
        p.set_value(value);
        return api_result<bool>(p.get_future());
    };
    if (decision_opted_out("track"))
        return ready(false);
    auto answer = decisions_->track(campaigns, user_id, goal_identifier, options);
    if (!answer.goal)
        return ready(false);
    if (options_.development_mode) {
        log_.info("development mode: goal '" + std::string(goal_identifier) + "' not sent");
        return ready(true);
    }
    auto keys = tracked_keys(answer.result);
    auto op = goal_op(answer, user_id, options);
    if (!promise)
        return api_result<bool>(!admit(std::move(op)));
    never_broken_promise<bool> p(false);
    auto future = p.get_future();
    start_op(std::move(op), std::move(keys), [p = std::move(p)](error_code ec, push_result) mutable { p.set(!ec); });
    return api_result<bool>(std::move(future));
}

void client_impl::start_track(const detail::track_request& r, detail::track_handler handler)
{
    engine::track_answer answer;
    if (decision_opted_out("track"))
        answer.error = make_error_code(errc::opted_out);
    else
        answer = decisions_->track(r.campaigns, r.user_id, r.goal_identifier, r.options);
    if (answer.goal && options_.development_mode) {
        log_.info("development mode: goal '" + r.goal_identifier + "' not sent");
        answer.goal.reset(); // tracked campaigns keep their empty error: "accepted", as push does
    }
    if (!answer.goal) {
        // Read before answer.result is moved (argument evaluation order is unspecified).
        const error_code ec = tracked_keys(answer.result).empty() ? untracked_reason(answer) : error_code{};
        return complete_soon(std::move(handler), ec, std::move(answer.result));
    }
    // The conversions' delivery ends the call; each tracked campaign gets its key's outcome.
    auto slot = handler.get_cancellation_slot();
    auto ex = asio::get_associated_executor(handler, exec_);
    auto keys = tracked_keys(answer.result);
    auto forward = [h = std::move(handler), result = answer.result](error_code ec, push_result delivery) mutable {
        std::size_t next = 0;
        for (auto& c : result.campaigns)
            if (c.tracked && next < delivery.keys.size())
                c.error = delivery.keys[next++].error;
        result.http_status = delivery.http_status;
        result.attempts = delivery.attempts;
        std::move(h)(ec, std::move(result));
    };
    auto op = goal_op(answer, r.user_id, r.options);
    start_op(std::move(op), std::move(keys),
             detail::push_handler(asio::bind_cancellation_slot(slot, asio::bind_executor(ex, std::move(forward)))));
}

namespace {
template <class T>
engine::api_answer<T> opted_out_answer()
{
    engine::api_answer<T> answer;
    answer.error = make_error_code(errc::opted_out);
    return answer;
}
} // namespace

void client_impl::start_variation_call(const detail::decision_request& r, detail::variation_handler handler)
{
    using answer_type = engine::api_answer<std::optional<std::string>>;
    const bool activate = r.which == detail::decision_request::api::activate;
    answer_type answer = decision_opted_out(activate ? "activate" : "get_variation_name")
                             ? opted_out_answer<std::optional<std::string>>()
                         : activate ? decisions_->activate(r.campaign_key, r.user_id, r.options)
                                    : decisions_->get_variation_name(r.campaign_key, r.user_id, r.options);
    answer_later(std::move(answer), r.user_id, r.options, std::move(handler));
}

void client_impl::start_feature_call(const detail::decision_request& r, detail::feature_handler handler)
{
    auto answer = decision_opted_out("is_feature_enabled")
                      ? opted_out_answer<bool>()
                      : decisions_->is_feature_enabled(r.campaign_key, r.user_id, r.options);
    answer_later(std::move(answer), r.user_id, r.options, std::move(handler));
}

void client_impl::start_variable_call(const detail::decision_request& r, detail::variable_handler handler)
{
    auto answer = decision_opted_out("get_feature_variable_value")
                      ? opted_out_answer<std::optional<variable_value>>()
                      : decisions_->get_feature_variable_value(r.campaign_key, r.variable_key, r.user_id,
                                                               r.options);
    answer_later(std::move(answer), r.user_id, r.options, std::move(handler));
}

template <class Fn>
auto client_impl::contain(Fn&& fn)
{
    // A user's handler that throws must not end the thread that runs it (ours, or an executor's), nor
    // unwind into the SDK (where it would be lost), nor vanish: it is caught and logged, and the SDK goes
    // on (docs/async-model.md). Every completion of a user's handler goes through here.
    return [weak = weak_from_this(), fn = std::forward<Fn>(fn)]() mutable {
        try {
            fn();
        } catch (const std::exception& e) {
            if (auto self = weak.lock())
                self->log_.error(std::string("a completion handler threw (caught; the SDK goes on): ") + e.what());
        } catch (...) {
            if (auto self = weak.lock())
                self->log_.error("a completion handler threw a non-exception (caught; the SDK goes on)");
        }
    };
}

template <class Handler, class Fn>
void client_impl::post_completion(const Handler& handler, asio::any_completion_executor work, Fn&& fn)
{
    auto contained = contain(std::forward<Fn>(fn));
    {
        std::lock_guard lock(mutex_);
        if (!io_done_) {
            // Never inside the initiating function: through our executor to the handler's.
            asio::post(exec_, asio::bind_executor(std::move(work), std::move(contained)));
            return;
        }
    }
    // Our own thread has finished (after shutdown): nothing runs exec_ any more, so go
    // straight to the handler's executor, or complete here if it has none.
    asio::dispatch(asio::get_associated_executor(handler, asio::system_executor()), std::move(contained));
}

void client_impl::complete_early(std::shared_ptr<push_op> op, error_code ec)
{
    auto& c = *op->completion;
    for (auto& key : c.result.keys)
        key.error = ec;
    c.first_error = ec;
    c.completed = true;
    auto work = std::move(c.work);
    post_completion(c.handler, std::move(work), [op, ec]() mutable {
        auto handler = std::move(op->completion->handler);
        handler.get_cancellation_slot().clear();
        std::move(handler)(ec, std::move(op->completion->result));
    });
}

// ---------------------------------------------------------------------------------------------
// SDK thread: building requests

double client_impl::next_random()
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

bool client_impl::drain_inbox()
{
    {
        std::lock_guard lock(mutex_);
        drained_.swap(inbox_); // both keep their capacity: callers rarely allocate to queue
    }
    const bool any = !drained_.empty();
    const auto now = std::chrono::system_clock::now(); // one clock read per drain, not per event
    for (const auto& op : drained_)
        dispatch(op, now);
    drained_.clear();
    maybe_finish_shutdown();
    return any;
}

namespace {
// While pushes keep coming the SDK thread looks at the inbox every poll_interval, so callers
// never pay for a wake-up; after linger_polls empty looks it sleeps and the next push wakes it.
// A push therefore waits at most poll_interval before its request is built.
constexpr auto poll_interval = std::chrono::milliseconds(1);
constexpr unsigned linger_polls = 5;
} // namespace

void client_impl::poll_inbox()
{
    if (finished_)
        return;
    idle_polls_ = drain_inbox() ? 0 : idle_polls_ + 1;
    if (finished_) // the drain completed a shutdown
        return;
    if (idle_polls_ >= linger_polls) {
        std::lock_guard lock(mutex_);
        if (inbox_.empty()) {
            sdk_awake_ = false;
            idle_polls_ = 0;
            return;
        }
    }
    poll_timer_.expires_after(poll_interval);
    poll_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec)
            self->poll_inbox();
    });
}

void client_impl::dispatch(const std::shared_ptr<push_op>& op, core::system_time now)
{
    const std::uint32_t key_count = op->event_count();
    // Immediate-mode ops have nobody to report to: once built into requests they can go.
    std::shared_ptr<push_op> reported;
    if (op->completion) {
        op->completion->outstanding = key_count;
        reported = op;
    }
    if (op->tracked)
        return dispatch_tracked(op, reported, now);

    if (batch_mode()) {
        for (std::uint32_t i = 0; i < key_count; ++i) {
            const core::dimension& dim = op->dims[i];
            queue_batch_event({reported, i, op->event_bytes(i)}, [&](std::string& out) {
                core::append_batch_event(out, context_, dim, op->user_id, now);
            });
        }
        op->dims.clear();
        return;
    }

    auto out = std::make_shared<outgoing>();
    out->carried.reserve(key_count);
    for (std::uint32_t i = 0; i < key_count; ++i)
        out->carried.push_back({reported, i, op->event_bytes(i)});
    core::wire_request request;
    if (event_arch_) {
        request = core::build_event_arch_request(context_, op->dims, op->user_id, now, next_random());
    } else if (key_count == 1) {
        request = core::build_push_get(context_, op->dims.front(), op->user_id, now, next_random());
    } else {
        core::batch_body body;
        for (const auto& d : op->dims)
            body.append(context_, d, op->user_id, now);
        request = core::build_batch_events_request(context_, body.take(out->event_starts));
    }
    op->dims.clear();
    out->request = std::make_shared<const core::wire_request>(std::move(request));
    send(std::move(out), true);
}

void client_impl::dispatch_tracked(const std::shared_ptr<push_op>& op, const std::shared_ptr<push_op>& reported,
                                   core::system_time now)
{
    const engine::tracked_event& t = *op->tracked;
    const std::uint32_t count = op->event_count();
    // The same transport choice as push (push-protocol.md Part A): the batch queue when configured,
    // else the event architecture when the account has it, else the legacy requests.
    if (batch_mode()) {
        for (std::uint32_t i = 0; i < count; ++i) {
            queue_batch_event({reported, i, op->event_bytes(i)}, [&](std::string& out) {
                if (const auto* shown = std::get_if<core::impression>(&t.what))
                    core::append_impression_batch_event(out, context_, *shown, op->user_id, t.visitor, now);
                else
                    core::append_goal_batch_event(out, context_, std::get<core::goal_event>(t.what), i, op->user_id,
                                                  t.visitor, now);
            });
        }
        return;
    }

    auto out = std::make_shared<outgoing>();
    out->carried.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        out->carried.push_back({reported, i, op->event_bytes(i)});
    core::wire_request request;
    if (const auto* shown = std::get_if<core::impression>(&t.what)) {
        request = event_arch_ ? core::build_variation_shown_request(context_, *shown, op->user_id, t.visitor, now,
                                                                    next_random())
                              : core::build_track_user_get(context_, *shown, op->user_id, t.visitor, now,
                                                           next_random());
    } else {
        const auto& goal = std::get<core::goal_event>(t.what);
        if (event_arch_) {
            request = core::build_goal_event_request(context_, goal, op->user_id, t.visitor, now, next_random());
        } else if (!t.legacy_batch) {
            request = core::build_track_goal_get(context_, goal, op->user_id, t.visitor, now, next_random());
        } else {
            core::batch_body body;
            for (std::uint32_t i = 0; i < count; ++i)
                body.append_event([&](std::string& text) {
                    core::append_goal_batch_event(text, context_, goal, i, op->user_id, t.visitor, now);
                });
            request = core::build_batch_events_request(context_, body.take(out->event_starts));
        }
    }
    out->request = std::make_shared<const core::wire_request>(std::move(request));
    send(std::move(out), true);
}

template <class Render>
void client_impl::queue_batch_event(carried_key key, Render&& render)
{
    batch_.push_back(std::move(key));
    batch_body_.append_event(std::forward<Render>(render));
    if (batch_.size() >= options_.batch_events->events_per_request) {
        flush_batch(false, nullptr);
    } else if (!batch_timer_armed_) {
        batch_timer_armed_ = true;
        batch_timer_.expires_after(options_.batch_events->request_time_interval);
        batch_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec)
                return; // re-armed or cancelled
            self->batch_timer_armed_ = false;
            self->flush_batch(true, nullptr);
        });
    }
}

void client_impl::flush_batch(bool all, std::shared_ptr<flush_waiter> waiter)
{
    const std::size_t per_request = options_.batch_events->events_per_request;
    while (!batch_.empty() && (all || batch_.size() >= per_request)) {
        const std::size_t n = std::min(per_request, batch_.size());
        auto out = std::make_shared<outgoing>();
        out->from_batch_queue = true;
        out->carried.assign(std::make_move_iterator(batch_.begin()), std::make_move_iterator(batch_.begin() + n));
        batch_.erase(batch_.begin(), batch_.begin() + n);
        core::batch_body sent;
        if (n == batch_body_.size()) {
            sent = std::move(batch_body_); // the common case: the whole queue is one request
            batch_body_ = core::batch_body();
        } else {
            sent = batch_body_.slice(0, n);
            batch_body_ = batch_body_.slice(n, batch_body_.size());
        }
        out->request = std::make_shared<const core::wire_request>(
            core::build_batch_events_request(context_, sent.take(out->event_starts)));
        if (waiter) {
            ++waiter->remaining;
            out->waiters.push_back(waiter);
        }
        send(std::move(out), true);
    }
    if (batch_.empty() && batch_timer_armed_) {
        batch_timer_armed_ = false;
        batch_timer_.cancel();
    }
}

// ---------------------------------------------------------------------------------------------
// SDK thread: delivery and retries

void client_impl::send(std::shared_ptr<outgoing> out, bool first_attempt)
{
    if (first_attempt) {
        ++requests_outstanding_;
        out->first_attempt = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex_);
        stats_.queued -= out->carried.size();
        stats_.in_flight += out->carried.size();
    }
    if (outage_ && out != probe_ && !forced_)
        return hold(std::move(out));
    out->attempt_started = std::chrono::steady_clock::now();
    auto request = out->request;
    http_.async_send(std::move(request),
                     [self = shared_from_this(), out = std::move(out)](transport::exchange_result result) {
                         self->on_attempt(out, std::move(result));
                     });
}

void client_impl::on_attempt(const std::shared_ptr<outgoing>& out, transport::exchange_result result)
{
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - out->attempt_started);
    {
        std::lock_guard lock(mutex_);
        if (result.error != errc::shutting_down) // as request_latency: an attempt that ended on its own
            ++stats_.attempts;
        if (result.bytes_sent != 0) // written to a socket: queued-at-shutdown and refused ones are not
            ++stats_.requests_sent;
        stats_.bytes_sent += result.bytes_sent;
        if (result.error != errc::shutting_down) // cut short by us, not an answer's latency
            stats_.request_latency.record(latency);
    }
    if (result.error == errc::shutting_down)
        return finish_request(*out, result.error, result.status, true);

    core::attempt_outcome outcome;
    outcome.transport_error = result.error;
    outcome.status = result.status;
    outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                            out->first_attempt - out->held);
    outcome.until_deadline = shutting_down_ && !forced_; // retried until the shutdown deadline, at least
    if (result.retry_after)
        outcome.retry_after = core::parse_retry_after(*result.retry_after, std::chrono::system_clock::now());
    // Only a batch body can be split on 413; any other request counts as one indivisible event.
    outcome.events = out->event_starts.empty() ? 1 : out->carried.size();
    const auto decision = core::decide_retry(outcome, out->retries, retry_policy_, next_random());

    const std::string what = result.error ? result.detail : "HTTP " + std::to_string(result.status);
    if (!forced_) {
        if (!core::signals_unreachable(outcome)) {
            if (outage_)
                end_outage(); // any answer, even a 5xx: the collector is reachable again
        } else if (!outage_) {
            outage_ = true;
            probe_ = out;
            log_.warn("collector unreachable (" + what +
                      "): holding the other requests and probing with one at the backoff interval");
        } else if (out != probe_) {
            // Sent before the outage was seen: it waits too, its budget untouched; its next attempt is a
            // resend (counted in retries, not charged to it).
            ++out->resends;
            {
                std::lock_guard lock(mutex_);
                ++stats_.retries;
            }
            return hold(out);
        }
    }
    if (decision.action == core::verdict::success)
        return finish_request(*out, {}, result.status, false);
    if (forced_) // past the shutdown deadline nothing is retried or split
        return finish_request(*out, make_error_code(errc::shutting_down), result.status, true);
    switch (decision.action) {
    case core::verdict::success:
        break;
    case core::verdict::split:
        log_.warn("collector answered 413 for a batch of " + std::to_string(out->carried.size()) +
                  " events: splitting it in halves");
        return split_and_resend(out);
    case core::verdict::fail:
        if (decision.error == errc::http_unauthorized)
            log_.error("collector refused the request with " + what +
                       ": check the SDK key and account id in the settings file");
        else if (decision.error == errc::proxy_auth_required)
            log_.error("delivery failed for good (" + decision.error.message() + "): " + what +
                       ": check the user and password (percent-encoded) in proxy.url or the proxy variable");
        else
            log_.error("delivery failed for good (" + decision.error.message() + "): " + what);
        if (out == probe_) {
            finish_request(*out, decision.error, result.status, false);
            return next_probe();
        }
        return finish_request(*out, decision.error, result.status, false);
    case core::verdict::retry:
        break;
    }
    ++out->retries;
    {
        std::lock_guard lock(mutex_);
        ++stats_.retries;
        stats_.last_error = result.error ? result.error : make_error_code(errc::retries_exhausted);
    }
    // The warning names only the cause, so that an outage failing every request the same way is
    // one line per second plus "(repeated N times)" from the logger, not one line per attempt.
    log_.warn("delivery attempt failed (" + what + "); retrying with backoff");
    if (log_.enabled(log_level::debug))
        log_.debug("retry " + std::to_string(out->retries) + " of a request carrying " +
                   std::to_string(out->carried.size()) + " event(s) in " + std::to_string(decision.delay.count()) +
                   " ms");
    auto timer = std::make_shared<asio::steady_timer>(exec_, decision.delay);
    retry_timers_.insert(timer);
    timer->async_wait([self = shared_from_this(), out, timer](error_code ec) {
        self->retry_timers_.erase(timer);
        if (ec || self->forced_)
            return self->finish_request(*out, make_error_code(errc::shutting_down), 0, true);
        self->send(out, false);
    });
}

void client_impl::split_and_resend(const std::shared_ptr<outgoing>& out)
{
    const std::size_t half = out->carried.size() / 2;
    for (int part = 0; part < 2; ++part) {
        auto piece = std::make_shared<outgoing>();
        const std::size_t from = part == 0 ? 0 : half;
        const std::size_t to = part == 0 ? half : out->carried.size();
        piece->carried.assign(out->carried.begin() + from, out->carried.begin() + to);
        core::batch_body body;
        for (std::size_t i = from; i < to; ++i)
            body.append_rendered(core::batch_body::event_in(out->request->body, out->event_starts, i));
        piece->from_batch_queue = out->from_batch_queue;
        piece->first_attempt = out->first_attempt; // the halves share the parent's budget
        piece->held = out->held;
        piece->waiters = out->waiters;
        for (auto& w : piece->waiters)
            ++w->remaining;
        piece->request = std::make_shared<const core::wire_request>(
            core::build_batch_events_request(context_, body.take(piece->event_starts)));
        ++requests_outstanding_;
        send(std::move(piece), false);
    }
    // The parent hands its keys to the halves: it finishes with nothing to report.
    for (auto& w : out->waiters)
        if (--w->remaining == 0)
            complete_flush(*w);
    out->carried.clear();
    out->waiters.clear();
    --requests_outstanding_;
    maybe_finish_shutdown();
}

void client_impl::hold(std::shared_ptr<outgoing> out)
{
    out->held_since = std::chrono::steady_clock::now();
    held_.push_back(std::move(out));
}

void client_impl::end_outage()
{
    outage_ = false;
    probe_.reset();
    auto released = std::exchange(held_, {});
    if (!released.empty())
        log_.info("collector reachable again: sending " + std::to_string(released.size()) + " held request(s)");
    const auto now = std::chrono::steady_clock::now();
    for (auto& out : released) {
        out->held += now - out->held_since;
        send(std::move(out), false);
    }
}

void client_impl::next_probe()
{
    probe_.reset();
    if (held_.empty()) {
        outage_ = false; // nothing waits: the next request finds out for itself
        return;
    }
    probe_ = std::move(held_.front());
    held_.pop_front();
    probe_->held += std::chrono::steady_clock::now() - probe_->held_since;
    send(probe_, false);
}

void client_impl::finish_request(outgoing& out, error_code ec, unsigned status, bool shutdown_drop)
{
    const std::uint64_t n = out.carried.size();
    std::uint64_t bytes = 0;
    for (const auto& key : out.carried)
        bytes += key.bytes;
    {
        std::lock_guard lock(mutex_);
        stats_.in_flight -= n;
        if (!ec)
            stats_.delivered += n;
        else if (shutdown_drop)
            stats_.dropped_shutdown += n;
        else if (ec == errc::retries_exhausted)
            stats_.failed_retries_exhausted += n;
        else if (ec == errc::http_rejected || ec == errc::http_unauthorized || ec == errc::payload_too_large)
            stats_.failed_rejected += n;
        else
            stats_.failed_other += n;
        if (ec)
            stats_.last_error = ec;
        pending_events_ -= n;
        pending_bytes_ -= bytes;
    }
    if (out.from_batch_queue && options_.batch_events->flush_callback) {
        try {
            options_.batch_events->flush_callback(ec, out.request->body);
        } catch (...) {
            log_.error("flush_callback threw an exception; ignored");
        }
    }
    for (auto& key : out.carried) {
        if (!key.op)
            continue;
        push_completion& c = *key.op->completion;
        c.result.keys[key.index].error = ec;
        if (status != 0)
            c.result.http_status = status;
        c.result.attempts += out.retries + out.resends + 1;
        if (ec && !c.first_error)
            c.first_error = ec;
        if (--c.outstanding == 0)
            complete_op(*key.op);
    }
    for (auto& w : out.waiters) {
        if (ec && !w->error)
            w->error = ec;
        if (--w->remaining == 0)
            complete_flush(*w);
    }
    out.carried.clear();
    out.waiters.clear();
    --requests_outstanding_;
    maybe_finish_shutdown();
}

void client_impl::complete_op(push_op& op)
{
    push_completion& c = *op.completion;
    if (std::exchange(c.completed, true))
        return;
    auto handler = std::move(c.handler);
    auto work = std::move(c.work);
    asio::dispatch(work, contain([handler = std::move(handler), ec = c.first_error, result = c.result]() mutable {
        handler.get_cancellation_slot().clear();
        std::move(handler)(ec, std::move(result));
    }));
}

// ---------------------------------------------------------------------------------------------
// flush_events, opt-out

api_result<bool> client_impl::flush_events()
{
    if (promise_mode()) {
        never_broken_promise<bool> promise(false);
        auto future = promise.get_future();
        start_flush([p = std::move(promise)](error_code ec) mutable { p.set(!ec); });
        return api_result<bool>(std::move(future));
    }
    bool queued = false;
    {
        std::lock_guard lock(mutex_);
        queued = stats_.queued > 0 && accepting_;
    }
    if (!batch_mode() || !queued)
        return api_result<bool>(false);
    start_flush([](error_code) {});
    return api_result<bool>(true);
}

void client_impl::start_flush(detail::flush_handler handler)
{
    auto work = asio::prefer(asio::get_associated_executor(handler, exec_),
                             asio::execution::outstanding_work.tracked);
    // Constructed, never assigned: any_completion_handler's assignment in Boost 1.81 wraps
    // the source in itself and recurses without end (fixed in 1.82).
    auto waiter = std::make_shared<flush_waiter>(std::move(handler));
    waiter->work.emplace(std::move(work));
    {
        std::lock_guard lock(mutex_);
        if (!accepting_)
            waiter->error = make_error_code(errc::shutting_down);
    }
    if (!batch_mode())
        waiter->error = make_error_code(errc::nothing_to_flush);
    if (waiter->error) {
        auto work = std::move(*waiter->work);
        post_completion(waiter->handler, std::move(work), [waiter] {
            auto h = std::move(waiter->handler);
            std::move(h)(waiter->error);
        });
        return;
    }
    asio::post(exec_, [self = shared_from_this(), waiter] {
        self->drain_inbox(); // pushes accepted before this flush belong in it
        if (self->batch_.empty()) {
            waiter->error = make_error_code(errc::nothing_to_flush);
            return self->complete_flush(*waiter);
        }
        ++waiter->remaining; // hold it open while the requests are started
        self->flush_batch(true, waiter);
        if (--waiter->remaining == 0)
            self->complete_flush(*waiter);
    });
}

void client_impl::complete_flush(flush_waiter& waiter)
{
    if (!waiter.work)
        return;
    auto work = std::move(*waiter.work);
    waiter.work.reset();
    asio::dispatch(work, contain([handler = std::move(waiter.handler), ec = waiter.error]() mutable {
        std::move(handler)(ec);
    }));
}

void client_impl::set_opt_out()
{
    if (opted_out_.exchange(true))
        return;
    log_.info("opted out: no further requests are sent; queued batch events are flushed");
    asio::post(exec_, [self = shared_from_this()] {
        self->drain_inbox();
        if (self->batch_mode())
            self->flush_batch(true, nullptr);
    });
}

// ---------------------------------------------------------------------------------------------
// Shutdown

void client_impl::shutdown(std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = std::exchange(accepting_, false);
    }
    const bool inside = on_sdk_thread();
    if (first) {
        if (inside && own_ioc_)
            self_while_stopping_ = shared_from_this();
        asio::post(exec_, [self = shared_from_this(), until] { self->begin_shutdown(until); });
    }
    if (inside)
        return; // waiting here would wait for ourselves

    // begin_shutdown forces completion at the deadline; the margin covers handing over.
    const bool finished = stopped_.wait_until(until + std::chrono::milliseconds(100)) == std::future_status::ready;
    if (!own_ioc_)
        return; // the user's executor finishes what is left; our handlers keep us alive
    if (!finished)
        own_ioc_->stop();
    std::call_once(join_once_, [this] {
        if (thread_.joinable())
            thread_.join();
    });
}

void client_impl::begin_shutdown(std::chrono::steady_clock::time_point deadline)
{
    shutting_down_ = true;
    // Armed before anything below can finish the shutdown (which cancels it); armed after,
    // it would keep run() alive until the deadline for nothing.
    shutdown_timer_.expires_at(deadline);
    shutdown_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec)
            self->force_shutdown();
    });
    drain_inbox();
    if (batch_mode())
        flush_batch(true, nullptr);
    maybe_finish_shutdown();
}

void client_impl::force_shutdown()
{
    if (finished_)
        return;
    forced_ = true;
    std::uint64_t pending = 0;
    {
        std::lock_guard lock(mutex_);
        pending = stats_.in_flight + stats_.queued;
    }
    log_.warn("shutdown deadline reached with " + std::to_string(pending) +
              " events undelivered: completing them with shutting_down");
    http_.close(); // in-flight and queued sends complete with shutting_down
    for (const auto& timer : retry_timers_)
        timer->cancel();
    // Held during an outage: never sent again, dropped like everything else past the deadline.
    outage_ = false;
    probe_.reset();
    for (auto& out : std::exchange(held_, {}))
        finish_request(*out, make_error_code(errc::shutting_down), 0, true);
}

void client_impl::maybe_finish_shutdown()
{
    if (!shutting_down_ || finished_ || requests_outstanding_ != 0 || !batch_.empty())
        return;
    {
        std::lock_guard lock(mutex_);
        if (!inbox_.empty())
            return;
    }
    finished_ = true;
    shutdown_timer_.cancel();
    poll_timer_.cancel();
    batch_timer_.cancel();
    http_.close();
    work_ = asio::any_io_executor(); // lets our own io_context (or the user's) run out of work
    log_.flush_repeats();            // counts of suppressed repeats are not lost at exit
    stopped_promise_.set_value();
}

client_stats client_impl::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

} // namespace vwo
