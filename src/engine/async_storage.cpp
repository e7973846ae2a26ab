#include "engine/async_storage.hpp"

#include <boost/asio/post.hpp>

#include <future>
#include <mutex>

namespace vwo::engine {

using boost::system::error_code;

namespace {
/// The prefetched records of the call deciding on this thread, if any (call_scope).
thread_local storage_prefetch* current_call = nullptr;
} // namespace

/// One prefetch's or write's operations in flight. Results may arrive on any thread, so the state is
/// guarded; `finished` makes the first of "all arrived" and "deadline passed" the only ending.
struct async_storage_bridge::gather {
    std::mutex mutex;
    std::size_t remaining = 0;
    bool finished = false;
    std::shared_ptr<storage_prefetch> result; ///< a prefetch's records (null for a write)
    std::function<void()> done;               ///< runs once, on the strand
    /// Strand only. Weak: the wait itself owns its timer, and a late store answer may release this gather on
    /// another thread after the client's io_context is gone, where destroying a timer would be a use after free.
    std::weak_ptr<clock::timer> deadline;
};

async_storage_bridge::async_storage_bridge(std::shared_ptr<async_user_storage> store,
                                           std::chrono::milliseconds deadline, std::shared_ptr<const logger> log)
    : store_(std::move(store)), deadline_(deadline), log_(std::move(log))
{
}

void async_storage_bridge::attach(boost::asio::any_io_executor strand, clock& time)
{
    strand_ = std::move(strand);
    clock_ = &time;
}

async_storage_bridge::call_scope::call_scope(storage_prefetch& prefetched) noexcept : previous_(current_call)
{
    current_call = &prefetched;
}

async_storage_bridge::call_scope::~call_scope()
{
    current_call = previous_;
}

void async_storage_bridge::count_failure(const char* what, error_code ec) const noexcept
{
    errors_.fetch_add(1, std::memory_order_relaxed);
    // The same line for every failure of one kind: the logger writes it once and counts the repeats.
    log_->error(std::string("async_user_storage.") + what + " failed (" + ec.message() +
                "): the call goes on as without storage");
}

void async_storage_bridge::count_timeout(const char* what) const noexcept
{
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    log_->error(std::string("async_user_storage.") + what + " did not answer within storage_deadline (" +
                std::to_string(deadline_.count()) + " ms): the call goes on as without storage");
}

std::optional<user_storage_record> async_storage_bridge::get(std::string_view user_id, std::string_view campaign_key)
{
    if (current_call != nullptr && current_call->user_id == user_id) {
        for (const auto& [key, record] : current_call->records)
            if (key == campaign_key)
                return record;
        return std::nullopt; // not among the campaigns this call could read: decided as without storage
    }
    // The immediate face: wait here, bounded. The store completes on its own thread, never ours.
    struct answer {
        std::promise<std::optional<user_storage_record>> promise;
        std::once_flag once;
    };
    auto state = std::make_shared<answer>();
    auto future = state->promise.get_future();
    // Hands the store's answer to the waiting caller unless the deadline came first (then it is ignored).
    // A failure is counted before the caller is released, so stats() read right after the call shows it.
    auto deliver = [state, weak = weak_from_this()](error_code ec, std::optional<user_storage_record> r) {
        std::call_once(state->once, [&] {
            if (ec)
                if (auto self = weak.lock())
                    self->count_failure("async_get", ec);
            state->promise.set_value(ec ? std::nullopt : std::move(r));
        });
    };
    try {
        store_->async_get(user_id, campaign_key, std::move(deliver));
    } catch (...) {
        count_failure("async_get", make_error_code(boost::system::errc::io_error));
        return std::nullopt;
    }
    if (future.wait_for(deadline_) != std::future_status::ready) {
        // Mark the read abandoned, unless its answer slipped in just now (then it is used).
        bool abandoned = false;
        std::call_once(state->once, [&] { abandoned = true; });
        if (abandoned) {
            count_timeout("async_get");
            return std::nullopt;
        }
    }
    return future.get();
}

void async_storage_bridge::set(const user_storage_record& record)
{
    if (current_call != nullptr && current_call->user_id == record.user_id) {
        current_call->writes.push_back(record);
        return;
    }
    // The immediate face does not wait for a write: it is started and its failure counted.
    try {
        store_->async_set(record, [weak = weak_from_this()](error_code ec) {
            if (auto self = weak.lock(); self && ec)
                self->count_failure("async_set", ec);
        });
    } catch (...) {
        count_failure("async_set", make_error_code(boost::system::errc::io_error));
    }
}

void async_storage_bridge::start_deadline(const std::shared_ptr<gather>& g)
{
    g->deadline = clock_->wait(deadline_, [this, self = shared_from_this(), g](error_code ec) {
        if (ec)
            return; // finished first: cancelled
        std::function<void()> done;
        std::size_t missing = 0;
        {
            std::lock_guard lock(g->mutex);
            if (g->finished)
                return;
            g->finished = true;
            missing = g->remaining;
            done = std::move(g->done);
        }
        for (std::size_t i = 0; i < missing; ++i)
            count_timeout(g->result ? "async_get" : "async_set");
        done();
    });
}

void async_storage_bridge::arrive(const std::shared_ptr<gather>& g)
{
    std::function<void()> done;
    {
        std::lock_guard lock(g->mutex);
        if (g->finished || --g->remaining != 0)
            return;
        g->finished = true;
        done = std::move(g->done);
    }
    std::lock_guard lock(close_mutex_);
    if (closed_)
        return;
    boost::asio::post(strand_, [g, done = std::move(done)] {
        if (auto d = g->deadline.lock())
            d->cancel();
        done();
    });
}

void async_storage_bridge::close()
{
    std::lock_guard lock(close_mutex_);
    closed_ = true;
    // The strand belongs to the client's io_context, which goes right after: let go of it while it exists.
    strand_ = boost::asio::any_io_executor();
    clock_ = nullptr;
}

void async_storage_bridge::prefetch(std::string user_id, std::vector<std::string> campaign_keys, prefetch_done done)
{
    auto g = std::make_shared<gather>();
    g->result = std::make_shared<storage_prefetch>();
    g->result->user_id = std::move(user_id);
    for (auto& key : campaign_keys)
        g->result->records.emplace_back(std::move(key), std::nullopt);
    g->remaining = g->result->records.size() + 1; // + 1: the start below, so nothing ends before it is done
    g->done = [result = g->result, done = std::move(done)] { done(result); };
    boost::asio::post(strand_, [self = shared_from_this(), g] { self->start_deadline(g); });
    for (std::size_t i = 0; i < g->result->records.size(); ++i) {
        // Weak: a store keeps the handlers of unanswered reads, and it is owned by the bridge.
        auto handler = [weak = weak_from_this(), g, i](error_code ec, std::optional<user_storage_record> r) {
            auto self = weak.lock();
            if (!self)
                return;
            bool in_time = false;
            {
                std::lock_guard lock(g->mutex);
                in_time = !g->finished;
                if (in_time && !ec)
                    g->result->records[i].second = std::move(r);
            }
            if (in_time && ec) // a late answer, error or not, is ignored (the deadline counted it)
                self->count_failure("async_get", ec);
            self->arrive(g);
        };
        try {
            store_->async_get(g->result->user_id, g->result->records[i].first, std::move(handler));
        } catch (...) {
            count_failure("async_get", make_error_code(boost::system::errc::io_error));
            arrive(g);
        }
    }
    arrive(g);
}

void async_storage_bridge::write(std::vector<user_storage_record> records, std::function<void()> done)
{
    auto g = std::make_shared<gather>();
    g->remaining = records.size() + 1;
    g->done = std::move(done);
    boost::asio::post(strand_, [self = shared_from_this(), g] { self->start_deadline(g); });
    for (const auto& record : records) {
        try {
            store_->async_set(record, [weak = weak_from_this(), g](error_code ec) {
                if (auto self = weak.lock()) {
                    bool in_time = false;
                    {
                        std::lock_guard lock(g->mutex);
                        in_time = !g->finished;
                    }
                    if (in_time && ec) // a late answer is ignored (the deadline counted it)
                        self->count_failure("async_set", ec);
                    self->arrive(g);
                }
            });
        } catch (...) {
            count_failure("async_set", make_error_code(boost::system::errc::io_error));
            arrive(g);
        }
    }
    arrive(g);
}

void async_storage_bridge::add_stats(client_stats& out) const
{
    out.storage_errors = errors_.load(std::memory_order_relaxed);
    out.storage_timeouts = timeouts_.load(std::memory_order_relaxed);
}

} // namespace vwo::engine
