#include "engine/settings_refresher.hpp"

#include "transport/settings_response.hpp"

#include <vwo/error.hpp>
#include <vwo/version.hpp>

#include <algorithm>

namespace vwo::engine {

using boost::system::error_code;

settings_refresher::settings_refresher(transport::transport& net, clock& time, live_account& account,
                                       const logger& log, source from, std::function<double()> random,
                                       std::weak_ptr<void> owner)
    : net_(net), clock_(time), account_(account), log_(log), from_(std::move(from)), random_(std::move(random)),
      owner_(std::move(owner))
{
}

std::chrono::milliseconds settings_refresher::backoff(std::chrono::milliseconds interval, unsigned failures) noexcept
{
    const auto cap = std::max(interval, std::chrono::milliseconds(std::chrono::minutes(10)));
    auto wait = interval;
    for (unsigned i = 0; i < failures && wait < cap; ++i)
        wait *= 2;
    return std::min(wait, cap);
}

void settings_refresher::refresh(refresh_kind kind, refresh_done done)
{
    account_.begin_refresh();
    auto request = std::make_shared<core::wire_request>();
    request->target = core::build_settings_target(
        from_.base_path, from_.account_id, from_.sdk_key, random_(), sdk_name, sdk_version,
        kind == refresh_kind::pull ? core::settings_route::pull : core::settings_route::settings);
    request->user_agent = std::string(sdk_name) + "/" + sdk_version;
    net_.async_send(std::move(request), [this, keep = owner_.lock(), kind,
                                         done = std::move(done)](transport::exchange_result result) mutable {
        finish(kind, std::move(result), std::move(done));
    });
}

void settings_refresher::finish(refresh_kind kind, transport::exchange_result result, refresh_done done)
{
    const std::string how = kind == refresh_kind::poll ? "via polling" : "via get_and_update_settings_file";
    const std::string& account = from_.account_id;
    auto failed = [&](error_code ec, const std::string& why) {
        if (ec != errc::shutting_down) // the client is closing: not a failure worth a line
            log_.error("fetching the settings " + how + " failed for account " + account + ": " + why +
                   "; the settings in use stay");
        std::move(done)(ec, false);
    };
    if (error_code ec = transport::classify_settings_response(result)) {
        account_.fail_refresh();
        const std::string why = ec.message() + (result.status ? " (HTTP " + std::to_string(result.status) + ")" : "");
        return failed(ec, why);
    }
    log_.info("settings fetched " + how + " for account " + account);
    auto applied = account_.apply(std::move(result.body));
    if (!applied)
        return failed(applied.error().code, applied.error().message);
    const bool changed = *applied == settings_change::updated;
    if (changed)
        log_.info("the client now uses the latest settings of account " + account);
    else
        log_.info("the settings fetched " + how + " are the same as those in use");
    std::move(done)(error_code{}, changed);
}

void settings_refresher::start_polling(std::chrono::milliseconds interval)
{
    interval_ = interval;
    log_.debug("polling of the settings is registered with a periodic interval of " +
               std::to_string(interval.count()) + " ms");
    arm_poll();
}

void settings_refresher::arm_poll()
{
    if (stopped_ || interval_.count() == 0)
        return;
    // Jitter of up to 10 % either way: clients launched together (a fleet's deploy) drift apart.
    const auto base = backoff(interval_, failures_in_a_row_);
    const auto jittered = std::chrono::duration_cast<clock::duration>(base * (0.9 + 0.2 * random_()));
    poll_wait_ = clock_.wait(jittered, [this, keep = owner_.lock()](error_code ec) {
        if (ec || stopped_)
            return;
        refresh(refresh_kind::poll, [this](error_code failure, bool) {
            failures_in_a_row_ = failure ? failures_in_a_row_ + 1 : 0;
            arm_poll();
        });
    });
}

void settings_refresher::stop()
{
    stopped_ = true;
    if (auto wait = std::exchange(poll_wait_, nullptr))
        wait->cancel();
}

} // namespace vwo::engine
