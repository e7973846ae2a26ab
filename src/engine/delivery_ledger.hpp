#pragma once

// Who is told what when a request ends (docs/architecture.md): the counters, the batch
// flush_callback, each carried key's result in its call's push_result, the call's handler once its
// last key is done, and the flush_events() calls waiting for the request.

#include "engine/admission.hpp"
#include "engine/logger.hpp"
#include "engine/operation.hpp"

#include <vwo/client_options.hpp>

#include <boost/system/error_code.hpp>

#include <memory>

namespace vwo::engine {

/// Thread-safety: the SDK thread (the engine's strand) only.
class delivery_ledger {
public:
    delivery_ledger(admission& counters, std::shared_ptr<const logger> log, flush_callback_type flush_callback)
        : counters_(counters), log_(std::move(log)), flush_callback_(std::move(flush_callback))
    {
    }

    /// `out` ended with `ec` (empty: 2xx) after its last attempt answered `status` (0: no answer).
    /// `shutdown_drop`: cut off by the shutdown deadline.
    void finish(outgoing& out, boost::system::error_code ec, unsigned status, bool shutdown_drop);
    /// `parent` was split in halves that carry its keys and waiters on: it ends with nothing to report.
    void hand_over(outgoing& parent);
    /// Calls `op`'s handler with its result (once; later calls do nothing).
    void complete_op(push_op& op);
    /// Calls the flush_events() handler (once).
    void complete_flush(flush_waiter& waiter);

private:
    admission& counters_;
    std::shared_ptr<const logger> log_;
    flush_callback_type flush_callback_;
};

} // namespace vwo::engine
