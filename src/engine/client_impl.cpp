// client_impl's launch, its SDK-thread side (draining the inbox, routing each call's events to the
// batch queue or the request sender) and shutdown coordination. The API operations are in
// client_calls.cpp.

#include "engine/client_impl.hpp"

#include "core/endpoint.hpp"
#include "core/router.hpp"
#include "engine/options_check.hpp"
#include "transport/settings_response.hpp"

#include <vwo/error.hpp>

#include <boost/asio/post.hpp>

namespace vwo {

namespace asio = boost::asio;
using boost::system::error_code;
using engine::outgoing;
using engine::push_op;

// ---------------------------------------------------------------------------------------------
// Launch

std::shared_ptr<client_impl> client_impl::create(const client_options& options, error_code& ec, std::string& error,
                                                 engine::seams seams)
{
    auto fail = [&](errc code, std::string message) -> std::shared_ptr<client_impl> {
        ec = make_error_code(code);
        error = "launch failed: " + std::move(message);
        engine::logger(options.logging).error(error);
        return nullptr;
    };
    if (auto checked = engine::check_options(options); !checked)
        return fail(errc::invalid_options, checked.error().message);
    auto origin = core::parse_endpoint(options.endpoint);
    if (!origin)
        return fail(errc::invalid_options, origin.error().message);
    // The proxy is chosen once, here on the caller's thread (the only place the environment is read).
    auto proxy = transport::choose_proxy(options.proxy, *origin);
    if (!proxy)
        return fail(errc::invalid_options, proxy.error().message);

    auto log = std::make_shared<const engine::logger>(options.logging);
    // The decisions see one user store: the caller's, or the bridge to the caller's asynchronous one.
    std::shared_ptr<engine::async_storage_bridge> bridge;
    if (options.async_user_storage)
        bridge = std::make_shared<engine::async_storage_bridge>(options.async_user_storage, options.storage_deadline,
                                                                log);
    std::shared_ptr<user_storage> storage = bridge ? bridge : options.user_storage;
    auto made = engine::make_account(options.settings_file, options, *origin, *log, storage);
    if (!made)
        return fail(errc::invalid_settings, made.error().message);
    const std::shared_ptr<const engine::account>& account = *made;
    if (!options.account_id.empty() && options.account_id != account->context.account_id)
        return fail(errc::invalid_settings, "the settings file is for account " + account->context.account_id +
                                                ", client_options::account_id names another");
    if (options.poll_interval.count() > 0 && options.sdk_key.empty() && account->context.sdk_key.empty())
        return fail(errc::invalid_options, "poll_interval needs an SDK key: the settings file has none and "
                                           "client_options::sdk_key is empty");

    // The account's decision service logs through `log`, which the client keeps alive.
    std::shared_ptr<client_impl> impl(new client_impl(options, std::move(log), account, *origin, std::move(bridge)));
    try {
        impl->assemble(seams, transport::transport_config{*origin, options.tls, options.timeouts,
                                                          options.max_connections, 1024 * 1024, options.resolver,
                                                          proxy->server});
    } catch (const transport::transport_setup_error& e) {
        return fail(errc::invalid_options, e.what());
    }
    if (options.tls.insecure_skip_verify)
        impl->log_->warn("tls.insecure_skip_verify is set: server certificates are NOT verified. Never use this in "
                         "production.");
    if (options.development_mode)
        impl->log_->info("development mode: requests are validated and logged, never sent");
    impl->log_->info("launched for account " + account->context.account_id + " (" +
                     std::to_string(account->settings->campaign_count()) + " campaigns), endpoint " +
                     options.endpoint + ", " +
                     proxy->explanation);
    ec.clear();
    return impl;
}

client_impl::client_impl(const client_options& options, std::shared_ptr<const engine::logger> log,
                         std::shared_ptr<const engine::account> first_account, const core::endpoint& origin,
                         std::shared_ptr<engine::async_storage_bridge> bridge)
    : options_(options), log_(std::move(log)), storage_bridge_(std::move(bridge)),
      account_(std::move(first_account),
               [this, origin](std::string json) {
                   std::shared_ptr<user_storage> storage =
                       storage_bridge_ ? storage_bridge_ : options_.user_storage;
                   return engine::make_account(std::move(json), options_, origin, *log_, std::move(storage));
               }),
      admission_(options.max_queue_events, options.max_queue_bytes, *log_),
      ledger_(admission_, log_, options.batch_events ? options.batch_events->flush_callback : nullptr),
      host_(options.executor)
{
}

void client_impl::assemble(engine::seams& seams, transport::transport_config config)
{
    const auto& strand = host_.executor();
    // Settings come over one connection of their own, with room for a large account's settings.
    transport::transport_config settings_config = config;
    settings_config.max_connections = 1;
    settings_config.max_response_body = transport::settings_response_limit;
    auto make = [&](transport::transport_config c) -> std::unique_ptr<transport::transport> {
        if (seams.make_transport)
            return seams.make_transport(strand, std::move(c));
        return std::make_unique<transport::http_client>(strand, std::move(c));
    };
    const std::string base_path = config.origin.base_path;
    transport_ = make(std::move(config));
    settings_transport_ = make(std::move(settings_config));
    clock_ = seams.make_clock ? seams.make_clock(strand) : engine::make_steady_clock(strand);
    if (storage_bridge_)
        storage_bridge_->attach(strand, *clock_);
    const auto& r = options_.retry;
    sender_.emplace(*transport_, *clock_, admission_, ledger_,
                    core::retry_policy{r.max_retries, r.base_delay, r.max_delay, r.max_retry_after,
                                       r.max_elapsed_time},
                    *log_, [this] { maybe_finish_shutdown(); }, weak_from_this());
    const auto first = account_.load();
    refresher_.emplace(*settings_transport_, *clock_, account_, *log_,
                       engine::settings_refresher::source{base_path, first->context.account_id,
                                                          options_.sdk_key.empty() ? first->context.sdk_key
                                                                                   : options_.sdk_key},
                       [this] { return next_random(); }, weak_from_this());
    if (options_.poll_interval.count() > 0)
        asio::post(strand, [this, interval = options_.poll_interval] { refresher_->start_polling(interval); });
    if (batch_mode())
        batch_.emplace(options_.batch_events->events_per_request, options_.batch_events->request_time_interval,
                       *clock_,
                       [this](std::vector<engine::carried_key> keys, core::batch_body body,
                              std::shared_ptr<engine::flush_waiter> waiter) {
                           send_batch(std::move(keys), std::move(body), std::move(waiter));
                       },
                       weak_from_this());
    host_.start([this] {
        // When shutdown was started on the SDK thread, this reference kept the client alive until
        // run() returned. Dropping it may destroy *this here (the host then detaches instead of
        // joining itself); touch nothing after.
        auto keep_alive = std::move(self_while_stopping_);
    });
}

client_impl::~client_impl()
{
    host_.end_thread(); // before any part goes: the SDK thread may still be running them
    if (storage_bridge_)
        storage_bridge_->close(); // a store that answers later must not post to a strand that is gone
}

// ---------------------------------------------------------------------------------------------
// SDK thread: from the inbox to requests

double client_impl::next_random()
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

bool client_impl::drain_inbox()
{
    admission_.take_inbox(drained_); // both keep their capacity: callers rarely allocate to queue
    const bool any = !drained_.empty();
    if (any) {
        const auto account = account_.load();              // one snapshot per drain
        const auto now = std::chrono::system_clock::now(); // one clock read per drain, not per event
        for (const auto& op : drained_) {
            dispatch(op, op->snapshot ? *op->snapshot : *account, now);
            op->snapshot.reset(); // built: an op still waiting for delivery need not keep old settings
        }
        drained_.clear();
    }
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
    if (idle_polls_ >= linger_polls && admission_.sleep_if_idle()) {
        idle_polls_ = 0;
        return;
    }
    poll_wait_ = clock_->wait(poll_interval, [self = shared_from_this()](error_code ec) {
        if (!ec)
            self->poll_inbox();
    });
}

void client_impl::dispatch(const std::shared_ptr<push_op>& op, const engine::account& account,
                           core::system_time now)
{
    const std::uint32_t count = op->event_count();
    // Immediate-mode ops have nobody to report to: once built into requests they can go.
    std::shared_ptr<push_op> reported;
    if (op->completion) {
        op->completion->outstanding = count;
        reported = op;
    }
    const auto& ctx = account.context;
    if (batch_mode()) {
        for (std::uint32_t i = 0; i < count; ++i) {
            batch_->add({reported, i, op->event_bytes(i)}, [&](std::string& out) {
                if (op->tracked)
                    core::render_tracked_batch_event(out, ctx, *op->tracked, i, op->user_id, now);
                else
                    core::append_batch_event(out, ctx, op->dims[i], op->user_id, now);
            });
        }
        op->dims.clear();
        return;
    }
    auto out = std::make_shared<outgoing>();
    out->carried.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
        out->carried.push_back({reported, i, op->event_bytes(i)});
    auto routed = op->tracked
                      ? core::route_tracked(ctx, account.event_arch, *op->tracked, op->user_id, now, next_random())
                      : core::route_dimensions(ctx, account.event_arch, op->dims, op->user_id, now, next_random());
    op->dims.clear();
    out->event_starts = std::move(routed.event_starts);
    out->request = std::make_shared<const core::wire_request>(std::move(routed.request));
    sender_->send_new(std::move(out));
}

void client_impl::send_batch(std::vector<engine::carried_key> keys, core::batch_body body,
                             std::shared_ptr<engine::flush_waiter> waiter)
{
    auto out = std::make_shared<outgoing>();
    out->from_batch_queue = true;
    out->carried = std::move(keys);
    out->request = std::make_shared<const core::wire_request>(
        core::build_batch_events_request(account_.load()->context, body.take(out->event_starts)));
    if (waiter) {
        ++waiter->remaining;
        out->waiters.push_back(std::move(waiter));
    }
    sender_->send_new(std::move(out));
}

// ---------------------------------------------------------------------------------------------
// Opt-out and shutdown

void client_impl::set_opt_out()
{
    if (opted_out_.exchange(true))
        return;
    log_->info("opted out: no further requests are sent; queued batch events are flushed");
    asio::post(host_.executor(), [self = shared_from_this()] {
        self->refresher_->stop();
        self->drain_inbox();
        if (self->batch_)
            self->batch_->flush(true, nullptr);
    });
}

void client_impl::shutdown(std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    const bool first = admission_.stop_accepting();
    const bool inside = host_.running_here();
    if (first) {
        if (inside && host_.owns_thread())
            self_while_stopping_ = shared_from_this();
        asio::post(host_.executor(), [self = shared_from_this(), until] { self->begin_shutdown(until); });
    }
    if (inside)
        return; // waiting here would wait for ourselves

    // begin_shutdown forces completion at the deadline; the margin covers handing over.
    const bool finished = stopped_.wait_until(until + std::chrono::milliseconds(100)) == std::future_status::ready;
    if (!host_.owns_thread())
        return; // the user's executor finishes what is left; our handlers keep us alive
    if (!finished)
        host_.stop();
    host_.join();
}

void client_impl::begin_shutdown(std::chrono::steady_clock::time_point deadline)
{
    shutting_down_ = true;
    sender_->begin_shutdown();
    refresher_->stop();
    // Armed before anything below can finish the shutdown (which cancels it); armed after,
    // it would keep run() alive until the deadline for nothing.
    const auto left = std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{});
    shutdown_wait_ = clock_->wait(left, [self = shared_from_this()](error_code ec) {
        if (!ec)
            self->force_shutdown();
    });
    drain_inbox();
    if (batch_)
        batch_->flush(true, nullptr);
    maybe_finish_shutdown();
}

void client_impl::force_shutdown()
{
    if (finished_)
        return;
    log_->warn("shutdown deadline reached with " + std::to_string(admission_.undelivered()) +
               " events undelivered: completing them with shutting_down");
    sender_->force();
}

void client_impl::maybe_finish_shutdown()
{
    if (!shutting_down_ || finished_ || sender_->outstanding() != 0 || (batch_ && !batch_->empty()))
        return;
    if (!admission_.inbox_empty())
        return;
    finished_ = true;
    for (auto* wait : {&shutdown_wait_, &poll_wait_})
        if (auto w = std::exchange(*wait, nullptr))
            w->cancel();
    if (batch_)
        batch_->stop_timer();
    transport_->close();
    settings_transport_->close(); // ends a settings fetch still in flight (errc::shutting_down)
    host_.release_work(); // lets our own io_context (or the user's) run out of work
    log_->flush_repeats(); // counts of suppressed repeats are not lost at exit
    stopped_promise_.set_value();
}

client_stats client_impl::stats() const
{
    auto s = admission_.stats();
    account_.add_stats(s);
    if (storage_bridge_)
        storage_bridge_->add_stats(s);
    return s;
}

} // namespace vwo
