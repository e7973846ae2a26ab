// What reaches a real HTTP collector for each push shape (docs/protocol.md "Which request a push becomes"):
// method, path, decoded parameters, headers and parsed bodies.

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::recorded_request;

namespace {

// Common push GET / batch-events query checks that do not depend on time or randomness.
void check_sdk_identity(const recorded_request& r, const char* sdk_name_param, const char* sdk_version_param)
{
    REQUIRE(r.query_value(sdk_name_param) == std::optional<std::string>("vwo-cpp-sdk"));
    REQUIRE(r.query_value(sdk_version_param) == std::optional<std::string>(vwo::sdk_version));
    REQUIRE(r.query_value("env") == std::optional<std::string>(sdk_key));
}

std::vector<std::string> query_names(const recorded_request& r)
{
    std::vector<std::string> names;
    for (const auto& [name, value] : r.query)
        names.push_back(name);
    return names;
}

} // namespace

TEST_CASE_METHOD(collector_fixture, "single key push is one GET /server-side/push with Node's parameters", "[wire]")
{
    opts.return_promise_for.push = true;
    launch();

    auto result = client.push("browser", "chrome", "user-1");
    REQUIRE(result.is_future());
    REQUIRE(result.get());

    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.method == "GET");
    CHECK(r.path == "/server-side/push");
    CHECK(query_names(r) ==
          std::vector<std::string>{"sId", "u", "sdk", "sdk-v", "env", "account_id", "random", "ap", "tags"});
    check_sdk_identity(r, "sdk", "sdk-v");
    CHECK(r.query_value("u") == std::optional<std::string>("D8E56BFF89A75539B46C1FECD3C97D7C"));
    CHECK(r.query_value("account_id") == std::optional<std::string>("123456"));
    CHECK(r.query_value("ap") == std::optional<std::string>("server"));
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    const long long sid = std::stoll(*r.query_value("sId"));
    CHECK(sid <= now_s + 1);
    CHECK(sid >= now_s - 30);
    const double random = std::stod(*r.query_value("random"));
    CHECK(random >= 0.0);
    CHECK(random < 1.0);
    CHECK(json_of(*r.query_value("tags")) == nlohmann::json::parse(R"({"u":{"browser":"chrome"}})"));
    CHECK_FALSE(r.header("authorization").has_value());
    CHECK(accounting_holds(client.stats()));
    CHECK(client.stats().delivered == 1);
}

TEST_CASE_METHOD(collector_fixture, "special characters survive as exact JSON strings, '+' included", "[wire]")
{
    opts.return_promise_for.all = true;
    launch();

    REQUIRE(client.push("a b&c=d", "x/y \"z\" \xC3\xBC+%", "user 1").get());
    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    // The raw target carries no unescaped space, quote, brace or plus.
    CHECK(r.target.find(' ') == std::string::npos);
    CHECK(r.target.find('"') == std::string::npos);
    CHECK(r.target.find('{') == std::string::npos);
    CHECK(r.target.find('+') == std::string::npos);
    const auto tags = json_of(*r.query_value("tags"));
    CHECK(tags == nlohmann::json{{"u", {{"a b&c=d", "x/y \"z\" \xC3\xBC+%"}}}});
    CHECK(r.query_value("u") == std::optional<std::string>("67DBAFBF600B5C5F99DCD5CBBE8C0555"));
}

TEST_CASE_METHOD(collector_fixture, "a 3-key map is one POST batch-events with one eT:3 event per key in order",
                 "[wire]")
{
    opts.return_promise_for.push = true;
    launch();

    std::vector<std::pair<std::string, std::string>> dims{{"browser", "chrome"}, {"price", "20"}, {"plan", "gold"}};
    REQUIRE(client.push(dims, "user-1").get());

    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.method == "POST");
    CHECK(r.path == "/server-side/batch-events");
    CHECK(r.query_value("a") == std::optional<std::string>("123456"));
    check_sdk_identity(r, "sdk", "sdk-v");
    // A custom logger and an explicit level were given: cl=1, ll=1 (debug), _l=1.
    CHECK(query_names(r) == std::vector<std::string>{"a", "cl", "ll", "_l", "sdk", "sdk-v", "env"});
    CHECK(r.query_value("ll") == std::optional<std::string>("1"));
    CHECK(r.header("authorization") == std::optional<std::string>(sdk_key));
    CHECK(r.header("content-type") == std::optional<std::string>("application/json"));

    const auto body = json_of(r.body);
    REQUIRE(body["ev"].size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& e = body["ev"][i];
        CHECK(e["eT"] == 3);
        CHECK(e["u"] == "D8E56BFF89A75539B46C1FECD3C97D7C");
        CHECK(e["sId"].is_number_integer());
        // t is encodeURIComponent(JSON): decode it the way the collector decodes a query value.
        const auto t = percent_decode(e["t"].get<std::string>());
        CHECK(json_of(t) == nlohmann::json{{"u", {{dims[i].first, dims[i].second}}}});
    }
}

TEST_CASE("event architecture sends one POST /events/t carrying every key", "[wire]")
{
    local_collector collector;
    log_capture logs;
    auto opts = options_for(collector, logs, settings_json(123456, true));
    opts.return_promise_for.push = true;
    auto client = vwo::launch(opts);

    REQUIRE(client.push({{"browser", "chrome"}, {"price", "20"}}, "user-1").get());
    REQUIRE(collector.request_count() == 1);
    const auto r = collector.requests().front();
    CHECK(r.method == "POST");
    CHECK(r.path == "/events/t");
    CHECK(query_names(r) ==
          std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip"});
    CHECK(r.query_value("en") == std::optional<std::string>("vwo_syncVisitorProp"));
    CHECK(r.query_value("p") == std::optional<std::string>("FS"));
    CHECK(r.query_value("visitor_ua") == std::optional<std::string>(""));
    CHECK(r.header("user-agent") == std::optional<std::string>("vwo-cpp-sdk"));
    const auto body = json_of(r.body);
    const auto& d = body["d"];
    CHECK(d["visId"] == "D8E56BFF89A75539B46C1FECD3C97D7C");
    CHECK(d["msgId"].get<std::string>().rfind("D8E56BFF89A75539B46C1FECD3C97D7C-", 0) == 0);
    CHECK(d["event"]["name"] == "vwo_syncVisitorProp");
    CHECK(d["event"]["props"]["vwo_sdkName"] == "vwo-cpp-sdk");
    CHECK(d["event"]["props"]["vwo_envKey"] == sdk_key);
    CHECK(d["event"]["props"]["isCustomEvent"] == true);
    CHECK(d["visitor"]["props"] ==
          nlohmann::json{{"vwo_fs_environment", sdk_key}, {"browser", "chrome"}, {"price", "20"}});
    CHECK(std::to_string(d["event"]["time"].get<long long>()) == *r.query_value("eTime"));
}

TEST_CASE("collectionPrefix is per client and never leaks between clients", "[wire]")
{
    local_collector collector;
    log_capture logs;
    auto eu = options_for(collector, logs, settings_json(123456, false, "eu01"));
    eu.return_promise_for.push = true;
    auto plain = options_for(collector, logs);
    plain.return_promise_for.push = true;
    auto eu_client = vwo::launch(eu);
    auto plain_client = vwo::launch(plain);

    REQUIRE(eu_client.push("k", "v", "u").get());
    REQUIRE(plain_client.push("k", "v", "u").get());
    REQUIRE(eu_client.push({{"a", "1"}, {"b", "2"}}, "u").get());
    const auto rs = collector.requests();
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].path == "/eu01/server-side/push");
    CHECK(rs[1].path == "/server-side/push");
    CHECK(rs[2].path == "/eu01/server-side/batch-events");
}

TEST_CASE("batch mode queues events and flushes by size, by flush_events and at shutdown", "[wire][batch]")
{
    local_collector collector;
    log_capture logs;
    auto opts = options_for(collector, logs);
    std::mutex m;
    std::vector<std::pair<boost::system::error_code, std::string>> flushes;
    opts.batch_events = vwo::batch_events_options{3, std::chrono::seconds(600),
                                                  [&](boost::system::error_code ec, std::string_view payload) {
                                                      std::lock_guard lock(m);
                                                      flushes.emplace_back(ec, std::string(payload));
                                                  }};
    {
        auto client = vwo::launch(opts);
        // 2 keys: below the size, nothing sent yet.
        REQUIRE(client.push({{"a", "1"}, {"b", "2"}}, "u1").get());
        // The third key reaches events_per_request: one request with 3 events.
        REQUIRE(client.push("c", "3", "u2").get());
        REQUIRE(collector.wait_for_requests(1, test_deadline));
        // One more, sent by flush_events.
        REQUIRE(client.push("d", "4", "u3").get());
        auto flushed = client.async_flush_events(boost::asio::use_future);
        REQUIRE(ready_within(flushed));
        REQUIRE_NOTHROW(flushed.get());
        REQUIRE(collector.request_count() == 2);
        // Nothing queued now: flush_events reports false, like Node.
        CHECK_FALSE(client.flush_events().get());
        // One left for shutdown.
        REQUIRE(client.push("e", "5", "u4").get());
        client.shutdown(std::chrono::seconds(3));
        const auto s = client.stats();
        CHECK(s.delivered == 5);
        CHECK(accounting_holds(s));
    }
    const auto rs = collector.requests();
    REQUIRE(rs.size() == 3);
    std::vector<std::size_t> sizes;
    for (const auto& r : rs) {
        CHECK(r.path == "/server-side/batch-events");
        CHECK(r.query_value("eb") == std::optional<std::string>("1"));
        CHECK(r.header("authorization") == std::optional<std::string>(sdk_key));
        sizes.push_back(json_of(r.body)["ev"].size());
    }
    CHECK(sizes == std::vector<std::size_t>{3, 1, 1});
    std::lock_guard lock(m);
    REQUIRE(flushes.size() == 3);
    CHECK_FALSE(flushes[0].first);
    CHECK(json_of(flushes[0].second)["ev"].size() == 3);
}

TEST_CASE_METHOD(collector_fixture, "batch mode flushes on its timer", "[wire][batch]")
{
    opts.batch_events = vwo::batch_events_options{100, std::chrono::seconds(1), {}};
    launch();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(client.push("k", "v", "u").get());
    REQUIRE(collector.wait_for_requests(1, test_deadline));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));
    CHECK(json_of(collector.requests().front().body)["ev"].size() == 1);
}

TEST_CASE_METHOD(collector_fixture, "development mode validates and logs but sends nothing", "[wire]")
{
    opts.development_mode = true;
    opts.return_promise_for.push = true;
    launch();
    CHECK(client.push("k", "v", "u").get());
    CHECK_FALSE(client.push("", "v", "u").get());
    auto r = client.async_push("k", "v", "u", boost::asio::use_future);
    REQUIRE(ready_within(r));
    CHECK(r.get().ok());
    client.shutdown();
    CHECK(collector.request_count() == 0);
    CHECK(logs.contains(vwo::log_level::info, "development mode"));
}

TEST_CASE_METHOD(collector_fixture, "after set_opt_out nothing is sent and push returns false", "[wire]")
{
    launch();
    client.set_opt_out();
    CHECK_FALSE(client.push("k", "v", "u").get());
    auto r = client.async_push("k", "v", "u", boost::asio::use_future);
    REQUIRE(ready_within(r));
    CHECK_THROWS_AS(r.get(), boost::system::system_error);
    client.shutdown();
    CHECK(collector.request_count() == 0);
    CHECK(client.stats().rejected_opted_out == 2);
}

TEST_CASE_METHOD(collector_fixture, "set_opt_out flushes queued batch events first, then refuses", "[wire][batch]")
{
    opts.batch_events = vwo::batch_events_options{100, std::chrono::seconds(600), {}};
    launch();
    REQUIRE(client.push({{"a", "1"}, {"b", "2"}}, "u").get());
    client.set_opt_out();
    REQUIRE(collector.wait_for_requests(1, test_deadline));
    CHECK(json_of(collector.requests().front().body)["ev"].size() == 2);
    CHECK_FALSE(client.push("c", "3", "u").get());
    client.shutdown();
    CHECK(collector.request_count() == 1);
    CHECK(client.stats().delivered == 2);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE_METHOD(collector_fixture, "invalid pushes are refused whole, logged by key, and send nothing",
                 "[wire][validation]")
{
    opts.return_promise_for.push = true;
    launch();
    CHECK_FALSE(client.push({{"ok", "fine"}, {"bad", std::string(256, 'x')}}, "u").get());
    CHECK(logs.contains(vwo::log_level::error, "\"bad\""));
    CHECK_FALSE(client.push("k", "v", "").get());
    CHECK_FALSE(client.push("k", "\xC3\x28", "u").get());
    CHECK_FALSE(client.push(std::map<std::string, std::string>{}, "u").get());
    client.shutdown();
    CHECK(collector.request_count() == 0);
    CHECK(client.stats().rejected_invalid == 4);
    CHECK(client.stats().accepted == 0);
}

TEST_CASE("launch refuses bad settings and options with a message naming the problem", "[launch]")
{
    vwo::client_options o;
    o.settings_file = R"({"sdkKey":"k","version":1,"campaigns":[]})";
    o.logging.logger = [](vwo::log_level, std::string_view) {};
    try {
        (void)vwo::launch(o);
        FAIL("launch accepted a settings file without accountId");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == vwo::errc::invalid_settings);
        CHECK(std::string(e.what()).find("accountId") != std::string::npos);
    }
    o.settings_file = "{not json";
    boost::system::error_code ec;
    auto c = vwo::launch(o, ec);
    CHECK(ec == vwo::errc::invalid_settings);
    CHECK_FALSE(c.valid());
    CHECK_FALSE(c.push("k", "v", "u").get());

    o.settings_file = settings_json();
    o.batch_events = vwo::batch_events_options{0, std::chrono::seconds(600), {}};
    auto c2 = vwo::launch(o, ec);
    CHECK(ec == vwo::errc::invalid_options);
    o.batch_events.reset();
    o.endpoint = "ftp://example.invalid";
    try {
        (void)vwo::launch(o);
        FAIL("launch accepted an ftp endpoint");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == vwo::errc::invalid_options);
        CHECK(std::string(e.what()).find("ftp") != std::string::npos);
    }
}

TEST_CASE("get_settings_file fetches /server-side/settings with the account and key", "[wire][settings]")
{
    local_collector collector;
    vwo::tools::scripted_response reply;
    reply.body = settings_json(777);
    collector.set_default_response(reply);
    vwo::settings_fetch_options fetch;
    fetch.endpoint = collector.endpoint();
    auto f = vwo::get_settings_file("777", "key-1", fetch);
    REQUIRE(ready_within(f));
    const std::string body = f.get();
    CHECK(json_of(body)["accountId"] == 777);
    const auto r = collector.requests().front();
    CHECK(r.path == "/server-side/settings");
    CHECK(r.query_value("a") == std::optional<std::string>("777"));
    CHECK(r.query_value("i") == std::optional<std::string>("key-1"));
    CHECK(r.query_value("platform") == std::optional<std::string>("server"));
    CHECK(r.query_value("sdk") == std::optional<std::string>("vwo-cpp-sdk"));

    vwo::tools::scripted_response denied;
    denied.status = 401;
    collector.set_default_response(denied);
    auto g = vwo::get_settings_file("777", "bad-key", fetch, boost::asio::use_future);
    REQUIRE(ready_within(g));
    try {
        g.get();
        FAIL("a 401 produced a settings file");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == vwo::errc::http_unauthorized);
    }
}
