// What user storage costs a decision (docs/benchmarks.md, "Decisions with user storage"): activate() on a
// one-campaign account, with no store, an in-memory synchronous store, an in-memory asynchronous store
// answering from a thread pool (as a network store does), and the Redis store (vwo::redis, when built)
// as the asynchronous store ("redis") or as the synchronous one ("redis-sync"), through the immediate
// API and through async_activate.
//
//   vwo_bench_storage --store none|memory|memory-async|redis|redis-sync --api immediate|async
//                     [--calls N] [--users U] [--in-flight K] [--redis-port P]
//
// Calls go to users 0..U-1 in turn (U defaults to N: every call reads nothing, decides afresh and writes;
// U < N: from the second round on every call finds its stored variation). The Redis stores use a
// throwaway redis-server (Debian's) on a free loopback port, or the one on --redis-port.
//
// Prints one JSON line: decisions per second, the caller's cost per call (the time the call holds the
// calling thread), for the async API the latency from the call to its completion, the client's storage
// failure counters, and for Redis the records the server holds at the end (a run whose count is not one
// per user fails, as one with a missing decision does).
// Development mode: decisions only, no impressions on the network.

#include "bench_support.hpp"

#include <vwo/vwo.hpp>
#ifdef VWO_BENCH_REDIS
#include <local_redis_server.hpp>
#include <vwo/redis_user_storage.hpp>
#endif

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

const std::string settings =
    R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
    R"({"id":101,"key":"AB","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},"goals":[],)"
    R"("variations":[{"id":1,"name":"Control","weight":50,"segments":{}},)"
    R"({"id":2,"name":"Variation-1","weight":50,"segments":{}}]}]})";

/// Thread-safety: get/set from any thread (one mutex).
class memory_store final : public vwo::user_storage {
public:
    std::optional<vwo::user_storage_record> get(std::string_view user, std::string_view campaign) override
    {
        std::lock_guard lock(mutex_);
        auto it = records_.find(std::string(user) + "|" + std::string(campaign));
        return it == records_.end() ? std::nullopt : std::optional<vwo::user_storage_record>(it->second);
    }
    void set(const vwo::user_storage_record& r) override
    {
        std::lock_guard lock(mutex_);
        records_[r.user_id + "|" + r.campaign_key] = r;
    }

private:
    std::mutex mutex_;
    std::map<std::string, vwo::user_storage_record> records_;
};

/// The same map, answering from a one-thread pool. Thread-safety: as memory_store.
class pooled_store final : public vwo::async_user_storage {
public:
    ~pooled_store() override { pool_.join(); }
    void async_get(std::string_view user, std::string_view campaign, get_handler handler) override
    {
        boost::asio::post(pool_, [this, u = std::string(user), c = std::string(campaign),
                                  h = std::move(handler)]() mutable { std::move(h)(boost::system::error_code{}, map_.get(u, c)); });
    }
    void async_set(const vwo::user_storage_record& r, set_handler handler) override
    {
        boost::asio::post(pool_, [this, r, h = std::move(handler)]() mutable {
            map_.set(r);
            std::move(h)(boost::system::error_code{});
        });
    }

private:
    memory_store map_;
    boost::asio::thread_pool pool_{1};
};

std::string arg(int argc, char** argv, const char* name, const char* fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string store = arg(argc, argv, "--store", "none");
    const std::string api = arg(argc, argv, "--api", "immediate");
    const auto calls = static_cast<std::size_t>(std::atoll(arg(argc, argv, "--calls", "200000").c_str()));
    const auto users_arg = static_cast<std::size_t>(std::atoll(arg(argc, argv, "--users", "0").c_str()));
    const std::size_t users = users_arg == 0 ? calls : users_arg;
    const auto in_flight = static_cast<std::size_t>(std::atoll(arg(argc, argv, "--in-flight", "256").c_str()));

    vwo::client_options options;
    options.settings_file = settings;
    options.development_mode = true;
    options.logging.level = vwo::log_level::error;
    options.storage_deadline = std::chrono::seconds(5);
    if (store == "memory")
        options.user_storage = std::make_shared<memory_store>();
    else if (store == "memory-async")
        options.async_user_storage = std::make_shared<pooled_store>();
#ifdef VWO_BENCH_REDIS
    std::optional<vwo::testing::local_redis_server> redis_server;
    std::uint16_t redis_port = static_cast<std::uint16_t>(std::atoi(arg(argc, argv, "--redis-port", "0").c_str()));
    if (store == "redis" || store == "redis-sync") {
        if (redis_port == 0) {
            redis_server.emplace();
            redis_port = redis_server->port();
        }
        vwo::redis_user_storage_options redis_options;
        redis_options.port = redis_port;
        redis_options.key_prefix = "bench:";
        auto redis = std::make_shared<vwo::redis_user_storage>(redis_options);
        if (store == "redis")
            options.async_user_storage = redis;
        else
            options.user_storage = redis;
    } else
#endif
    if (store != "none" && store != "memory" && store != "memory-async") {
        std::fprintf(stderr, "unknown --store %s (redis and redis-sync need the vwo::redis build)\n", store.c_str());
        return 2;
    }
    vwo::client client = vwo::launch(options);

    std::vector<std::uint32_t> caller_ns, completion_ns;
    caller_ns.reserve(calls);
    std::atomic<std::size_t> decided{0};
    const auto start = clock_type::now();
    if (api == "immediate") {
        for (std::size_t i = 0; i < calls; ++i) {
            const std::string user = vwo::bench::user_id(0, i % users);
            const auto t0 = clock_type::now();
            decided += client.activate("AB", user).get().has_value();
            caller_ns.push_back(static_cast<std::uint32_t>((clock_type::now() - t0).count()));
        }
    } else {
        // At most `in_flight` calls outstanding, as a server with that many requests in progress.
        completion_ns.resize(calls);
        std::mutex m;
        std::condition_variable cv;
        std::size_t outstanding = 0;
        for (std::size_t i = 0; i < calls; ++i) {
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return outstanding < in_flight; });
                ++outstanding;
            }
            const std::string user = vwo::bench::user_id(0, i % users);
            const auto t0 = clock_type::now();
            client.async_activate("AB", user, [&, i, t0](boost::system::error_code, std::optional<std::string> v) {
                completion_ns[i] = static_cast<std::uint32_t>((clock_type::now() - t0).count());
                decided += v.has_value();
                std::lock_guard lock(m);
                --outstanding;
                cv.notify_one();
            });
            caller_ns.push_back(static_cast<std::uint32_t>((clock_type::now() - t0).count()));
        }
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return outstanding == 0; });
    }
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    const auto stats = client.stats();
    client.shutdown();
    if (decided != calls)
        return 1; // every user is in the campaign: a missing decision is a bug, not a figure
    long long stored_records = -1; // -1: not counted (no Redis, or a server of yours)
#ifdef VWO_BENCH_REDIS
    if (redis_server) {
        // Writes the immediate API left in flight may land after shutdown returned: give them a moment.
        for (int attempt = 0; attempt < 50; ++attempt) {
            stored_records = std::atoll(redis_server->command({"DBSIZE"}).c_str());
            if (static_cast<std::size_t>(stored_records) >= users)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (stored_records != static_cast<long long>(users)) { // one record per user: anything else is a bug
            std::fprintf(stderr, "redis holds %lld records for %zu users\n", stored_records, users);
            return 1;
        }
    }
#endif

    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"storage\",\"store\":\"%s\",\"api\":\"%s\",\"calls\":%zu,"
                "\"users\":%zu,\"decisions_per_s\":%.0f,\"caller_ns\":%s,\"completion_ns\":%s,\"storage_errors\":%llu,"
                "\"storage_timeouts\":%llu,\"stored_records\":%lld}\n",
                store.c_str(), api.c_str(), calls, users, static_cast<double>(calls) / seconds,
                vwo::bench::percentiles::of(std::move(caller_ns)).to_json().c_str(),
                vwo::bench::percentiles::of(std::move(completion_ns)).to_json().c_str(),
                static_cast<unsigned long long>(stats.storage_errors),
                static_cast<unsigned long long>(stats.storage_timeouts), stored_records);
    return 0;
}
