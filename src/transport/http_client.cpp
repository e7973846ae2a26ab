// The pool: queueing, idle reuse, the stale-connection resend and close(). Asio only (coroutines and
// timers): a connection's I/O is connection.cpp's, TLS setup tls_context.cpp's, the name lookup
// name_lookup.cpp's and the proxy's answers proxy_tunnel.cpp's.

#include "transport/http_client.hpp"
#include "transport/connection.hpp"

#include <vwo/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <vector>

namespace vwo::transport {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// One keep-alive connection and the timer its worker parks on while idle. Owned by the pool.
// Thread-safety: touched only on the pool's executor, by its one worker and by close_all().
struct connection_slot {
    connection_slot(const asio::any_io_executor& ex, dialer& shared) : conn(shared), wake(ex) {}

    connection conn;
    asio::steady_timer wake; // an idle worker waits on it; cancel() hands it work
};

struct pending_send {
    std::shared_ptr<const core::wire_request> request;
    exchange_handler handler;
};

// Completes `handler` later on `executor`, never inside the call that gave up on it.
void complete_later(const asio::any_io_executor& executor, exchange_handler handler, exchange_result result)
{
    asio::post(executor, [h = std::move(handler), r = std::move(result)]() mutable { std::move(h)(std::move(r)); });
}

exchange_result shutting_down()
{
    exchange_result r;
    r.error = make_error_code(errc::shutting_down);
    return r;
}

} // namespace

// Thread-safety: as http_client (its executor only); the workers hold it alive while they run.
struct http_client::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, transport_config cfg)
        : executor(std::move(ex)), shared(executor, std::move(cfg))
    {
    }

    asio::any_io_executor executor;
    dialer shared;
    std::deque<pending_send> queue;
    std::vector<std::unique_ptr<connection_slot>> slots;
    std::vector<connection_slot*> idle; // most recently used last
    bool closed = false;

    void submit(pending_send send)
    {
        if (closed) {
            complete_later(executor, std::move(send.handler), shutting_down());
            return;
        }
        queue.push_back(std::move(send));
        if (!idle.empty()) {
            // The most recently used one: light traffic stays on one connection, the others time out.
            connection_slot* slot = idle.back();
            idle.pop_back();
            slot->wake.cancel();
        } else if (slots.size() < std::max<std::size_t>(1, shared.config().max_connections)) {
            slots.push_back(std::make_unique<connection_slot>(executor, shared));
            asio::co_spawn(executor, worker(shared_from_this(), slots.back().get()), asio::detached);
        }
    }

    void close_all()
    {
        shared.stop();
        closed = true;
        for (auto& slot : slots) {
            slot->conn.close();
            slot->wake.cancel();
        }
        idle.clear();
        auto left = std::move(queue);
        queue.clear();
        for (auto& send : left)
            complete_later(executor, std::move(send.handler), shutting_down());
    }

    // Takes queued requests one at a time over its own connection; parks itself as
    // idle when there is nothing to do. `self` keeps the pool alive while it runs.
    static asio::awaitable<void> worker(std::shared_ptr<impl> self, connection_slot* slot)
    {
        for (;;) {
            if (self->closed)
                co_return;
            if (self->queue.empty()) {
                self->idle.push_back(slot);
                slot->wake.expires_at(asio::steady_timer::time_point::max());
                co_await slot->wake.async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            pending_send send = std::move(self->queue.front());
            self->queue.pop_front();
            exchange_result result;
            // Nothing thrown may end the worker: its connection slot would be dead for the pool's life and
            // the handler never called. Whatever throws is this request's error (docs/reliability.md R2).
            try {
                result = co_await self->exchange(*slot, *send.request);
            } catch (const std::exception& e) {
                slot->conn.close();
                result = exchange_result{};
                result.error = make_error_code(errc::connection_lost);
                result.detail = std::string("the exchange with ") + self->shared.host_header() + " failed: " + e.what();
            }
            if (self->closed && result.error)
                result.error = make_error_code(errc::shutting_down);
            try {
                std::move(send.handler)(std::move(result));
            } catch (...) {
                // The engine's handler contains its users' exceptions (client_impl::post_completion); this
                // only keeps the worker, and so its connection slot, alive whatever happens there.
            }
        }
    }

    // One request: an attempt, and one more on a fresh connection when a reused one turns out to have
    // been closed by the server before the request reached it (not a retry: the server never saw it).
    asio::awaitable<exchange_result> exchange(connection_slot& slot, const core::wire_request& request)
    {
        std::string why;
        const prepared_request_ptr prepared = shared.prepare(request, why);
        if (!prepared) {
            exchange_result refused;
            refused.error = make_error_code(errc::request_not_sendable);
            refused.detail = "not sent to " + shared.host_header() + ": " + why;
            co_return refused;
        }
        std::size_t bytes = 0;
        for (int attempt = 0;; ++attempt) {
            const bool reused = slot.conn.is_open();
            bool stale = false;
            exchange_result result = co_await slot.conn.attempt(*prepared, stale);
            bytes += result.bytes_sent;
            result.bytes_sent = bytes;
            if (result.error && stale && reused && attempt == 0 && !closed)
                continue; // one transparent resend on a fresh connection
            co_return result;
        }
    }
};

http_client::http_client(asio::any_io_executor executor, transport_config config)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(config)))
{
}

http_client::~http_client()
{
    // Normally close() already ran on the executor at the end of the client's shutdown, and the
    // destructor may run on another thread (a user's executor keeps running): the workers that
    // close() woke can still be finishing there, so the pool must not be touched again. Reading
    // `closed` is safe: the shutdown that wrote it happened-before the client's destruction.
    if (!impl_->closed)
        impl_->close_all();
}

void http_client::async_send(std::shared_ptr<const core::wire_request> request, exchange_handler handler)
{
    impl_->submit(pending_send{std::move(request), std::move(handler)});
}

void http_client::close()
{
    impl_->close_all();
}

} // namespace vwo::transport
