// The decision APIs and track of client_impl, each written once
// (docs/async-model.md#implementation-shape-three-faces-one-algorithm): decide (opt-out, the decision on
// the current account snapshot, development mode), then report (the impression, if any, and the
// handler); run_track likewise. Caller's thread.

#include "engine/api_faces.hpp"
#include "engine/client_impl.hpp"

#include <vwo/error.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;
using engine::never_broken_promise;
using engine::push_op;

namespace {

/// The op that sends a decision's impression or a track's conversions, built with the snapshot the
/// decision was made on (so a settings swap in between cannot mix two accounts' data in one request).
std::shared_ptr<push_op> tracked_op(core::tracked_event event, std::string_view user_id,
                                    std::shared_ptr<const engine::account> account)
{
    auto op = std::make_shared<push_op>();
    op->user_id = std::string(user_id);
    op->tracked = std::make_unique<core::tracked_event>(std::move(event));
    op->snapshot = std::move(account);
    return op;
}

core::visitor_info visitor_of(const call_options& options)
{
    return core::visitor_info{options.user_agent, options.user_ip_address};
}

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

// ---------------------------------------------------------------------------------------------
// Decisions: decide (opt-out, the decision, development mode), then report (the impression, if any,
// and the handler)

template <class T>
engine::api_answer<T> client_impl::decide(const decision_args& call, const engine::account& account) const
{
    using api = detail::decision_request::api;
    static constexpr std::string_view names[] = {"activate", "get_variation_name", "is_feature_enabled",
                                                 "get_feature_variable_value"};
    engine::api_answer<T> answer;
    if (opted_out(names[static_cast<int>(call.which)])) {
        answer.error = make_error_code(errc::opted_out);
        return answer;
    }
    const auto& d = account.decisions;
    if constexpr (std::is_same_v<T, bool>)
        answer = d.is_feature_enabled(call.campaign_key, call.user_id, call.options);
    else if constexpr (std::is_same_v<T, std::optional<variable_value>>)
        answer = d.get_feature_variable_value(call.campaign_key, call.variable_key, call.user_id, call.options);
    else if (call.which == api::activate)
        answer = d.activate(call.campaign_key, call.user_id, call.options);
    else
        answer = d.get_variation_name(call.campaign_key, call.user_id, call.options);
    if (answer.impression && options_.development_mode) {
        log_->info("development mode: impression for campaign '" + answer.campaign->key + "' not sent");
        answer.impression.reset();
    }
    return answer;
}

template <class T>
void client_impl::report(engine::api_answer<T>& answer, const decision_args& call,
                         std::shared_ptr<const engine::account> account,
                         asio::any_completion_handler<void(error_code, T)> handler, early_completion early)
{
    if (!answer.impression) {
        if (handler)
            complete_soon(std::move(handler), answer.error, std::move(answer.value), early);
        return;
    }
    auto op = tracked_op({*answer.impression, visitor_of(call.options), false}, call.user_id, std::move(account));
    if (!handler) {
        if (start_op(std::move(op), {}, {}) == errc::shutting_down)
            log_->warn("impression for campaign '" + answer.campaign->key + "' not sent: the client is shut down");
        return;
    }
    // The impression's delivery ends the call: the op's completion forwards (error, decision) to the
    // caller's handler, on the caller's executor and with its cancellation slot. The decision is
    // passed whatever delivery did: a user keeps the variation when tracking fails
    // (docs/decisions.md#what-is-sent-and-when).
    auto slot = handler.get_cancellation_slot();
    auto ex = asio::get_associated_executor(handler, host_.executor());
    auto forward = [h = std::move(handler), value = std::move(answer.value)](error_code ec, push_result) mutable {
        std::move(h)(ec, std::move(value));
    };
    start_op(std::move(op), {answer.campaign->key},
             detail::push_handler(asio::bind_cancellation_slot(slot, asio::bind_executor(ex, std::move(forward)))));
}

template <class T>
api_result<T> client_impl::decide_now(const decision_args& call, bool promise)
{
    if (promise && with_async_storage()) {
        never_broken_promise<T> p(T{});
        auto future = p.get_future();
        decide_after_storage<T>(
            detail::decision_request{call.which, std::string(call.campaign_key), std::string(call.variable_key),
                                     std::string(call.user_id), call.options},
            [p = std::move(p)](error_code, T value) mutable { p.set(std::move(value)); });
        return api_result<T>(std::move(future));
    }
    auto account = account_.load(); // one snapshot for the whole call, the impression included
    auto answer = decide<T>(call, *account);
    if (!promise) {
        report<T>(answer, call, std::move(account), {});
        return api_result<T>(std::move(answer.value));
    }
    never_broken_promise<T> p(answer.value);
    auto future = p.get_future();
    report<T>(answer, call, std::move(account),
              [p = std::move(p)](error_code, T value) mutable { p.set(std::move(value)); },
              early_completion::at_once);
    return api_result<T>(std::move(future));
}

template <class T>
void client_impl::decide_later(const detail::decision_request& r,
                               asio::any_completion_handler<void(error_code, T)> handler)
{
    if (with_async_storage())
        return decide_after_storage<T>(r, std::move(handler));
    const decision_args call{r.which, r.campaign_key, r.variable_key, r.user_id, r.options};
    auto account = account_.load(); // one snapshot for the whole call, the impression included
    auto answer = decide<T>(call, *account);
    report<T>(answer, call, std::move(account), std::move(handler));
}

/// The async and promise faces with client_options::async_user_storage: the records the decision may read
/// are fetched first (bounded by storage_deadline), the decision is made on the SDK thread with them, its
/// storage writes are made (bounded likewise), then it is reported as usual. No thread waits.
template <class T>
void client_impl::decide_after_storage(detail::decision_request request,
                                       asio::any_completion_handler<void(error_code, T)> handler)
{
    struct pending {
        detail::decision_request request;
        asio::any_completion_handler<void(error_code, T)> handler;
        std::shared_ptr<const engine::account> account; ///< one snapshot for the whole call
        engine::api_answer<T> answer;
        decision_args args() const
        {
            return {request.which, request.campaign_key, request.variable_key, request.user_id, request.options};
        }
    };
    auto state = std::make_shared<pending>(pending{std::move(request), std::move(handler), account_.load(), {}});
    auto keys = state->account->decisions.storage_keys(state->request.campaign_key);
    const std::string user = state->request.user_id;
    storage_bridge_->prefetch(user, std::move(keys), [self = shared_from_this(),
                                                      state](std::shared_ptr<engine::storage_prefetch> records) {
        {
            engine::async_storage_bridge::call_scope scope(*records);
            state->answer = self->decide<T>(state->args(), *state->account);
        }
        self->storage_bridge_->write(std::move(records->writes), [self, state] {
            self->report<T>(state->answer, state->args(), state->account, std::move(state->handler));
        });
    });
}

api_result<std::optional<std::string>> client_impl::activate(std::string_view campaign_key, std::string_view user_id,
                                                            const call_options& options)
{
    return decide_now<std::optional<std::string>>({detail::decision_request::api::activate, campaign_key, {}, user_id,
                                                   options},
                                                  promise_mode(options_.return_promise_for.activate));
}

api_result<std::optional<std::string>> client_impl::get_variation_name(std::string_view campaign_key,
                                                                      std::string_view user_id,
                                                                      const call_options& options)
{
    return decide_now<std::optional<std::string>>({detail::decision_request::api::get_variation_name, campaign_key,
                                                   {}, user_id, options},
                                                  promise_mode(options_.return_promise_for.get_variation_name));
}

api_result<bool> client_impl::is_feature_enabled(std::string_view campaign_key, std::string_view user_id,
                                                 const call_options& options)
{
    return decide_now<bool>({detail::decision_request::api::is_feature_enabled, campaign_key, {}, user_id, options},
                            promise_mode(options_.return_promise_for.is_feature_enabled));
}

api_result<std::optional<variable_value>> client_impl::get_feature_variable_value(std::string_view campaign_key,
                                                                                 std::string_view variable_key,
                                                                                 std::string_view user_id,
                                                                                 const call_options& options)
{
    return decide_now<std::optional<variable_value>>(
        {detail::decision_request::api::get_feature_variable_value, campaign_key, variable_key, user_id, options},
        promise_mode(options_.return_promise_for.get_feature_variable_value));
}

void client_impl::start_decision(const detail::decision_request& r, detail::variation_handler handler)
{
    decide_later<std::optional<std::string>>(r, std::move(handler));
}

void client_impl::start_decision(const detail::decision_request& r, detail::feature_handler handler)
{
    decide_later<bool>(r, std::move(handler));
}

void client_impl::start_decision(const detail::decision_request& r, detail::variable_handler handler)
{
    decide_later<std::optional<variable_value>>(r, std::move(handler));
}

// ---------------------------------------------------------------------------------------------
// track

bool client_impl::run_track(const track_args& call, detail::track_handler handler, early_completion early)
{
    if (handler && with_async_storage()) {
        track_after_storage(detail::track_request{call.campaigns, std::string(call.user_id),
                                                  std::string(call.goal_identifier), call.options},
                            std::move(handler));
        return true;
    }
    auto account = account_.load(); // one snapshot for the whole call, the conversions included
    auto answer = decide_track(call, *account);
    return report_track(answer, call, std::move(account), std::move(handler), early);
}

engine::track_answer client_impl::decide_track(const track_args& call, const engine::account& account) const
{
    engine::track_answer answer;
    if (opted_out("track"))
        answer.error = make_error_code(errc::opted_out);
    else
        answer = account.decisions.track(call.campaigns, call.user_id, call.goal_identifier, call.options);
    if (answer.goal && options_.development_mode) {
        log_->info("development mode: goal '" + std::string(call.goal_identifier) + "' not sent");
        answer.goal.reset(); // tracked campaigns keep their empty error: "accepted", as push does
    }
    return answer;
}

void client_impl::track_after_storage(detail::track_request request, detail::track_handler handler)
{
    // As decide_after_storage: read what track may read, decide on the SDK thread, write, then report.
    struct pending {
        detail::track_request request;
        detail::track_handler handler;
        std::shared_ptr<const engine::account> account;
        engine::track_answer answer;
        track_args args() const { return {request.campaigns, request.user_id, request.goal_identifier, request.options}; }
    };
    auto state = std::make_shared<pending>(pending{std::move(request), std::move(handler), account_.load(), {}});
    auto keys = state->account->decisions.storage_keys(state->request.campaigns, state->request.goal_identifier);
    const std::string user = state->request.user_id;
    storage_bridge_->prefetch(user, std::move(keys), [self = shared_from_this(),
                                                      state](std::shared_ptr<engine::storage_prefetch> records) {
        {
            engine::async_storage_bridge::call_scope scope(*records);
            state->answer = self->decide_track(state->args(), *state->account);
        }
        self->storage_bridge_->write(std::move(records->writes), [self, state] {
            self->report_track(state->answer, state->args(), state->account, std::move(state->handler),
                               early_completion::posted);
        });
    });
}

bool client_impl::report_track(engine::track_answer& answer, const track_args& call,
                               std::shared_ptr<const engine::account> account, detail::track_handler handler,
                               early_completion early)
{
    auto keys = tracked_keys(answer.result);
    if (!answer.goal) {
        const error_code ec = keys.empty() ? untracked_reason(answer) : error_code{};
        if (handler)
            complete_soon(std::move(handler), ec, std::move(answer.result), early);
        return !ec;
    }
    auto op = tracked_op({std::move(*answer.goal), visitor_of(call.options), answer.legacy_batch}, call.user_id,
                         std::move(account));
    if (!handler)
        return !start_op(std::move(op), {}, {});
    // The conversions' delivery ends the call; each tracked campaign gets its key's outcome.
    auto slot = handler.get_cancellation_slot();
    auto ex = asio::get_associated_executor(handler, host_.executor());
    auto forward = [h = std::move(handler), result = std::move(answer.result)](error_code ec,
                                                                               push_result delivery) mutable {
        std::size_t next = 0;
        for (auto& c : result.campaigns)
            if (c.tracked && next < delivery.keys.size())
                c.error = delivery.keys[next++].error;
        result.http_status = delivery.http_status;
        result.attempts = delivery.attempts;
        std::move(h)(ec, std::move(result));
    };
    return !start_op(std::move(op), std::move(keys),
                     detail::push_handler(
                         asio::bind_cancellation_slot(slot, asio::bind_executor(ex, std::move(forward)))));
}

api_result<bool> client_impl::track(const campaign_specifier& campaigns, std::string_view user_id,
                                    std::string_view goal_identifier, const call_options& options)
{
    const track_args call{campaigns, user_id, goal_identifier, options};
    if (!promise_mode(options_.return_promise_for.track))
        return api_result<bool>(run_track(call, {}));
    never_broken_promise<bool> p(false);
    auto future = p.get_future();
    run_track(call, [p = std::move(p)](error_code ec, track_result) mutable { p.set(!ec); },
              early_completion::at_once);
    return api_result<bool>(std::move(future));
}

void client_impl::start_track(const detail::track_request& r, detail::track_handler handler)
{
    run_track({r.campaigns, r.user_id, r.goal_identifier, r.options}, std::move(handler));
}

} // namespace vwo
