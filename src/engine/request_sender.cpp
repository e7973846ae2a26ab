#include "engine/request_sender.hpp"

#include <vwo/error.hpp>

#include <string>

namespace vwo::engine {

using boost::system::error_code;

request_sender::request_sender(transport::transport& wire, clock& time, admission& counters,
                               delivery_ledger& ledger, core::retry_policy policy, const logger& log,
                               std::function<void()> on_request_done, std::weak_ptr<void> owner)
    : wire_(wire), clock_(time), counters_(counters), ledger_(ledger), policy_(policy), log_(log),
      on_request_done_(std::move(on_request_done)), owner_(std::move(owner))
{
}

double request_sender::next_random()
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

void request_sender::send_new(std::shared_ptr<outgoing> out)
{
    ++outstanding_;
    out->first_attempt = clock_.now();
    counters_.count_sent(out->carried.size());
    send(std::move(out));
}

void request_sender::send(std::shared_ptr<outgoing> out)
{
    if (outage_ && out != probe_ && !forced_)
        return hold(std::move(out));
    out->attempt_started = clock_.now();
    auto request = out->request;
    wire_.async_send(std::move(request),
                     [this, keep = owner_.lock(), out = std::move(out)](transport::exchange_result result) {
                         on_attempt(out, std::move(result));
                     });
}

void request_sender::on_attempt(const std::shared_ptr<outgoing>& out, transport::exchange_result result)
{
    const auto now = clock_.now();
    const bool cut_short = result.error == errc::shutting_down; // by us: not an answer, not a latency
    counters_.count_attempt(cut_short, result.bytes_sent,
                            std::chrono::duration_cast<std::chrono::microseconds>(now - out->attempt_started));
    if (cut_short)
        return finish(*out, result.error, result.status, true);

    core::attempt_outcome outcome;
    outcome.transport_error = result.error;
    outcome.status = result.status;
    outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - out->first_attempt - out->held);
    outcome.until_deadline = shutting_down_ && !forced_; // retried until the shutdown deadline, at least
    if (result.retry_after)
        if (auto delay = core::read_retry_after(*result.retry_after, std::chrono::system_clock::now()))
            outcome.retry_after = *delay;
    // Only a batch body can be split on 413; any other request counts as one indivisible event.
    outcome.events = out->event_starts.empty() ? 1 : out->carried.size();
    const auto decision = core::decide_retry(outcome, out->retries, policy_, next_random());

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
            counters_.count_retry({});
            return hold(out);
        }
    }
    if (decision.action == core::verdict::success)
        return finish(*out, {}, result.status, false);
    if (forced_) // past the shutdown deadline nothing is retried or split
        return finish(*out, make_error_code(errc::shutting_down), result.status, true);
    if (decision.action == core::verdict::split) {
        log_.warn("collector answered 413 for a batch of " + std::to_string(out->carried.size()) +
                  " events: splitting it in halves");
        return split_and_resend(out);
    }
    if (decision.action == core::verdict::fail) {
        if (decision.error == errc::http_unauthorized)
            log_.error("collector refused the request with " + what +
                       ": check the SDK key and account id in the settings file");
        else if (decision.error == errc::proxy_auth_required)
            log_.error("delivery failed for good (" + decision.error.message() + "): " + what +
                       ": check the user and password (percent-encoded) in proxy.url or the proxy variable");
        else
            log_.error("delivery failed for good (" + decision.error.message() + "): " + what);
        const bool was_probe = out == probe_;
        finish(*out, decision.error, result.status, false);
        if (was_probe)
            next_probe();
        return;
    }
    ++out->retries;
    counters_.count_retry(result.error ? result.error : make_error_code(errc::retries_exhausted));
    // The warning names only the cause, so that an outage failing every request the same way is
    // one line per second plus "(repeated N times)" from the logger, not one line per attempt.
    log_.warn("delivery attempt failed (" + what + "); retrying with backoff");
    if (log_.enabled(log_level::debug))
        log_.debug("retry " + std::to_string(out->retries) + " of a request carrying " +
                   std::to_string(out->carried.size()) + " event(s) in " + std::to_string(decision.delay.count()) +
                   " ms");
    retry_later(out, decision.delay);
}

void request_sender::retry_later(const std::shared_ptr<outgoing>& out, std::chrono::milliseconds delay)
{
    // The handler finds its own wait in retry_waits_ to remove it: waits never complete inside wait(),
    // so the slot is filled before the handler can run.
    auto slot = std::make_shared<std::shared_ptr<clock::timer>>();
    auto wait = clock_.wait(delay, [this, keep = owner_.lock(), out, slot](error_code ec) {
        retry_waits_.erase(*slot);
        if (ec || forced_)
            return finish(*out, make_error_code(errc::shutting_down), 0, true);
        send(out);
    });
    *slot = wait;
    retry_waits_.insert(std::move(wait));
}

void request_sender::split_and_resend(const std::shared_ptr<outgoing>& out)
{
    const std::size_t half = out->carried.size() / 2;
    for (int part = 0; part < 2; ++part) {
        auto piece = std::make_shared<outgoing>();
        const std::size_t from = part == 0 ? 0 : half;
        const std::size_t to = part == 0 ? half : out->carried.size();
        piece->carried.assign(out->carried.begin() + static_cast<std::ptrdiff_t>(from),
                              out->carried.begin() + static_cast<std::ptrdiff_t>(to));
        core::batch_body body;
        for (std::size_t i = from; i < to; ++i)
            body.append_rendered(core::batch_body::event_in(out->request->body, out->event_starts, i));
        piece->from_batch_queue = out->from_batch_queue;
        piece->first_attempt = out->first_attempt; // the halves share the parent's budget
        piece->held = out->held;
        piece->waiters = out->waiters;
        for (auto& w : piece->waiters)
            ++w->remaining;
        // The same request with half the body: target, key and headers do not depend on the events.
        auto request = std::make_shared<core::wire_request>(*out->request);
        request->body = body.take(piece->event_starts);
        piece->request = std::move(request);
        ++outstanding_;
        send(std::move(piece));
    }
    ledger_.hand_over(*out);
    --outstanding_;
    on_request_done_();
}

void request_sender::hold(std::shared_ptr<outgoing> out)
{
    out->held_since = clock_.now();
    held_.push_back(std::move(out));
}

void request_sender::end_outage()
{
    outage_ = false;
    probe_.reset();
    auto released = std::exchange(held_, {});
    if (!released.empty())
        log_.info("collector reachable again: sending " + std::to_string(released.size()) + " held request(s)");
    const auto now = clock_.now();
    for (auto& out : released) {
        out->held += now - out->held_since;
        send(std::move(out));
    }
}

void request_sender::next_probe()
{
    probe_.reset();
    if (held_.empty()) {
        outage_ = false; // nothing waits: the next request finds out for itself
        return;
    }
    probe_ = std::move(held_.front());
    held_.pop_front();
    probe_->held += clock_.now() - probe_->held_since;
    send(probe_);
}

void request_sender::force()
{
    forced_ = true;
    wire_.close(); // in-flight and queued sends complete with shutting_down
    for (const auto& wait : retry_waits_)
        wait->cancel();
    // Held during an outage: never sent again, dropped like everything else past the deadline.
    outage_ = false;
    probe_.reset();
    for (auto& out : std::exchange(held_, {}))
        finish(*out, make_error_code(errc::shutting_down), 0, true);
}

void request_sender::finish(outgoing& out, error_code ec, unsigned status, bool shutdown_drop)
{
    ledger_.finish(out, ec, status, shutdown_drop);
    --outstanding_;
    on_request_done_();
}

} // namespace vwo::engine
