#include "engine/delivery_ledger.hpp"

#include "engine/completion.hpp"

#include <boost/asio/dispatch.hpp>

namespace vwo::engine {

using boost::system::error_code;

void delivery_ledger::finish(outgoing& out, error_code ec, unsigned status, bool shutdown_drop)
{
    std::uint64_t bytes = 0;
    for (const auto& key : out.carried)
        bytes += key.bytes;
    counters_.count_finished(out.carried.size(), bytes, ec, shutdown_drop);
    if (out.from_batch_queue && flush_callback_) {
        try {
            flush_callback_(ec, out.request->body);
        } catch (...) {
            log_->error("flush_callback threw an exception; ignored");
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
}

void delivery_ledger::hand_over(outgoing& parent)
{
    for (auto& w : parent.waiters)
        if (--w->remaining == 0)
            complete_flush(*w);
    parent.carried.clear();
    parent.waiters.clear();
}

void delivery_ledger::complete_op(push_op& op)
{
    push_completion& c = *op.completion;
    if (std::exchange(c.completed, true))
        return;
    auto handler = std::move(c.handler);
    auto work = std::move(c.work);
    boost::asio::dispatch(work, contain(log_, [handler = std::move(handler), ec = c.first_error,
                                               result = c.result]() mutable {
        handler.get_cancellation_slot().clear();
        std::move(handler)(ec, std::move(result));
    }));
}

void delivery_ledger::complete_flush(flush_waiter& waiter)
{
    if (!waiter.work)
        return;
    auto work = std::move(*waiter.work);
    waiter.work.reset();
    if (!waiter.handler)
        return; // the immediate face: nobody waits
    boost::asio::dispatch(work, contain(log_, [handler = std::move(waiter.handler), ec = waiter.error]() mutable {
        std::move(handler)(ec);
    }));
}

} // namespace vwo::engine
