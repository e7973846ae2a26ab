#include "asio_hiredis_adapter.hpp"

#include <hiredis/async.h>

#include <utility>

namespace vwo::redis_detail {

void asio_hiredis_adapter::attach(redisAsyncContext* context, const boost::asio::any_io_executor& strand)
{
    auto adapter = std::make_shared<asio_hiredis_adapter>(strand);
    adapter->context_ = context;
    // hiredis owns the descriptor (redisFree closes it): ours is released, never closed, at cleanup.
    adapter->socket_.assign(context->c.fd);
    adapter->self_ = adapter;
    context->ev.data = adapter.get();
    context->ev.addRead = &on_add_read;
    context->ev.delRead = &on_del_read;
    context->ev.addWrite = &on_add_write;
    context->ev.delWrite = &on_del_write;
    context->ev.cleanup = &on_cleanup;
}

void asio_hiredis_adapter::on_add_read(void* self)
{
    auto* adapter = static_cast<asio_hiredis_adapter*>(self);
    adapter->reading_ = true;
    adapter->wait_read();
}

void asio_hiredis_adapter::on_del_read(void* self) { static_cast<asio_hiredis_adapter*>(self)->reading_ = false; }

void asio_hiredis_adapter::on_add_write(void* self)
{
    auto* adapter = static_cast<asio_hiredis_adapter*>(self);
    adapter->writing_ = true;
    adapter->wait_write();
}

void asio_hiredis_adapter::on_del_write(void* self) { static_cast<asio_hiredis_adapter*>(self)->writing_ = false; }

void asio_hiredis_adapter::on_cleanup(void* self)
{
    // Called while hiredis frees the context: stop touching it. Outstanding waits end with
    // operation_aborted; their handlers hold their own reference, so the adapter outlives them.
    auto* adapter = static_cast<asio_hiredis_adapter*>(self);
    adapter->context_ = nullptr;
    adapter->reading_ = adapter->writing_ = false;
    boost::system::error_code ignored;
    adapter->socket_.cancel(ignored);
    adapter->socket_.release();
    std::shared_ptr<asio_hiredis_adapter> keep = std::move(adapter->self_); // may be the last reference
}

// One wait per direction at a time (hiredis calls addRead/addWrite repeatedly: they must be idempotent).
// A wait that fires after hiredis stopped asking, or after cleanup, does nothing.
void asio_hiredis_adapter::wait_read()
{
    if (read_waiting_ || !context_)
        return;
    read_waiting_ = true;
    socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                           self->read_waiting_ = false;
                           if (ec || !self->context_ || !self->reading_)
                               return;
                           // May free the context (peer closed): cleanup then clears context_.
                           redisAsyncHandleRead(self->context_);
                           if (self->context_ && self->reading_)
                               self->wait_read();
                       });
}

void asio_hiredis_adapter::wait_write()
{
    if (write_waiting_ || !context_)
        return;
    write_waiting_ = true;
    socket_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                           self->write_waiting_ = false;
                           if (ec || !self->context_ || !self->writing_)
                               return;
                           redisAsyncHandleWrite(self->context_);
                           if (self->context_ && self->writing_)
                               self->wait_write();
                       });
}

} // namespace vwo::redis_detail
