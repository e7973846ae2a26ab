// The API operations of client_impl, each written once
// (docs/async-model.md#implementation-shape-three-faces-one-algorithm): run_push and run_flush here,
// the decisions and run_track in client_decisions.cpp. Each
// takes a handler: the immediate face passes none and returns the verdict, the promise face passes one
// that fills a future, and the async_* face passes the caller's. Also the steps they share (screening,
// admission, early completion). Everything here runs on the caller's thread.

#include "core/validation.hpp"
#include "engine/api_faces.hpp"
#include "engine/client_impl.hpp"
#include "engine/completion.hpp"

#include <vwo/error.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;
using engine::never_broken_promise;
using engine::push_op;

namespace {

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

} // namespace

// ---------------------------------------------------------------------------------------------
// Shared steps

bool client_impl::opted_out(std::string_view api) const
{
    if (!opted_out_.load(std::memory_order_acquire))
        return false;
    log_->info(std::string(api) + " ignored: the client has opted out");
    return true;
}

std::optional<error_code> client_impl::screen(const push_op& op)
{
    if (auto valid = core::check_push(op.dims, op.user_id); !valid) {
        admission_.count_rejected_invalid();
        log_->error(valid.error().message);
        return make_error_code(errc::invalid_argument);
    }
    if (opted_out_.load(std::memory_order_acquire)) {
        admission_.count_rejected_opted_out();
        log_->info("push ignored: the client has opted out");
        return make_error_code(errc::opted_out);
    }
    if (options_.development_mode) {
        log_->info("development mode: push of " + describe_keys(op.dims) + " for user \"" + op.user_id +
                   "\" validated, not sent");
        return error_code{};
    }
    return std::nullopt;
}

error_code client_impl::admit(std::shared_ptr<push_op> op)
{
    // An impression or goal decided just before set_opt_out() returned is not sent either.
    if (op->tracked && opted_out_.load(std::memory_order_acquire)) {
        admission_.count_rejected_opted_out();
        return make_error_code(errc::opted_out);
    }
    const auto verdict = admission_.admit(std::move(op));
    // Waking the SDK thread is a system call on this thread (~2 us). It is paid once per busy
    // period: while pushes keep coming the SDK thread polls the inbox (poll_inbox) instead.
    if (verdict.wake)
        asio::post(host_.executor(), [self = shared_from_this()] { self->poll_inbox(); });
    return verdict.error;
}

error_code client_impl::start_op(std::shared_ptr<push_op> op, std::vector<std::string> keys,
                                 detail::push_handler handler)
{
    asio::cancellation_slot slot;
    if (handler) {
        slot = handler.get_cancellation_slot();
        auto work = asio::prefer(asio::get_associated_executor(handler, host_.executor()),
                                 asio::execution::outstanding_work.tracked);
        // Constructed in place, never assigned (any_completion_handler assignment recurses in Boost 1.81).
        op->completion.reset(new engine::push_completion{std::move(handler), std::move(work), {}, {}, 0, false});
        op->completion->result.keys.reserve(keys.size());
        for (auto& key : keys)
            op->completion->result.keys.push_back({std::move(key), {}});
    }
    if (!op->tracked) { // impressions and goals were checked when the decision was made
        if (auto ends_here = screen(*op)) {
            if (op->completion)
                complete_early(op, *ends_here);
            return *ends_here;
        }
    }
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
            asio::post(self->host_.executor(), [self, weak_op] {
                if (auto op = weak_op.lock(); op && !op->completion->completed) {
                    op->completion->first_error = asio::error::operation_aborted;
                    self->ledger_.complete_op(*op);
                }
            });
        });
    }
    auto reported = op->completion ? op : nullptr;
    error_code ec = admit(std::move(op));
    if (ec && reported)
        complete_early(reported, ec);
    return ec;
}

void client_impl::complete_early(const std::shared_ptr<push_op>& op, error_code ec)
{
    auto& c = *op->completion;
    for (auto& key : c.result.keys)
        key.error = ec;
    c.first_error = ec;
    c.completed = true;
    auto work = std::move(c.work);
    host_.post_completion(c.handler, std::move(work), engine::contain(log_, [op, ec]() mutable {
        auto handler = std::move(op->completion->handler);
        handler.get_cancellation_slot().clear();
        std::move(handler)(ec, std::move(op->completion->result));
    }));
}

template <class T>
void client_impl::complete_soon(asio::any_completion_handler<void(error_code, T)> handler, error_code ec, T value,
                                early_completion early)
{
    if (early == early_completion::at_once)
        return engine::contain(log_, [&] { std::move(handler)(ec, std::move(value)); })();
    // Held in a shared state so that reading the handler's executor and moving the handler are
    // never in one expression (their order would be unspecified).
    struct pending {
        asio::any_completion_handler<void(error_code, T)> handler;
        error_code error;
        T value;
    };
    auto state = std::make_shared<pending>(pending{std::move(handler), ec, std::move(value)});
    auto work = asio::prefer(asio::get_associated_executor(state->handler, host_.executor()),
                             asio::execution::outstanding_work.tracked);
    host_.post_completion(state->handler, std::move(work), engine::contain(log_, [state] {
        auto h = std::move(state->handler);
        std::move(h)(state->error, std::move(state->value));
    }));
}

// The values the decision and track calls complete with (client_decisions.cpp).
template void client_impl::complete_soon(asio::any_completion_handler<void(error_code, std::optional<std::string>)>,
                                         error_code, std::optional<std::string>, early_completion);
template void client_impl::complete_soon(asio::any_completion_handler<void(error_code, bool)>, error_code, bool,
                                         early_completion);
template void client_impl::complete_soon(
    asio::any_completion_handler<void(error_code, std::optional<variable_value>)>, error_code,
    std::optional<variable_value>, early_completion);
template void client_impl::complete_soon(asio::any_completion_handler<void(error_code, track_result)>, error_code,
                                         track_result, early_completion);

// ---------------------------------------------------------------------------------------------
// push

error_code client_impl::run_push(detail::dimension_list list, std::string user_id, detail::push_handler handler)
{
    auto op = std::make_shared<push_op>();
    op->dims = std::move(list);
    op->user_id = std::move(user_id);
    std::vector<std::string> keys;
    if (handler) { // the immediate face reports no keys: it allocates nothing for them
        keys.reserve(op->dims.size());
        for (const auto& d : op->dims)
            keys.push_back(d.key);
    }
    return start_op(std::move(op), std::move(keys), std::move(handler));
}

api_result<bool> client_impl::push(detail::dimension_list list, std::string_view user_id)
{
    if (!promise_mode(options_.return_promise_for.push))
        return api_result<bool>(!run_push(std::move(list), std::string(user_id), {}));
    never_broken_promise<bool> p(false);
    auto future = p.get_future();
    run_push(std::move(list), std::string(user_id), [p = std::move(p)](error_code ec, push_result) mutable {
        p.set(!ec);
    });
    return api_result<bool>(std::move(future));
}

void client_impl::start_push(detail::dimension_list list, std::string user_id, detail::push_handler handler)
{
    run_push(std::move(list), std::move(user_id), std::move(handler));
}

// ---------------------------------------------------------------------------------------------
// flush_events

error_code client_impl::run_flush(detail::flush_handler handler)
{
    error_code early;
    if (!batch_mode())
        early = make_error_code(errc::nothing_to_flush);
    else if (!admission_.accepting())
        early = make_error_code(errc::shutting_down);
    else if (!admission_.has_queued_events())
        early = make_error_code(errc::nothing_to_flush);
    auto waiter = std::make_shared<engine::flush_waiter>(std::move(handler));
    if (waiter->handler)
        waiter->work.emplace(asio::prefer(asio::get_associated_executor(waiter->handler, host_.executor()),
                                          asio::execution::outstanding_work.tracked));
    if (early) {
        if (waiter->handler) {
            auto work = std::move(*waiter->work);
            host_.post_completion(waiter->handler, std::move(work), engine::contain(log_, [waiter, early] {
                auto h = std::move(waiter->handler);
                std::move(h)(early);
            }));
        }
        return early;
    }
    asio::post(host_.executor(), [self = shared_from_this(), waiter] {
        self->drain_inbox(); // pushes accepted before this flush belong in it
        if (self->batch_->empty()) {
            waiter->error = make_error_code(errc::nothing_to_flush);
            return self->ledger_.complete_flush(*waiter);
        }
        ++waiter->remaining; // hold it open while the requests are started
        self->batch_->flush(true, waiter);
        if (--waiter->remaining == 0)
            self->ledger_.complete_flush(*waiter);
    });
    return {};
}

api_result<bool> client_impl::flush_events()
{
    if (!promise_mode(options_.return_promise_for.push))
        return api_result<bool>(!run_flush({}));
    never_broken_promise<bool> p(false);
    auto future = p.get_future();
    run_flush([p = std::move(p)](error_code ec) mutable { p.set(!ec); });
    return api_result<bool>(std::move(future));
}

void client_impl::start_flush(detail::flush_handler handler)
{
    run_flush(std::move(handler));
}

} // namespace vwo
