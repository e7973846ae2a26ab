#include "local_redis_server.hpp"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vwo::testing {
namespace {

using clock = std::chrono::steady_clock;

struct context_deleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;
struct reply_deleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

reply_ptr run(redisContext* c, const std::vector<std::string>& argv)
{
    std::vector<const char*> args;
    std::vector<std::size_t> lengths;
    for (const auto& a : argv) {
        args.push_back(a.c_str());
        lengths.push_back(a.size());
    }
    return reply_ptr(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lengths.data())));
}

std::string text_of(const redisReply* r)
{
    if (!r)
        return "(no reply)";
    switch (r->type) {
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
    case REDIS_REPLY_ERROR: return "(error) " + std::string(r->str, r->len);
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: return std::string(r->str, r->len);
    default: return "(other)";
    }
}

} // namespace

bool local_redis_server::available() { return ::access(default_executable, X_OK) == 0; }

std::uint16_t free_local_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error("free_local_port: socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("free_local_port: bind failed");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

local_redis_server::local_redis_server(std::string password) : password_(std::move(password))
{
    std::string pattern = (std::filesystem::temp_directory_path() / "vwo-redis-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("local_redis_server: mkdtemp failed");
    dir_ = pattern;
    // The port may be taken between free_local_port() and the server's bind: try a few.
    for (int attempt = 0;; ++attempt) {
        port_ = free_local_port();
        try {
            start();
            return;
        } catch (const std::exception&) {
            if (attempt == 4) {
                std::error_code ignored;
                std::filesystem::remove_all(dir_, ignored);
                throw;
            }
        }
    }
}

local_redis_server::~local_redis_server()
{
    stop(false);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void local_redis_server::start()
{
    std::vector<std::string> args{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--dir", dir_.string(),
                                  "--daemonize", "no", "--logfile", (dir_ / "redis.log").string()};
    if (!password_.empty()) {
        args.emplace_back("--requirepass");
        args.push_back(password_);
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    int spawned = posix_spawn(&pid_, default_executable, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        pid_ = -1;
        throw std::runtime_error("local_redis_server: cannot start " + std::string(default_executable));
    }
    const auto deadline = clock::now() + std::chrono::seconds(10);
    while (!answers_ping()) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) { // exited (e.g. the port was taken)
            pid_ = -1;
            throw std::runtime_error("local_redis_server: redis-server exited at start");
        }
        if (clock::now() > deadline) {
            stop(false);
            throw std::runtime_error("local_redis_server: no PING answer within 10 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void local_redis_server::stop(bool graceful)
{
    if (pid_ <= 0)
        return;
    ::kill(pid_, graceful ? SIGTERM : SIGKILL);
    const auto deadline = clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

void local_redis_server::restart()
{
    stop(true);
    start();
}

bool local_redis_server::answers_ping() const
{
    const std::string reply = command({"PING"});
    return reply == "PONG";
}

std::string local_redis_server::command(const std::vector<std::string>& argv, int database) const
{
    timeval timeout{2, 0};
    context_ptr c(redisConnectWithTimeout("127.0.0.1", port_, timeout));
    if (!c || c->err)
        return "(connect failed)";
    redisSetTimeout(c.get(), timeout);
    if (!password_.empty()) {
        if (text_of(run(c.get(), {"AUTH", password_}).get()) != "OK")
            return "(auth failed)";
    }
    if (database != 0)
        run(c.get(), {"SELECT", std::to_string(database)});
    return text_of(run(c.get(), argv).get());
}

} // namespace vwo::testing
