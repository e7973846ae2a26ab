#pragma once

// Attempts, retries and outages (docs/reliability.md R3): hands each request to the transport, decides
// after every attempt whether it succeeded, is retried after a backoff, is split (413 on a batch) or
// failed, and while the collector cannot be reached lets one request probe while the others wait.

#include "core/retry_policy.hpp"
#include "engine/admission.hpp"
#include "engine/clock.hpp"
#include "engine/delivery_ledger.hpp"
#include "engine/logger.hpp"
#include "engine/operation.hpp"
#include "transport/transport.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <set>

namespace vwo::engine {

/// Thread-safety: the SDK thread (the engine's strand) only; the transport and the clock run their
/// handlers there.
class request_sender {
public:
    /// `on_request_done` runs after each request finished (the owner checks whether shutdown is done);
    /// `owner` is kept alive while an attempt or a retry wait is pending.
    request_sender(transport::transport& wire, clock& time, admission& counters, delivery_ledger& ledger,
                   core::retry_policy policy, const logger& log, std::function<void()> on_request_done,
                   std::weak_ptr<void> owner);

    /// A new request: counted in flight, then sent (or held during an outage).
    void send_new(std::shared_ptr<outgoing> out);
    /// From now on retries run until the shutdown deadline at least.
    void begin_shutdown() noexcept { shutting_down_ = true; }
    /// The shutdown deadline passed: the transport is closed, retry waits end, held requests are dropped;
    /// everything still pending finishes with shutting_down.
    void force();
    /// Requests in flight or waiting to retry.
    std::size_t outstanding() const noexcept { return outstanding_; }

private:
    void send(std::shared_ptr<outgoing> out);
    void on_attempt(const std::shared_ptr<outgoing>& out, transport::exchange_result result);
    void split_and_resend(const std::shared_ptr<outgoing>& out);
    void retry_later(const std::shared_ptr<outgoing>& out, std::chrono::milliseconds delay);
    /// Outage detection: `out` waits in held_ until the probe gets an answer.
    void hold(std::shared_ptr<outgoing> out);
    /// The collector answered: every held request goes out (through the pool, max_connections at a time).
    void end_outage();
    /// The probe finished without an answer: the oldest held request probes next.
    void next_probe();
    void finish(outgoing& out, boost::system::error_code ec, unsigned status, bool shutdown_drop);
    double next_random();

    transport::transport& wire_;
    clock& clock_;
    admission& counters_;
    delivery_ledger& ledger_;
    const core::retry_policy policy_;
    const logger& log_;
    std::function<void()> on_request_done_;
    std::weak_ptr<void> owner_;

    std::size_t outstanding_ = 0;
    bool shutting_down_ = false;
    bool forced_ = false;
    std::set<std::shared_ptr<clock::timer>> retry_waits_;
    // While the collector cannot be reached, one request (the probe) retries with backoff and every other
    // request waits in held_, its retry budget untouched: an outage burns no event's budget, and recovery
    // is no request storm.
    bool outage_ = false;
    std::shared_ptr<outgoing> probe_;
    std::deque<std::shared_ptr<outgoing>> held_;
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace vwo::engine
