// What user storage costs a decision (docs/benchmarks.md, "Decisions with user storage"): activate() on a
// one-campaign account for distinct users (so every call reads the store, decides afresh and writes),
// with no store, an in-memory synchronous store, and an in-memory asynchronous store answering from a
// thread pool (as a network store does), through the immediate API and through async_activate.
//
//   vwo_bench_storage --store none|memory|memory-async --api immediate|async [--calls N] [--in-flight K]
//
// Prints one JSON line: decisions per second, the caller's cost per call (the time the call holds the
// calling thread), and for the async API the latency from the call to its completion.
// Development mode: decisions only, no impressions on the network.

#include "bench_support.hpp"

#include <vwo/vwo.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
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
    else if (store != "none") {
        std::fprintf(stderr, "unknown --store %s\n", store.c_str());
        return 2;
    }
    vwo::client client = vwo::launch(options);

    std::vector<std::uint32_t> caller_ns, completion_ns;
    caller_ns.reserve(calls);
    std::atomic<std::size_t> decided{0};
    const auto start = clock_type::now();
    if (api == "immediate") {
        for (std::size_t i = 0; i < calls; ++i) {
            const std::string user = vwo::bench::user_id(0, i);
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
            const std::string user = vwo::bench::user_id(0, i);
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

    std::printf("{\"sdk\":\"vwo-cpp-sdk\",\"scenario\":\"storage\",\"store\":\"%s\",\"api\":\"%s\",\"calls\":%zu,"
                "\"decisions_per_s\":%.0f,\"caller_ns\":%s,\"completion_ns\":%s,\"storage_errors\":%llu,"
                "\"storage_timeouts\":%llu}\n",
                store.c_str(), api.c_str(), calls, static_cast<double>(calls) / seconds,
                vwo::bench::percentiles::of(std::move(caller_ns)).to_json().c_str(),
                vwo::bench::percentiles::of(std::move(completion_ns)).to_json().c_str(),
                static_cast<unsigned long long>(stats.storage_errors),
                static_cast<unsigned long long>(stats.storage_timeouts));
    return 0;
}
