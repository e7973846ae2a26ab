#pragma once
// Drives one hiredis redisAsyncContext from Asio: hiredis's event hooks (ev.addRead/delRead/addWrite/
// delWrite/cleanup) start and stop async_wait on a posix::stream_descriptor over hiredis's socket, and a
// ready socket is handed back to redisAsyncHandleRead/Write. hiredis's own adapters target libev, libuv
// and the like; this is the same contract for Asio.
//
// Thread-safety: none of its own. Everything (the hooks, the waits, hiredis) runs on one strand: the
// connection's.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

struct redisAsyncContext;

namespace vwo::redis_detail {

class asio_hiredis_adapter : public std::enable_shared_from_this<asio_hiredis_adapter> {
public:
    /// Attaches to `context` (which must have no event hooks yet). The hooks keep the adapter alive
    /// through a shared_ptr of their own until hiredis calls cleanup (when it frees the context).
    static void attach(redisAsyncContext* context, const boost::asio::any_io_executor& strand);

    explicit asio_hiredis_adapter(const boost::asio::any_io_executor& strand) : socket_(strand) {}

private:
    static void on_add_read(void* self);
    static void on_del_read(void* self);
    static void on_add_write(void* self);
    static void on_del_write(void* self);
    static void on_cleanup(void* self);

    void wait_read();
    void wait_write();

    boost::asio::posix::stream_descriptor socket_;
    redisAsyncContext* context_ = nullptr; // null once hiredis cleaned up (the context is being freed)
    std::shared_ptr<asio_hiredis_adapter> self_; // the hooks' reference, dropped at cleanup
    bool reading_ = false, writing_ = false;           // what hiredis asked for
    bool read_waiting_ = false, write_waiting_ = false; // an async_wait is outstanding
};

} // namespace vwo::redis_detail
