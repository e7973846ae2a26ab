#pragma once

// vwo::redis_user_storage (target vwo::redis, library vwo_redis): user storage on a Redis server, through
// Debian's hiredis, for both the synchronous vwo::user_storage and the asynchronous
// vwo::async_user_storage interfaces. The record format and how it matches the official Node helper
// are in docs/decisions.md ("The Redis store").

#include <vwo/async_user_storage.hpp>
#include <vwo/export.hpp>
#include <vwo/user_storage.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

namespace vwo {

/// Why a Redis operation failed. Error codes of category vwo::redis_category() ("vwo.redis"); timed_out
/// also compares equal to std::errc::timed_out.
enum class redis_errc {
    timed_out = 1,          ///< no answer within command_deadline (the connection is then closed)
    connect_failed,         ///< the server could not be reached, or not within connect_deadline
    connection_lost,        ///< the connection closed before the answer came
    authentication_failed,  ///< the server refused AUTH (the password is never part of any message)
    select_failed,          ///< the server refused SELECT of options.database
    server_error,           ///< the server answered the command with an error (e.g. WRONGTYPE)
    record_too_large,       ///< a record above options.max_record_bytes: not written, or not read
    malformed_record,       ///< the stored value is not a record (not JSON, wrong types, too deep)
    shut_down,              ///< the store was destroyed before the operation completed
};

VWO_API const boost::system::error_category& redis_category() noexcept;
VWO_API boost::system::error_code make_error_code(redis_errc e) noexcept;

/// Settings of a redis_user_storage. Value type.
struct redis_user_storage_options {
    /// Server address: an IP address or a name (resolved without blocking, within connect_deadline).
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    /// Prepended to every key: "<key_prefix><campaign_key>:<user_id>". Empty (the default) is the key
    /// the official Node helper (vwo-node-sdk-redis-helper) uses, so both can share records.
    std::string key_prefix;
    /// Expiry of each record written (SET ... EX ttl), in seconds; nullopt (the default) keeps records.
    std::optional<std::chrono::seconds> ttl;
    /// Database number (SELECT) when not 0.
    int database = 0;
    /// Sent with AUTH when not empty. Never logged and never part of an error message.
    std::string password;
    /// Limit for establishing a connection: TCP connect plus AUTH, SELECT and a PING answered.
    std::chrono::milliseconds connect_deadline{2000};
    /// Limit for each operation, from the call to its completion (waiting for a connection included).
    std::chrono::milliseconds command_deadline{1000};
    /// Largest record read or written, in bytes of JSON. Reads ask the server for at most this many
    /// bytes plus one (GETRANGE), so an oversized value never crosses the wire.
    std::size_t max_record_bytes = 64 * 1024;
    /// Where the connection's I/O runs. Empty (the default): a thread of the store's own. Given: your
    /// executor (serialised by a strand); it must keep running while the store exists, and the store's
    /// destructor waits until it has run the store's cleanup there.
    std::optional<boost::asio::any_io_executor> executor;
};

/// A user store on Redis: one connection, pipelined (many commands in flight), opened on first use and
/// re-opened on the first operation after it was lost (a restarted server is used again at once; while it
/// is down, operations fail as fast as the connect attempt fails). Every operation completes within
/// command_deadline.
///
/// Synchronous interface (get/set): blocks the calling thread until the operation completes (at most
/// command_deadline) and throws boost::system::system_error (category vwo.redis) on any failure,
/// including a timeout; get returns nullopt only when nothing is stored. Do not call get/set from a
/// completion handler running on the store's own thread or strand (it would wait for itself): that
/// throws std::logic_error.
///
/// Asynchronous interface (async_get/async_set): never blocks; the handler is called exactly once, on its
/// associated executor when it has one, else on the store's strand, never inside the caller's call.
///
/// Thread-safety: every member function may be called concurrently from any number of threads; the
/// destructor must not race with other calls. The destructor completes outstanding operations with
/// redis_errc::shut_down.
class VWO_API redis_user_storage final : public user_storage, public async_user_storage {
public:
    /// Connects lazily: constructing never blocks and never fails for an unreachable server.
    /// Throws std::invalid_argument for options out of range (empty host, deadlines not positive,
    /// negative database, ttl not positive).
    explicit redis_user_storage(redis_user_storage_options options);
    ~redis_user_storage() override;
    redis_user_storage(const redis_user_storage&) = delete;
    redis_user_storage& operator=(const redis_user_storage&) = delete;

    std::optional<user_storage_record> get(std::string_view user_id, std::string_view campaign_key) override;
    void set(const user_storage_record& record) override;

    void async_get(std::string_view user_id, std::string_view campaign_key, get_handler handler) override;
    void async_set(const user_storage_record& record, set_handler handler) override;

    /// The key a record of `user_id` in `campaign_key` is stored under.
    std::string key_of(std::string_view user_id, std::string_view campaign_key) const;

private:
    class impl;
    std::shared_ptr<impl> impl_;
};

} // namespace vwo

template <>
struct boost::system::is_error_code_enum<vwo::redis_errc> : std::true_type {};
