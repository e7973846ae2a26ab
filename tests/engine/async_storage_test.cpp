// client_options::async_user_storage on the engine (docs/decisions.md#asynchronous-user-storage): the async
// faces read and write the store without blocking, a failing, throwing or silent store never fails a call,
// and the immediate face waits at most storage_deadline. Fake transport, manual clock, a scripted store.

#include "engine_fixture.hpp"

#include <vwo/error.hpp>

#include <deque>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace vwo;
using namespace vwo::test;
using namespace std::chrono_literals;

namespace {

/// Campaign "AB" (id 101, goal "g") with variations V1 and V2; `first_wins` gives V1 all the traffic.
std::string two_variations(bool first_wins = true)
{
    const std::string w1 = first_wins ? "100" : "0", w2 = first_wins ? "0" : "100";
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
           R"({"id":101,"key":"AB","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},)"
           R"("goals":[{"id":11,"identifier":"g","type":"CUSTOM_GOAL"}],"variations":[{"id":1,"name":"V1","weight":)" +
           w1 + R"(,"segments":{}},{"id":2,"name":"V2","weight":)" + w2 + R"(,"segments":{}}]}]})";
}

/// A store the test answers by hand. Thread-safety: the test thread only (fail_on_another_thread answers
/// from threads of its own, which touch nothing but the handler they were given).
class scripted_store final : public async_user_storage {
public:
    enum class mode { hold, fail, throw_now, fail_on_another_thread };
    mode behaviour = mode::hold;
    std::map<std::string, user_storage_record> records; ///< what answer_gets() serves, by "user|campaign"
    std::deque<std::pair<std::string, get_handler>> gets;
    std::deque<std::pair<user_storage_record, set_handler>> sets;
    std::vector<user_storage_record> written;
    std::vector<std::jthread> answering; ///< fail_on_another_thread: one thread per read, joined at the end

    void async_get(std::string_view user, std::string_view campaign, get_handler handler) override
    {
        if (behaviour == mode::throw_now)
            throw std::runtime_error("store down");
        if (behaviour == mode::fail)
            return std::move(handler)(make_error_code(boost::system::errc::connection_refused), std::nullopt);
        if (behaviour == mode::fail_on_another_thread) {
            answering.emplace_back([h = std::move(handler)]() mutable {
                std::move(h)(make_error_code(boost::system::errc::connection_refused), std::nullopt);
            });
            return;
        }
        gets.emplace_back(std::string(user) + "|" + std::string(campaign), std::move(handler));
    }
    void async_set(const user_storage_record& record, set_handler handler) override
    {
        if (behaviour == mode::throw_now)
            throw std::runtime_error("store down");
        if (behaviour == mode::fail || behaviour == mode::fail_on_another_thread)
            return std::move(handler)(make_error_code(boost::system::errc::connection_refused));
        sets.emplace_back(record, std::move(handler));
    }
    /// Answers every waiting get from `records`.
    void answer_gets()
    {
        while (!gets.empty()) {
            auto [key, handler] = std::move(gets.front());
            gets.pop_front();
            auto it = records.find(key);
            std::move(handler)(boost::system::error_code{},
                               it == records.end() ? std::nullopt : std::optional<user_storage_record>(it->second));
        }
    }
    /// Answers every waiting set, storing the records.
    void answer_sets()
    {
        while (!sets.empty()) {
            auto [record, handler] = std::move(sets.front());
            sets.pop_front();
            records[record.user_id + "|" + record.campaign_key] = record;
            written.push_back(record);
            std::move(handler)(boost::system::error_code{});
        }
    }
};

struct storage_fixture : engine_fixture {
    std::shared_ptr<scripted_store> store = std::make_shared<scripted_store>();
    storage_fixture()
    {
        options.settings_file = two_variations();
        options.async_user_storage = store;
        options.storage_deadline = 100ms;
    }
    /// An async activate; the result lands in `out` when it completes.
    void activate_async(std::string user, std::optional<std::pair<boost::system::error_code, std::optional<std::string>>>& out,
                        call_options o = {})
    {
        impl->start_decision(detail::decision_request{detail::decision_request::api::activate, "AB", "", user, o},
                             detail::variation_handler([&out](boost::system::error_code ec, std::optional<std::string> v) {
                                 out.emplace(ec, std::move(v));
                             }));
    }
    /// Lets the impression go out and answers it.
    void deliver_impression()
    {
        tick();
        REQUIRE(net->waiting_for("/server-side/track-user?") == 1);
        net->answer(200);
        run();
    }
};

} // namespace

TEST_CASE("an async decision reads and writes the store without blocking, meta_data included", "[storage][async]")
{
    storage_fixture f;
    f.launch();
    std::optional<std::pair<boost::system::error_code, std::optional<std::string>>> got;
    call_options o;
    o.meta_data = {{"source", "checkout"}};
    f.activate_async("u1", got, o);
    f.run();
    REQUIRE(f.store->gets.size() == 1); // the read was started; nothing waits for it
    CHECK(f.store->gets.front().first == "u1|AB");
    CHECK(!got);
    f.store->answer_gets();
    f.run();
    REQUIRE(f.store->sets.size() == 1); // decided V1 afresh: written before the call goes on
    CHECK(!got);
    f.store->answer_sets();
    f.run();
    f.deliver_impression();
    REQUIRE(got);
    CHECK(!got->first);
    CHECK(got->second == "V1");
    REQUIRE(f.store->written.size() == 1);
    CHECK(f.store->written[0].variation_name == "V1");
    CHECK(f.store->written[0].meta_data.at("source") == "checkout");
    CHECK(f.stats().storage_errors == 0);
    CHECK(f.stats().storage_timeouts == 0);
}

TEST_CASE("a stored variation wins over a changed campaign with an async store", "[storage][async]")
{
    storage_fixture f;
    f.options.settings_file = two_variations(false); // traffic now goes to V2 ...
    f.launch();
    f.store->records["u1|AB"] = user_storage_record{"u1", "AB", "V1", "", {}}; // ... but u1 has V1 stored
    std::optional<std::pair<boost::system::error_code, std::optional<std::string>>> got;
    f.activate_async("u1", got);
    f.run();
    f.store->answer_gets();
    f.run();
    CHECK(f.store->sets.empty()); // a stored decision is not written again
    f.tick();
    CHECK(f.net->waiting.empty()); // a returning user is not tracked again (should_track_returning_user)
    REQUIRE(got);
    CHECK(got->second == "V1");
}

TEST_CASE("a store that fails, throws or stays silent never fails the call", "[storage][async]")
{
    for (const auto behaviour : {scripted_store::mode::fail, scripted_store::mode::throw_now}) {
        DYNAMIC_SECTION((behaviour == scripted_store::mode::fail ? "fails" : "throws"))
        {
            storage_fixture f;
            f.store->behaviour = behaviour;
            f.launch();
            std::optional<std::pair<boost::system::error_code, std::optional<std::string>>> got;
            f.activate_async("u1", got);
            f.run();
            f.deliver_impression();
            REQUIRE(got);
            CHECK(got->second == "V1");
            CHECK(f.stats().storage_errors == 2); // the read and the write
            CHECK(f.logged("async_user_storage.async_get failed"));
        }
    }
    SECTION("stays silent: the call goes on at the storage deadline, a late answer is ignored")
    {
        storage_fixture f;
        f.launch();
        std::optional<std::pair<boost::system::error_code, std::optional<std::string>>> got;
        f.activate_async("u1", got);
        f.run();
        f.time->advance(99ms);
        f.run();
        CHECK(f.store->sets.empty()); // still waiting for the read
        f.time->advance(2ms);
        f.run(); // the deadline: decided afresh, the write started
        REQUIRE(f.store->sets.size() == 1);
        f.time->advance(101ms);
        f.run(); // the write's deadline too
        f.deliver_impression();
        REQUIRE(got);
        CHECK(got->second == "V1");
        CHECK(f.stats().storage_timeouts == 2);
        f.store->records["u1|AB"] = user_storage_record{"u1", "AB", "V2", "", {}};
        f.store->answer_gets(); // too late: nothing happens
        f.store->answer_sets();
        f.run();
        CHECK(f.stats().storage_timeouts == 2);
        CHECK(f.logged("did not answer within storage_deadline (100 ms)"));
    }
}

TEST_CASE("track with an async store converts a goal once", "[storage][async]")
{
    storage_fixture f;
    f.launch();
    f.store->records["u1|AB"] = user_storage_record{"u1", "AB", "V1", "", {}};
    std::optional<std::pair<boost::system::error_code, track_result>> first, second;
    auto track = [&](std::optional<std::pair<boost::system::error_code, track_result>>& out) {
        f.impl->start_track(detail::track_request{"AB", "u1", "g", {}},
                            detail::track_handler([&out](boost::system::error_code ec, track_result r) {
                                out.emplace(ec, std::move(r));
                            }));
        f.run();
        f.store->answer_gets();
        f.run();
        f.store->answer_sets();
        f.run();
    };
    track(first);
    f.tick();
    REQUIRE(f.net->waiting_for("/server-side/track-goal?") == 1);
    f.net->answer(200);
    f.run();
    REQUIRE(first);
    CHECK(!first->first);
    REQUIRE(f.store->written.size() == 1);
    CHECK(f.store->written[0].goal_identifier == "g");

    track(second); // the stored record now names the goal: not converted again
    REQUIRE(second);
    CHECK(second->first == errc::already_tracked);
    CHECK(f.net->waiting.empty());
}

TEST_CASE("the immediate face waits for an async store at most storage_deadline", "[storage][async]")
{
    storage_fixture f;
    f.options.storage_deadline = 50ms;
    f.launch();
    const auto start = std::chrono::steady_clock::now();
    CHECK(f.impl->activate("AB", "u1", {}).get() == "V1"); // nothing answered: decided afresh
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= 50ms);
    CHECK(waited < 2s);
    CHECK(f.stats().storage_timeouts == 1);
    CHECK(f.store->sets.size() == 1); // the write was started, not waited for
}

TEST_CASE("the immediate face counts a store's failure before the call returns", "[storage][async]")
{
    // The store fails the read from a thread of its own, as a network store does: stats() read right
    // after the call must already show it (the caller is released only after the count).
    storage_fixture f;
    f.store->behaviour = scripted_store::mode::fail_on_another_thread;
    f.options.storage_deadline = 5s;
    f.launch();
    for (int i = 0; i < 200; ++i) {
        REQUIRE(f.impl->activate("AB", "u" + std::to_string(i), {}).get() == "V1");
        // The read's failure (on the store's thread) and the write's (inline: started, not waited for).
        REQUIRE(f.stats().storage_errors == 2 * static_cast<std::uint64_t>(i + 1));
    }
    CHECK(f.stats().storage_timeouts == 0);
}

TEST_CASE("user_storage and async_user_storage together are refused at launch", "[storage][async]")
{
    struct nothing final : user_storage {
        std::optional<user_storage_record> get(std::string_view, std::string_view) override { return std::nullopt; }
        void set(const user_storage_record&) override {}
    };
    client_options o;
    o.settings_file = two_variations();
    o.user_storage = std::make_shared<nothing>();
    o.async_user_storage = std::make_shared<scripted_store>();
    std::vector<std::string> lines;
    o.logging.logger = [&lines](log_level, std::string_view line) { lines.emplace_back(line); };
    boost::system::error_code ec;
    std::string error;
    CHECK(!client_impl::create(o, ec, error));
    CHECK(ec == errc::invalid_options);
    CHECK(error.find("not both") != std::string::npos);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("not both") != std::string::npos);
}
