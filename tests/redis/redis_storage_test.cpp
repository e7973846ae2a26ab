// vwo::redis_user_storage against a real redis-server: both interfaces, keys, TTL, databases, passwords,
// meta_data, size limits.
#include "redis_test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <boost/system/system_error.hpp>

#include <future>
#include <thread>

using namespace vwo;
using vwo::testing::local_redis_server;
using namespace std::chrono_literals;

TEST_CASE("redis store: synchronous set then get round-trips - a missing key is nullopt")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    redis_user_storage store(test::options_for(server));
    CHECK(!store.get("u1", "CAMP"));
    auto r = test::record_of("u1", "CAMP", "Variation-1");
    r.goal_identifier = "cta_vwo_signup";
    store.set(r);
    auto back = store.get("u1", "CAMP");
    REQUIRE(back);
    CHECK(back->user_id == "u1");
    CHECK(back->campaign_key == "CAMP");
    CHECK(back->variation_name == "Variation-1");
    CHECK(back->goal_identifier == "cta_vwo_signup");
    CHECK(!store.get("u2", "CAMP"));
    r.variation_name = "Control"; // set replaces
    store.set(r);
    CHECK(store.get("u1", "CAMP")->variation_name == "Control");
}

TEST_CASE("redis store: asynchronous set then get complete through the handlers")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    redis_user_storage store(test::options_for(server));
    std::promise<boost::system::error_code> set_done;
    store.async_set(test::record_of("u1", "CAMP", "Control"),
                    [&](boost::system::error_code ec) { set_done.set_value(ec); });
    CHECK(!set_done.get_future().get());
    std::promise<std::pair<boost::system::error_code, std::optional<user_storage_record>>> got;
    store.async_get("u1", "CAMP", [&](boost::system::error_code ec, std::optional<user_storage_record> r) {
        got.set_value({ec, std::move(r)});
    });
    auto [ec, record] = got.get_future().get();
    CHECK(!ec);
    REQUIRE(record);
    CHECK(record->variation_name == "Control");
    std::promise<std::pair<boost::system::error_code, std::optional<user_storage_record>>> missing;
    store.async_get("nobody", "CAMP", [&](boost::system::error_code e, std::optional<user_storage_record> r) {
        missing.set_value({e, std::move(r)});
    });
    auto [ec2, none] = missing.get_future().get();
    CHECK(!ec2);
    CHECK(!none);
}

TEST_CASE("redis store: stored as JSON under the Node helper's key - meta_data included - readable from outside")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    redis_user_storage store(test::options_for(server));
    auto r = test::record_of("u1", "CAMP", "Control");
    r.meta_data = {{"plan", "gold"}, {"region", "eu"}};
    store.set(r);
    CHECK(store.key_of("u1", "CAMP") == "CAMP:u1");
    auto json = nlohmann::json::parse(server.command({"GET", "CAMP:u1"}));
    CHECK(json["userId"] == "u1");
    CHECK(json["campaignKey"] == "CAMP");
    CHECK(json["variationName"] == "Control");
    CHECK(json["metaData"] == nlohmann::json{{"plan", "gold"}, {"region", "eu"}});
    CHECK(store.get("u1", "CAMP")->meta_data == r.meta_data);
    // A record written by Node's helper (JSON.stringify of the SDK's object, non-string metaData values).
    server.command({"SET", "CAMP:u2", R"({"userId":"u2","campaignKey":"CAMP","variationName":"Variation-1",)"
                                      R"("goalIdentifier":"buy","metaData":{"visits":3}})"});
    auto node = store.get("u2", "CAMP");
    REQUIRE(node);
    CHECK(node->variation_name == "Variation-1");
    CHECK(node->goal_identifier == "buy");
    CHECK(node->meta_data.at("visits") == "3");
}

TEST_CASE("redis store: key prefix and TTL")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.key_prefix = "svc:";
    options.ttl = std::chrono::seconds(100);
    redis_user_storage store(options);
    store.set(test::record_of("u1", "CAMP", "Control"));
    CHECK(server.command({"EXISTS", "svc:CAMP:u1"}) == "1");
    CHECK(server.command({"EXISTS", "CAMP:u1"}) == "0");
    const int ttl = std::stoi(server.command({"TTL", "svc:CAMP:u1"}));
    CHECK(ttl > 90);
    CHECK(ttl <= 100);

    options.ttl = std::chrono::seconds(1);
    redis_user_storage short_lived(options);
    short_lived.set(test::record_of("u2", "CAMP", "Control"));
    CHECK(short_lived.get("u2", "CAMP"));
    std::this_thread::sleep_for(2100ms);
    CHECK(!short_lived.get("u2", "CAMP"));
}

TEST_CASE("redis store: database number")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.database = 3;
    redis_user_storage store(options);
    store.set(test::record_of("u1", "CAMP", "Control"));
    CHECK(server.command({"EXISTS", "CAMP:u1"}, 3) == "1");
    CHECK(server.command({"EXISTS", "CAMP:u1"}, 0) == "0");
    CHECK(store.get("u1", "CAMP")->variation_name == "Control");
    options.database = 100000; // beyond the server's 16 databases
    redis_user_storage refused(options);
    try {
        refused.get("u1", "CAMP");
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::select_failed));
    }
}

TEST_CASE("redis store: password - and a wrong one is a clear error that never shows it")
{
    VWO_REQUIRE_REDIS_SERVER();
    const std::string secret = "s3cret-Pa55word";
    local_redis_server server(secret);
    auto options = test::options_for(server);
    options.password = secret;
    redis_user_storage store(options);
    store.set(test::record_of("u1", "CAMP", "Control"));
    CHECK(store.get("u1", "CAMP")->variation_name == "Control");

    options.password = "wrong-Pa55word-42";
    redis_user_storage wrong(options);
    try {
        wrong.set(test::record_of("u1", "CAMP", "Control"));
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::authentication_failed));
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("refused the password"));
        CHECK(what.find("wrong-Pa55word-42") == std::string::npos);
        CHECK(what.find(secret) == std::string::npos);
    }
    options.password.clear(); // none given to a server that wants one: each command is refused
    redis_user_storage none(options);
    CHECK_THROWS_AS(none.get("u1", "CAMP"), boost::system::system_error);
}

TEST_CASE("redis store: records past max_record_bytes are refused both ways")
{
    VWO_REQUIRE_REDIS_SERVER();
    local_redis_server server;
    auto options = test::options_for(server);
    options.max_record_bytes = 1024;
    redis_user_storage store(options);
    auto big = test::record_of("u1", "CAMP", std::string(2000, 'v'));
    try {
        store.set(big);
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::record_too_large));
    }
    CHECK(server.command({"EXISTS", "CAMP:u1"}) == "0");
    server.command({"SET", "CAMP:u2", std::string(100000, 'x')}); // written by someone else
    try {
        store.get("u2", "CAMP");
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::record_too_large));
    }
    server.command({"SET", "CAMP:u3", "not json"});
    CHECK_THROWS_AS(store.get("u3", "CAMP"), boost::system::system_error);
    server.command({"HSET", "CAMP:u4", "a", "b"}); // another type under the key
    try {
        store.get("u4", "CAMP");
        FAIL("no error");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == make_error_code(redis_errc::server_error));
    }
}

TEST_CASE("redis store: options out of range are refused at construction")
{
    redis_user_storage_options options;
    options.host.clear();
    CHECK_THROWS_AS(redis_user_storage(options), std::invalid_argument);
    options = {};
    options.command_deadline = 0ms;
    CHECK_THROWS_AS(redis_user_storage(options), std::invalid_argument);
    options = {};
    options.ttl = std::chrono::seconds(0);
    CHECK_THROWS_AS(redis_user_storage(options), std::invalid_argument);
}
