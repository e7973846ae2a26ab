#pragma once
// One hiredis connection to Redis, driven on a strand: connects on demand (resolve, TCP connect, AUTH,
// SELECT, PING, all within connect_deadline), pipelines commands, gives each its own deadline, and
// reconnects on the next command after the connection was lost.
//
// Thread-safety: none; every member function must be called on the strand given at construction
// (redis_user_storage posts there). Completion functions are called on that strand, possibly from inside
// a hiredis callback: they must not throw (complete() catches anyway) and must not block.
#include <vwo/redis_user_storage.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct redisAsyncContext;

namespace vwo::redis_detail {

/// A reply, copied out of hiredis's (which is freed when its callback returns).
struct reply {
    enum class kind { nil, string, status, integer, error, other } type = kind::nil;
    std::string text; // string, status and error replies
    long long integer = 0;
};

using reply_function = std::function<void(boost::system::error_code, reply)>;

class redis_connection : public std::enable_shared_from_this<redis_connection> {
public:
    redis_connection(boost::asio::any_io_executor strand, const redis_user_storage_options& options);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    /// Sends `argv` (binary-safe) and calls `done` once: with the reply, or with an error (timed_out
    /// after command_deadline, a connect error, connection_lost, shut_down).
    void execute(std::vector<std::string> argv, reply_function done);

    /// Fails every outstanding command with `reason` and frees the connection; later commands fail with
    /// shut_down. Called once, by the store's destructor.
    void close();

private:
    struct command;
    struct in_flight; // hiredis's privdata for one command
    enum class state { idle, connecting, ready, closed };

    void start_connect();
    void connect_to(const std::string& address);
    void send_handshake();
    void on_ready();
    void abandon_attempt(boost::system::error_code reason);
    void drop_context(boost::system::error_code reason);
    void submit(const std::shared_ptr<command>& cmd);
    void on_timeout(const std::shared_ptr<command>& cmd);
    static void complete(command& cmd, boost::system::error_code ec, reply r) noexcept;

    static void on_reply(redisAsyncContext* context, void* raw_reply, void* privdata);
    static void on_connect(const redisAsyncContext* context, int status);
    static void on_disconnect(const redisAsyncContext* context, int status);

    boost::asio::any_io_executor strand_;
    redis_user_storage_options options_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer connect_timer_;
    redisAsyncContext* context_ = nullptr;
    state state_ = state::idle;
    std::uint64_t attempt_ = 0; // connect attempt number: callbacks of an abandoned attempt are ignored
    boost::system::error_code close_reason_; // what in-flight commands complete with when the context goes
    std::deque<std::shared_ptr<command>> waiting_; // commands waiting for the connection to be ready
};

} // namespace vwo::redis_detail
