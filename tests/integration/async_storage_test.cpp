// client_options::async_user_storage through the public API, with a store that answers on threads of its
// own (as a network store does): sticky decisions across a traffic change, every face, and 8 threads
// deciding at once with exact counts (docs/decisions.md#asynchronous-user-storage).

#include "fixtures.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace vwo::test;
using namespace std::chrono_literals;

namespace {

/// Campaign "AB" with variations V1 and V2; `first_wins` gives V1 all the traffic.
std::string two_variations(bool first_wins)
{
    auto s = json_of(settings_json());
    s["campaigns"] = nlohmann::json::array(
        {{{"id", 101},
          {"key", "AB"},
          {"type", "VISUAL_AB"},
          {"status", "RUNNING"},
          {"percentTraffic", 100},
          {"segments", nlohmann::json::object()},
          {"goals", {{{"id", 11}, {"identifier", "g"}, {"type", "CUSTOM_GOAL"}}}},
          {"variations",
           {{{"id", 1}, {"name", "V1"}, {"weight", first_wins ? 100 : 0}, {"segments", nlohmann::json::object()}},
            {{"id", 2}, {"name", "V2"}, {"weight", first_wins ? 0 : 100}, {"segments", nlohmann::json::object()}}}}}});
    return s.dump();
}

/// A map behind a two-thread pool: every answer comes from another thread, later.
/// Thread-safety: async_get / async_set from any thread at once.
class pooled_memory_store final : public vwo::async_user_storage {
public:
    ~pooled_memory_store() override { pool_.join(); }
    void async_get(std::string_view user, std::string_view campaign, get_handler handler) override
    {
        ++gets;
        boost::asio::post(pool_, [this, key = std::string(user) + "|" + std::string(campaign),
                                  handler = std::move(handler)]() mutable {
            std::optional<vwo::user_storage_record> found;
            {
                std::lock_guard lock(mutex_);
                if (auto it = records_.find(key); it != records_.end())
                    found = it->second;
            }
            std::move(handler)(boost::system::error_code{}, std::move(found));
        });
    }
    void async_set(const vwo::user_storage_record& record, set_handler handler) override
    {
        ++sets;
        boost::asio::post(pool_, [this, record, handler = std::move(handler)]() mutable {
            {
                std::lock_guard lock(mutex_);
                records_[record.user_id + "|" + record.campaign_key] = record;
            }
            std::move(handler)(boost::system::error_code{});
        });
    }
    std::size_t size() const
    {
        std::lock_guard lock(mutex_);
        return records_.size();
    }

    std::atomic<std::size_t> gets{0}, sets{0};

private:
    boost::asio::thread_pool pool_{2};
    mutable std::mutex mutex_;
    std::map<std::string, vwo::user_storage_record> records_;
};

auto variation_future()
{
    return boost::asio::use_future(
        [](boost::system::error_code ec, std::optional<std::string> v) { return std::make_pair(ec, std::move(v)); });
}

} // namespace

TEST_CASE("with an async store a user keeps the variation across a traffic change, in every face",
          "[storage][async]")
{
    collector_fixture f(two_variations(true));
    auto store = std::make_shared<pooled_memory_store>();
    f.opts.async_user_storage = store;
    f.opts.return_promise_for.activate = true;
    auto& client = f.launch();

    auto first = client.async_activate("AB", "u1", variation_future());
    REQUIRE(ready_within(first));
    CHECK(first.get().second == "V1");
    CHECK(store->size() == 1);

    REQUIRE(!client.update_settings_file(two_variations(false))); // traffic moves to V2
    auto promised = client.activate("AB", "u1");                  // promise mode: no thread waits
    REQUIRE(promised.is_future());
    CHECK(promised.get() == "V1");
    CHECK(client.get_variation_name("AB", "u1").get() == "V1"); // immediate: waits at most storage_deadline
    auto fresh = client.async_activate("AB", "u2", variation_future());
    REQUIRE(ready_within(fresh));
    CHECK(fresh.get().second == "V2");
    const auto s = client.stats();
    CHECK(s.storage_errors == 0);
    CHECK(s.storage_timeouts == 0);
}

TEST_CASE("8 threads deciding through an async store: exact counts", "[storage][async]")
{
    collector_fixture f(two_variations(true));
    auto store = std::make_shared<pooled_memory_store>();
    f.opts.async_user_storage = store;
    f.opts.development_mode = true; // decisions only: no impressions to deliver
    f.opts.storage_deadline = 5s;   // a loaded machine (sanitizers) must not turn answers into timeouts
    f.opts.logging.level = vwo::log_level::warn;
    auto& client = f.launch();

    constexpr int threads = 8, users_per_thread = 1000;
    std::atomic<int> decided_v1{0}, other{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            std::vector<std::future<std::pair<boost::system::error_code, std::optional<std::string>>>> pending;
            pending.reserve(users_per_thread);
            for (int i = 0; i < users_per_thread; ++i)
                pending.push_back(client.async_activate("AB", "t" + std::to_string(t) + "-" + std::to_string(i),
                                                        variation_future()));
            for (auto& p : pending) {
                if (p.wait_for(test_deadline) != std::future_status::ready) {
                    ++other;
                    continue;
                }
                (p.get().second == "V1" ? decided_v1 : other)++;
            }
        });
    for (auto& w : workers)
        w.join();
    CHECK(decided_v1 == threads * users_per_thread);
    CHECK(other == 0);
    CHECK(store->size() == threads * users_per_thread);
    CHECK(store->gets == threads * users_per_thread);
    CHECK(store->sets == threads * users_per_thread);
    const auto s = client.stats();
    CHECK(s.storage_errors == 0);
    CHECK(s.storage_timeouts == 0);
}
