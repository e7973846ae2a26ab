#pragma once

// An asynchronous user store (client_options::async_user_storage) as the decision service sees it
// (docs/decisions.md#asynchronous-user-storage). The decision logic is synchronous and reads storage
// through vwo::user_storage; this bridge is that store:
//  - async_* and promise faces: before deciding, the engine fetches the records the call can read
//    (prefetch), then decides on the SDK thread inside a call_scope that serves get() from them and
//    collects set(); then writes what was collected (write). No thread waits.
//  - the immediate face (no scope): get() waits on the caller's thread for the store, up to the storage
//    deadline; set() starts the write and returns.
// A store that fails, throws or misses the deadline never fails a call: the record counts as absent (or
// the write as not made), one log line per cause (the logger counts repeats), and stats() counts it.

#include "engine/clock.hpp"
#include "engine/logger.hpp"

#include <vwo/async_user_storage.hpp>
#include <vwo/stats.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vwo::engine {

/// The records one call may read, fetched before it decides, and the records it writes.
/// Thread-safety: filled by the prefetch, then used by one call on one thread.
struct storage_prefetch {
    std::string user_id;
    std::vector<std::pair<std::string, std::optional<user_storage_record>>> records; ///< campaign key → record
    std::vector<user_storage_record> writes;
};

/// Thread-safety: get(), set(), prefetch(), write() and add_stats() may be called from any thread at once.
/// A call_scope belongs to the thread that opened it. attach() once, before any prefetch or write.
class async_storage_bridge final : public user_storage,
                                   public std::enable_shared_from_this<async_storage_bridge> {
public:
    async_storage_bridge(std::shared_ptr<async_user_storage> store, std::chrono::milliseconds deadline,
                         std::shared_ptr<const logger> log);

    /// The SDK strand and its clock, where deadlines are kept and completions run.
    void attach(boost::asio::any_io_executor strand, clock& time);

    // vwo::user_storage, as the decision service calls it.
    std::optional<user_storage_record> get(std::string_view user_id, std::string_view campaign_key) override;
    void set(const user_storage_record& record) override;

    /// While alive, get() and set() on this thread are served by `prefetched` (nests: the integrations
    /// callback may decide again on the same thread).
    class call_scope {
    public:
        explicit call_scope(storage_prefetch& prefetched) noexcept;
        ~call_scope();
        call_scope(const call_scope&) = delete;
        call_scope& operator=(const call_scope&) = delete;

    private:
        storage_prefetch* previous_;
    };

    using prefetch_done = std::function<void(std::shared_ptr<storage_prefetch>)>;
    /// Reads `campaign_keys` for `user_id` at once; `done` runs on the strand once every read ended or the
    /// deadline passed (what had not arrived counts as absent). Never calls `done` inside this call.
    void prefetch(std::string user_id, std::vector<std::string> campaign_keys, prefetch_done done);
    /// Writes `records`; `done` runs on the strand once every write ended or the deadline passed.
    void write(std::vector<user_storage_record> records, std::function<void()> done);

    /// Adds the storage counters to `out`.
    void add_stats(client_stats& out) const;
    /// The client is going (its SDK thread has ended): answers that arrive later are dropped instead of
    /// posted to its strand, and the strand is released while its io_context still exists.
    void close();

private:
    struct gather; // one prefetch's or write's pending operations
    void count_failure(const char* what, boost::system::error_code ec) const noexcept;
    void count_timeout(const char* what) const noexcept;
    void start_deadline(const std::shared_ptr<gather>& g);
    /// Marks one operation of `g` ended; the last one ends the whole on the strand.
    void arrive(const std::shared_ptr<gather>& g);

    const std::shared_ptr<async_user_storage> store_;
    const std::chrono::milliseconds deadline_;
    const std::shared_ptr<const logger> log_;
    boost::asio::any_io_executor strand_;
    clock* clock_ = nullptr;
    mutable std::atomic<std::uint64_t> errors_{0}, timeouts_{0};
    std::mutex close_mutex_; ///< held while posting to the strand, so close() waits for a post under way
    bool closed_ = false;    ///< guarded by close_mutex_
};

} // namespace vwo::engine
