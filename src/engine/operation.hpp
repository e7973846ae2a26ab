#pragma once

// The records the delivery pipeline passes along (docs/architecture.md): one accepted call
// (push_op), one key of it inside a request (carried_key), one request with its retry state
// (outgoing) and one flush_events() call (flush_waiter). Plain data; each part that holds one
// says on which thread.

#include "core/dimension.hpp"
#include "core/request_builder.hpp"
#include "core/router.hpp"

#include <vwo/detail/push_plumbing.hpp>
#include <vwo/push_result.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vwo::engine {

struct account;

/// What only an async or promise-mode call carries: its handler and the per-key result.
/// Immediate-mode calls have none, which keeps a queued event small (docs/reliability.md R4).
struct push_completion {
    detail::push_handler handler;
    boost::asio::any_completion_executor work; ///< keeps the handler's executor busy
    push_result result;
    boost::system::error_code first_error;
    std::size_t outstanding = 0; ///< keys not yet finished
    bool completed = false;      ///< the handler was called or is on its way
};

/// One accepted push, impression or goal. Lives until it is built into requests; with a
/// completion, until every request that carries one of its events finished.
struct push_op {
    core::dimensions dims;                        ///< push: one event per dimension
    std::unique_ptr<core::tracked_event> tracked; ///< decision and track calls (dims empty)
    /// The snapshot a decision or track call decided on; its request is built with it. Null for a push,
    /// which is built with the snapshot in use when the SDK thread picks it up (docs/settings.md#the-swap).
    std::shared_ptr<const account> snapshot;
    std::string user_id;
    std::unique_ptr<push_completion> completion;  ///< null in immediate mode

    /// Events this op counts as (queue bounds, stats, per-key results): one per dimension, one per
    /// impression, one per campaign of a goal.
    std::uint32_t event_count() const noexcept;
    /// What event `i` counts against max_queue_bytes (docs/configuration.md#client_options).
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
    // handler must be constructed in place (any_completion_handler's assignment recurses in Boost 1.81).
    explicit flush_waiter(detail::flush_handler h) : handler(std::move(h)) {}

    detail::flush_handler handler; ///< empty for the immediate face: nobody to tell
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

} // namespace vwo::engine
