#include "redis_connection.hpp"

#include "asio_hiredis_adapter.hpp"

#include <hiredis/async.h>

#include <boost/asio/ip/address.hpp>

#include <utility>

namespace vwo::redis_detail {

struct redis_connection::command {
    command(const boost::asio::any_io_executor& strand, std::vector<std::string> a, reply_function d)
        : argv(std::move(a)), done(std::move(d)), timer(strand)
    {
    }
    std::vector<std::string> argv;
    reply_function done;
    boost::asio::steady_timer timer;
    bool completed = false;
    bool submitted = false;   // handed to hiredis
    std::uint64_t attempt = 0; // the connection it was handed to
};

struct redis_connection::in_flight {
    std::weak_ptr<redis_connection> connection;
    std::shared_ptr<command> cmd;
};

namespace {

reply copy_reply(const redisReply& r)
{
    reply out;
    switch (r.type) {
    case REDIS_REPLY_STRING: out.type = reply::kind::string; break;
    case REDIS_REPLY_STATUS: out.type = reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = reply::kind::error; break;
    case REDIS_REPLY_INTEGER: out.type = reply::kind::integer; out.integer = r.integer; return out;
    case REDIS_REPLY_NIL: out.type = reply::kind::nil; return out;
    default: out.type = reply::kind::other; return out;
    }
    out.text.assign(r.str, r.len);
    return out;
}

} // namespace

redis_connection::redis_connection(boost::asio::any_io_executor strand, const redis_user_storage_options& options)
    : strand_(std::move(strand)), options_(options), resolver_(strand_), connect_timer_(strand_)
{
}

redis_connection::~redis_connection()
{
    // close() ran before (the store's destructor); this only guards against a context left behind.
    if (context_) {
        context_->data = nullptr;
        redisAsyncFree(std::exchange(context_, nullptr));
    }
}

void redis_connection::execute(std::vector<std::string> argv, reply_function done)
{
    auto cmd = std::make_shared<command>(strand_, std::move(argv), std::move(done));
    if (state_ == state::closed) {
        complete(*cmd, make_error_code(redis_errc::shut_down), {});
        return;
    }
    cmd->timer.expires_after(options_.command_deadline);
    cmd->timer.async_wait([weak = weak_from_this(), cmd](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec)
            self->on_timeout(cmd);
    });
    if (state_ == state::ready) {
        submit(cmd);
        return;
    }
    waiting_.push_back(std::move(cmd));
    if (state_ == state::idle)
        start_connect();
}

void redis_connection::close()
{
    if (state_ == state::closed)
        return;
    const auto reason = make_error_code(redis_errc::shut_down);
    abandon_attempt(reason); // waiting commands, the connect timer, a context being set up
    drop_context(reason);    // in-flight commands of a ready connection
    state_ = state::closed;
    resolver_.cancel();
    connect_timer_.cancel();
}

void redis_connection::start_connect()
{
    state_ = state::connecting;
    const std::uint64_t attempt = ++attempt_;
    close_reason_ = make_error_code(redis_errc::connection_lost);
    connect_timer_.expires_after(options_.connect_deadline);
    connect_timer_.async_wait([weak = weak_from_this(), attempt](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || self->attempt_ != attempt || self->state_ != state::connecting)
            return;
        self->abandon_attempt(make_error_code(redis_errc::connect_failed));
    });
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(options_.host, ec);
    if (!ec) {
        connect_to(address.to_string());
        return;
    }
    // A name: resolved by Asio (getaddrinfo on its resolver thread), so the strand never blocks on DNS.
    resolver_.async_resolve(options_.host, std::to_string(options_.port),
                            [weak = weak_from_this(), attempt](const boost::system::error_code& error,
                                                               const boost::asio::ip::tcp::resolver::results_type& results) {
                                auto self = weak.lock();
                                if (!self || self->attempt_ != attempt || self->state_ != state::connecting)
                                    return;
                                if (error || results.empty()) {
                                    self->abandon_attempt(make_error_code(redis_errc::connect_failed));
                                    return;
                                }
                                self->connect_to(results.begin()->endpoint().address().to_string());
                            });
}

void redis_connection::connect_to(const std::string& address)
{
    redisAsyncContext* context = redisAsyncConnect(address.c_str(), options_.port);
    if (!context || context->err) {
        if (context)
            redisAsyncFree(context);
        abandon_attempt(make_error_code(redis_errc::connect_failed));
        return;
    }
    context_ = context;
    context->data = this;
    asio_hiredis_adapter::attach(context, strand_);
    redisAsyncSetConnectCallback(context, &on_connect);
    redisAsyncSetDisconnectCallback(context, &on_disconnect);
    send_handshake();
}

// AUTH, SELECT and PING are written at once (hiredis buffers them until the socket connects); the
// connection is ready when PING answers. The first error ends the attempt with a reason of its own.
void redis_connection::send_handshake()
{
    const std::uint64_t attempt = attempt_;
    auto step = [this, attempt](std::vector<std::string> argv, redis_errc refused) {
        auto cmd = std::make_shared<command>(
            strand_, std::move(argv),
            [weak = weak_from_this(), attempt, refused](boost::system::error_code ec, reply r) {
                auto self = weak.lock();
                if (!self || self->attempt_ != attempt || self->state_ != state::connecting)
                    return;
                if (ec) { // no reply: hiredis is freeing the context (connect failed or the peer closed)
                    self->context_ = nullptr;
                    self->abandon_attempt(make_error_code(redis_errc::connect_failed));
                } else if (r.type == reply::kind::error) {
                    self->abandon_attempt(make_error_code(refused));
                } else if (refused == redis_errc::connect_failed) { // the PING: last step
                    self->on_ready();
                }
            });
        submit(cmd);
    };
    if (!options_.password.empty())
        step({"AUTH", options_.password}, redis_errc::authentication_failed);
    if (options_.database != 0)
        step({"SELECT", std::to_string(options_.database)}, redis_errc::select_failed);
    step({"PING"}, redis_errc::connect_failed);
}

void redis_connection::on_ready()
{
    state_ = state::ready;
    connect_timer_.cancel();
    auto waiting = std::exchange(waiting_, {});
    for (auto& cmd : waiting)
        if (!cmd->completed)
            submit(cmd);
}

// Ends a connect attempt: the waiting commands fail with `reason`, and a context still being set up is
// freed (hiredis defers the free when called from inside its callback).
void redis_connection::abandon_attempt(boost::system::error_code reason)
{
    const bool connecting = state_ == state::connecting;
    if (connecting)
        state_ = state::idle;
    connect_timer_.cancel();
    auto waiting = std::exchange(waiting_, {});
    for (auto& cmd : waiting)
        complete(*cmd, reason, {});
    if (connecting)
        drop_context(reason); // only the handshake is in flight on it
}

void redis_connection::drop_context(boost::system::error_code reason)
{
    if (state_ == state::ready)
        state_ = state::idle;
    if (!context_)
        return;
    close_reason_ = reason; // what the in-flight commands complete with, from inside redisAsyncFree
    redisAsyncFree(std::exchange(context_, nullptr));
}

void redis_connection::submit(const std::shared_ptr<command>& cmd)
{
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : cmd->argv) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    auto* data = new in_flight{weak_from_this(), cmd};
    if (!context_ || redisAsyncCommandArgv(context_, &on_reply, data, static_cast<int>(argv.size()), argv.data(),
                                           lengths.data()) != REDIS_OK) {
        delete data;
        complete(*cmd, make_error_code(redis_errc::connection_lost), {});
        return;
    }
    cmd->submitted = true;
    cmd->attempt = attempt_;
}

// A command without an answer in time: the server is stuck or gone, and what is queued behind it on the
// connection would wait as long, so the connection is dropped and those commands time out with it. The
// next command connects afresh.
void redis_connection::on_timeout(const std::shared_ptr<command>& cmd)
{
    if (cmd->completed)
        return;
    complete(*cmd, make_error_code(redis_errc::timed_out), {});
    if (cmd->submitted && cmd->attempt == attempt_ && state_ == state::ready)
        drop_context(make_error_code(redis_errc::timed_out));
}

void redis_connection::complete(command& cmd, boost::system::error_code ec, reply r) noexcept
{
    if (cmd.completed)
        return;
    cmd.completed = true;
    cmd.timer.cancel();
    try {
        auto done = std::move(cmd.done);
        done(ec, std::move(r));
    } catch (...) {
        // Nothing may unwind into hiredis; the completion functions do not throw in practice.
    }
}

void redis_connection::on_reply(redisAsyncContext*, void* raw_reply, void* privdata)
{
    std::unique_ptr<in_flight> data(static_cast<in_flight*>(privdata));
    try {
        if (raw_reply) {
            complete(*data->cmd, {}, copy_reply(*static_cast<redisReply*>(raw_reply)));
            return;
        }
        auto self = data->connection.lock();
        complete(*data->cmd, self ? self->close_reason_ : make_error_code(redis_errc::shut_down), {});
    } catch (...) {
        complete(*data->cmd, make_error_code(redis_errc::connection_lost), {}); // copy_reply's bad_alloc
    }
}

void redis_connection::on_connect(const redisAsyncContext* context, int status)
{
    auto* self = static_cast<redis_connection*>(context->data);
    if (!self || status == REDIS_OK || self->context_ != context)
        return;
    // hiredis frees the context right after this callback: it must not be freed here too.
    self->context_ = nullptr;
    self->abandon_attempt(make_error_code(redis_errc::connect_failed));
}

void redis_connection::on_disconnect(const redisAsyncContext* context, int)
{
    auto* self = static_cast<redis_connection*>(context->data);
    if (!self || self->context_ != context)
        return; // we freed it ourselves (drop_context), or an attempt already abandoned
    // hiredis freed it (the server closed the connection, or a read/write failed); the in-flight commands
    // have completed with connection_lost. The next command reconnects.
    self->context_ = nullptr;
    if (self->state_ == state::connecting)
        self->abandon_attempt(make_error_code(redis_errc::connect_failed));
    else if (self->state_ == state::ready)
        self->state_ = state::idle;
}

} // namespace vwo::redis_detail
