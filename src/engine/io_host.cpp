#include "engine/io_host.hpp"

namespace vwo::engine {

namespace asio = boost::asio;

io_host::strand_type io_host::make_strand(const std::optional<asio::any_io_executor>& user_executor,
                                          std::optional<asio::io_context>& own)
{
    if (user_executor)
        return asio::make_strand(*user_executor);
    own.emplace(1);
    return asio::make_strand(asio::any_io_executor(own->get_executor()));
}

io_host::io_host(const std::optional<asio::any_io_executor>& user_executor)
    : strand_(make_strand(user_executor, own_ioc_)),
      work_(asio::prefer(strand_.get_inner_executor(), asio::execution::outstanding_work.tracked))
{
}

void io_host::start(std::function<void()> on_exit)
{
    if (!own_ioc_)
        return; // the user's executor runs everything
    thread_ = std::thread([this, on_exit = std::move(on_exit)] {
        own_ioc_->run();
        // From now on completions go through their own executors (see post_completion); run what was
        // posted here before the flag was seen.
        {
            std::lock_guard lock(mutex_);
            io_done_ = true;
        }
        own_ioc_->restart();
        own_ioc_->poll();
        on_exit(); // may destroy *this: touch nothing after
    });
}

void io_host::stop()
{
    if (own_ioc_)
        own_ioc_->stop();
}

void io_host::join()
{
    std::call_once(join_once_, [this] {
        if (thread_.joinable())
            thread_.join();
    });
}

io_host::~io_host()
{
    end_thread();
}

void io_host::end_thread()
{
    if (thread_.joinable()) {
        // Reached when the last reference dies on our own thread (after a shutdown started there), or
        // when shutdown never ran: a thread cannot join itself.
        own_ioc_->stop();
        if (thread_.get_id() == std::this_thread::get_id())
            thread_.detach();
        else
            thread_.join();
    }
}

} // namespace vwo::engine
