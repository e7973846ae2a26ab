#pragma once

// Fetching the account's settings while the client runs (docs/settings.md): polls on a jittered timer
// that backs off after failures, and on-demand pulls (get_and_update_settings_file). Each fetch is one
// GET over the client's settings transport; what it brings is handed to the live account, which checks
// it and swaps it in.

#include "core/request_builder.hpp"
#include "engine/clock.hpp"
#include "engine/live_account.hpp"
#include "engine/logger.hpp"
#include "transport/transport.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace vwo::engine {

/// Who asked for a refresh: the poll timer or a caller (the webhook path).
enum class refresh_kind { poll, pull };

/// (error, changed): an empty error means the client uses the settings VWO served.
using refresh_done = boost::asio::any_completion_handler<void(boost::system::error_code, bool)>;

/// Thread-safety: lives on the SDK thread (the I/O host's strand); every member function is called there
/// and every handler runs there.
class settings_refresher {
public:
    /// What a fetch asks for: the collector's base path, the account and the SDK key (never logged).
    struct source {
        std::string base_path;
        std::string account_id;
        std::string sdk_key;
    };

    /// `random` gives numbers in [0, 1) (the request's r parameter, the poll jitter). `owner` is kept alive
    /// while a fetch or a poll wait is pending.
    settings_refresher(transport::transport& net, clock& time, live_account& account, const logger& log,
                       source from, std::function<double()> random, std::weak_ptr<void> owner);

    /// One fetch of `kind`, then `done`. Never completes inside this call.
    void refresh(refresh_kind kind, refresh_done done);
    /// Polls every `interval` (jittered, backing off after failures) until stop().
    void start_polling(std::chrono::milliseconds interval);
    /// No further polls; a fetch in flight still completes (at shutdown the transport ends it).
    void stop();

    /// The wait before the next poll after `failures` failed polls in a row, before jitter: the interval,
    /// doubled per failure, up to the longer of the interval and ten minutes.
    static std::chrono::milliseconds backoff(std::chrono::milliseconds interval, unsigned failures) noexcept;

private:
    void arm_poll();
    void finish(refresh_kind kind, transport::exchange_result result, refresh_done done);

    transport::transport& net_;
    clock& clock_;
    live_account& account_;
    const logger& log_;
    const source from_;
    std::function<double()> random_;
    std::weak_ptr<void> owner_;

    std::chrono::milliseconds interval_{0};
    unsigned failures_in_a_row_ = 0;
    bool stopped_ = false;
    std::shared_ptr<clock::timer> poll_wait_;
};

} // namespace vwo::engine
