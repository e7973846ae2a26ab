#pragma once

// Where the engine runs (docs/async-model.md): its own io_context on its own thread, or the
// executor the user gave in client_options::executor. Either way everything the engine owns is
// touched only through one strand, executor().

#include "engine/brief_mutex.hpp"

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace vwo::engine {

/// Thread-safety: executor(), running_here() and post_completion() may be called from any thread;
/// start() once, by the owner; stop() and join() from any thread but the host's own. The
/// destructor may run on the host's own thread (it then detaches instead of joining itself).
class io_host {
public:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    /// `user_executor` set: runs on it; otherwise on an io_context of its own (start() runs it).
    explicit io_host(const std::optional<boost::asio::any_io_executor>& user_executor);
    ~io_host();
    io_host(const io_host&) = delete;
    io_host& operator=(const io_host&) = delete;

    const strand_type& executor() const noexcept { return strand_; }
    bool running_here() const noexcept { return strand_.running_in_this_thread(); }
    bool owns_thread() const noexcept { return own_ioc_.has_value(); }

    /// Own io_context only: starts the thread. `on_exit` runs on it last, after every handler; it may
    /// destroy the owner of this host (so nothing of the host is touched after it).
    void start(std::function<void()> on_exit);
    /// Lets the io_context (ours or the user's) run out of work: the engine is done.
    void release_work() { work_ = boost::asio::any_io_executor(); }
    /// Own io_context: abandons what is still queued (past a shutdown deadline).
    void stop();
    /// Own io_context: waits for the thread (once; later calls return at once).
    void join();
    /// Own io_context: stops it and joins the thread, or detaches it when called on the thread itself
    /// (the owner is being destroyed there). The owner calls this before destroying what the thread runs.
    void end_thread();

    /// Runs `fn` (which completes a user's handler) on `work`, the handler's executor: through the strand
    /// while the host runs (never inside the initiating function), straight on the handler's executor
    /// (or here, when it has none) once our own thread has ended.
    template <class Handler, class Fn>
    void post_completion(const Handler& handler, boost::asio::any_completion_executor work, Fn&& fn)
    {
        {
            std::lock_guard lock(mutex_);
            if (!io_done_) {
                boost::asio::post(strand_, boost::asio::bind_executor(std::move(work), std::forward<Fn>(fn)));
                return;
            }
        }
        boost::asio::dispatch(boost::asio::get_associated_executor(handler, boost::asio::system_executor()),
                              std::forward<Fn>(fn));
    }

private:
    static strand_type make_strand(const std::optional<boost::asio::any_io_executor>& user_executor,
                                   std::optional<boost::asio::io_context>& own);

    std::optional<boost::asio::io_context> own_ioc_;
    strand_type strand_;
    boost::asio::any_io_executor work_; ///< outstanding work on the strand until release_work()
    std::thread thread_;
    std::once_flag join_once_;
    brief_mutex mutex_;
    bool io_done_ = false; ///< guarded by mutex_: our own thread has left run()
};

} // namespace vwo::engine
