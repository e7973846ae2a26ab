// Hostile collectors and hostile input against the public API (issue 14; docs/reliability.md "Limits"):
// every bound holds, every request gets exactly its own answer, and no secret reaches a message.
#include "fixtures.hpp"

#include <raw_http_server.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <string>
#include <utility>

using vwo::test::log_capture;
using vwo::test::raw_http_server;
using vwo::test::raw_reply;
using namespace std::chrono_literals;

namespace {

struct push_outcome {
    boost::system::error_code ec;
    vwo::push_result result;
};

std::future<push_outcome> async_push_outcome(vwo::client& client, const std::string& value)
{
    auto done = std::make_shared<std::promise<push_outcome>>();
    auto f = done->get_future();
    client.async_push("plan", value, "user-1", [done](boost::system::error_code ec, vwo::push_result r) {
        done->set_value({ec, std::move(r)});
    });
    return f;
}

// options_at() with one retry, a 2 s request deadline and one connection.
vwo::client_options hostile_options(const raw_http_server& server, log_capture& logs)
{
    auto o = vwo::test::options_at(server.endpoint(), logs);
    o.retry.max_retries = 1;
    o.timeouts.request = 2s;
    o.max_connections = 1;
    return o;
}

std::string ok_response(unsigned status = 200, const std::string& reason = "OK")
{
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: 2\r\n\r\n{}";
}

} // namespace

TEST_CASE("an endless chunk-size line, chunk extension or trailer section is an error within bounds",
          "[hostile][limits]")
{
    struct hostile_case {
        const char* name;
        std::string head;
        std::string repeat;
    };
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const auto& c : {hostile_case{"chunk extension", chunked + "2;ext=", std::string(64 * 1024, 'x')},
                          hostile_case{"chunk-size line", chunked + "1", std::string(64 * 1024, '0')},
                          hostile_case{"trailer section", chunked + "2\r\n{}\r\n0\r\nX-T: ", std::string(64 * 1024, 'y')},
                          hostile_case{"header section", "HTTP/1.1 200 OK\r\nX-Long: ", std::string(64 * 1024, 'h')}}) {
        INFO(c.name);
        // Up to 1 GiB is offered; a bounded client reads at most its read buffer of it.
        raw_http_server server([&](std::size_t, const std::string&) {
            return raw_reply{c.head, c.repeat, std::size_t(1) << 30, false};
        });
        log_capture logs;
        auto client = vwo::launch(hostile_options(server, logs));
        const std::size_t rss_before = vwo::test::resident_bytes();
        const auto start = std::chrono::steady_clock::now();
        auto f = async_push_outcome(client, "gold");
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        const auto outcome = f.get();
        const std::size_t rss_after = vwo::test::resident_bytes();
        INFO("elapsed " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms, RSS +"
                        << (rss_after > rss_before ? (rss_after - rss_before) >> 10 : 0) << " KiB");
        CHECK(outcome.ec == vwo::errc::response_too_large);
        CHECK(elapsed < 2s); // not retried, never waits out the deadline: the bound is hit at once
        CHECK(rss_after < rss_before + 64 * 1024 * 1024);
        CHECK(server.bytes_written() < 64 * 1024 * 1024); // the client stopped reading and closed
        client.shutdown(3s);
        const auto s = client.stats();
        CHECK(s.failed() == 1);
        CHECK(s.in_flight == 0);
        CHECK(vwo::test::accounting_holds(s));
        CHECK(logs.contains(vwo::log_level::error, "size limit"));
    }
}

TEST_CASE("get_settings_file: an endless chunk line and a body past 64 MiB are errors, never an empty success",
          "[hostile][limits]")
{
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const auto& [head, repeat] :
         {std::pair<std::string, std::string>{chunked + "2;ext=", std::string(64 * 1024, 'x')},
          std::pair<std::string, std::string>{"HTTP/1.1 200 OK\r\nContent-Length: 70000000\r\n\r\n",
                                              std::string(64 * 1024, ' ')}}) {
        raw_http_server server([&, head = head, repeat = repeat](std::size_t, const std::string&) {
            return raw_reply{head, repeat, 70000000, true};
        });
        vwo::settings_fetch_options options;
        options.endpoint = server.endpoint();
        options.timeouts.request = 5s;
        options.proxy.use_environment = false;
        auto f = vwo::get_settings_file("123456", vwo::test::sdk_key, options);
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        try {
            const std::string body = f.get();
            FAIL("expected an error, got a body of " << body.size() << " bytes");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::response_too_large);
        }
    }
}

TEST_CASE("1xx answers are skipped: each request gets its own final answer on a kept-alive connection",
          "[hostile][framing]")
{
    raw_http_server server([](std::size_t index, const std::string&) {
        if (index == 0)
            return raw_reply{"HTTP/1.1 100 Continue\r\n\r\n" + ok_response(), {}, 0, false};
        if (index == 1)
            return raw_reply{"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                             "HTTP/1.1 102 Processing\r\n\r\n" +
                                 ok_response(400, "Bad Request"),
                             {}, 0, false};
        return raw_reply{ok_response(201, "Created"), {}, 0, false};
    });
    log_capture logs;
    auto client = vwo::launch(hostile_options(server, logs));
    auto first = async_push_outcome(client, "a");
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    const auto a = first.get();
    CHECK_FALSE(a.ec);
    CHECK(a.result.http_status == 200);
    auto second = async_push_outcome(client, "b");
    REQUIRE(second.wait_for(10s) == std::future_status::ready);
    const auto b = second.get();
    CHECK(b.ec == vwo::errc::http_rejected);
    CHECK(b.result.http_status == 400);
    auto third = async_push_outcome(client, "c");
    REQUIRE(third.wait_for(10s) == std::future_status::ready);
    const auto c = third.get();
    CHECK_FALSE(c.ec);
    CHECK(c.result.http_status == 201);
    CHECK(server.connections() == 1); // all three on one connection: no answer outlived its request
    CHECK(server.requests() == 3);
}

TEST_CASE("bytes after a complete answer close the connection: they never answer the next request",
          "[hostile][framing]")
{
    raw_http_server server([](std::size_t index, const std::string&) {
        if (index == 0) // a second, unrequested answer glued to the first
            return raw_reply{ok_response() + ok_response(400, "Bad Request"), {}, 0, false};
        return raw_reply{ok_response(202, "Accepted"), {}, 0, false};
    });
    log_capture logs;
    auto client = vwo::launch(hostile_options(server, logs));
    auto first = async_push_outcome(client, "a");
    REQUIRE(first.wait_for(10s) == std::future_status::ready);
    CHECK(first.get().result.http_status == 200);
    auto second = async_push_outcome(client, "b");
    REQUIRE(second.wait_for(10s) == std::future_status::ready);
    const auto b = second.get();
    CHECK_FALSE(b.ec);
    CHECK(b.result.http_status == 202); // its own answer, not the stray 400
    CHECK(server.connections() == 2);
}

TEST_CASE("a request that cannot be built is that request's error, the pool and later requests are unharmed",
          "[hostile][limits]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    auto opts = vwo::test::options_for(collector, logs, nlohmann::json::parse(R"({"accountId":123456,
      "sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[
      {"id":101,"key":"AB","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,"segments":{},
       "goals":[],"variations":[{"id":1,"name":"Control","weight":100,"segments":{}}]}]})").dump());
    opts.max_connections = 2;
    auto client = vwo::launch(opts);
    vwo::call_options call;
    call.user_agent = std::string(70000, 'u'); // past the 65,535 bytes Beast allows in one field
    const int calls = 5;                       // more than max_connections
    for (int i = 0; i < calls; ++i) {
        std::promise<std::pair<boost::system::error_code, std::optional<std::string>>> done;
        auto f = done.get_future();
        client.async_activate("AB", "user-" + std::to_string(i), call,
                              [&done](boost::system::error_code ec, std::optional<std::string> name) {
                                  done.set_value({ec, std::move(name)});
                              });
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        const auto [ec, name] = f.get();
        CHECK(name == std::optional<std::string>("Control")); // the decision itself is made
        CHECK((!ec || ec == vwo::errc::request_not_sendable));
    }
    call.user_agent = "\r\nX-Injected: 1"; // a header injection attempt: sent, percent-encoded
    (void)client.activate("AB", "user-crlf", call);
    auto after = async_push_outcome(client, "gold");
    REQUIRE(after.wait_for(10s) == std::future_status::ready);
    CHECK_FALSE(after.get().ec); // the pool still works
    client.shutdown(3s);
    const auto s = client.stats();
    CHECK(s.in_flight == 0);
    CHECK(s.queued == 0);
    CHECK(s.failed() == calls);
    CHECK(s.delivered == 2);
    CHECK(vwo::test::accounting_holds(s));
    for (const auto& r : collector.requests())
        CHECK_FALSE(r.header("x-injected").has_value());
    CHECK(logs.contains(vwo::log_level::error, "cannot be sent"));
}

TEST_CASE("hostile settings: deep nesting, an injecting sdkKey, a truncated file: invalid_settings, no secret",
          "[hostile][settings]")
{
    const std::string key = vwo::test::sdk_key;
    std::string deep = R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[],"x":)";
    deep += std::string(100000, '[') + std::string(100000, ']') + "}";
    const std::string full = vwo::test::settings_json();
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{"100,000 levels deep", deep},
          std::pair<std::string, std::string>{"sdkKey with CR/LF",
                                              R"({"accountId":1,"sdkKey":"k\r\nX-Injected: 1","version":1,"campaigns":[]})"},
          std::pair<std::string, std::string>{"truncated", full.substr(0, full.find(key) + 20)}}) {
        INFO(name);
        log_capture logs;
        vwo::client_options o;
        o.settings_file = text;
        o.logging.logger = logs.callback();
        const auto start = std::chrono::steady_clock::now();
        try {
            (void)vwo::launch(o);
            FAIL("launch accepted hostile settings");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::invalid_settings);
            CHECK(std::string(e.what()).find(key.substr(0, 12)) == std::string::npos);
        }
        CHECK(std::chrono::steady_clock::now() - start < 2s);
        for (const auto& [level, line] : logs.lines())
            CHECK(line.find(key.substr(0, 12)) == std::string::npos);
    }
}

TEST_CASE("a proxy password with a raw '#', '/' or '?' never appears in the launch error or the log",
          "[hostile][proxy]")
{
    for (const char* url : {"http://user:hunt#er2-s3cret@127.0.0.1:3128", "http://user:hunt/er2-s3cret@127.0.0.1:3128",
                            "http://user:hunt?er2-s3cret@127.0.0.1:3128"}) {
        INFO(url);
        log_capture logs;
        vwo::client_options o;
        o.settings_file = vwo::test::settings_json();
        o.logging.logger = logs.callback();
        o.proxy.url = url;
        o.proxy.use_environment = false;
        try {
            (void)vwo::launch(o);
            FAIL("launch accepted the proxy URL");
        } catch (const boost::system::system_error& e) {
            CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
            CHECK(std::string(e.what()).find("er2") == std::string::npos);
        }
        for (const auto& [level, line] : logs.lines())
            CHECK(line.find("s3cret") == std::string::npos);
    }
}

TEST_CASE("a completion handler that throws is caught and logged, the SDK and its connection go on",
          "[hostile][handlers]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    auto opts = vwo::test::options_for(collector, logs);
    opts.max_connections = 1;
    auto client = vwo::launch(opts);
    std::promise<void> thrown;
    client.async_push("plan", "a", "user-1", [&thrown](boost::system::error_code, vwo::push_result) {
        thrown.set_value();
        throw std::runtime_error("user handler failure");
    });
    auto f = thrown.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    const auto start = std::chrono::steady_clock::now();
    auto next = async_push_outcome(client, "b");
    REQUIRE(next.wait_for(10s) == std::future_status::ready);
    CHECK_FALSE(next.get().ec);
    CHECK(std::chrono::steady_clock::now() - start < 2s); // not stalled until shutdown
    client.shutdown(3s);
    CHECK(logs.contains(vwo::log_level::error, "a completion handler threw (caught; the SDK goes on): user handler failure"));
    const auto s = client.stats();
    CHECK(s.delivered == 2);
    CHECK(vwo::test::accounting_holds(s));
}

TEST_CASE("a double variable that overflows is Infinity, as in the Node SDK", "[hostile][conformance]")
{
    vwo::tools::local_collector collector;
    log_capture logs;
    const std::string settings = R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,
      "campaigns":[{"id":201,"key":"FT","type":"FEATURE_TEST","status":"RUNNING","percentTraffic":100,
       "segments":{},"goals":[],"variations":[{"id":1,"name":"Control","weight":100,"isFeatureEnabled":true,
       "variables":[{"id":1,"key":"big","type":"double","value":"1e400"},
                    {"id":2,"key":"small","type":"double","value":"-1e400"},
                    {"id":3,"key":"number","type":"double","value":1e400}]}]}]})";
    auto client = vwo::launch(vwo::test::options_for(collector, logs, settings));
    const auto big = client.get_feature_variable_value("FT", "big", "user-1").get();
    REQUIRE(big.has_value());
    REQUIRE(std::holds_alternative<double>(*big));
    CHECK(std::get<double>(*big) == std::numeric_limits<double>::infinity());
    const auto small = client.get_feature_variable_value("FT", "small", "user-1").get();
    REQUIRE(small.has_value());
    CHECK(std::get<double>(*small) == -std::numeric_limits<double>::infinity());
    const auto number = client.get_feature_variable_value("FT", "number", "user-1").get();
    REQUIRE(number.has_value());
    CHECK(std::get<double>(*number) == std::numeric_limits<double>::infinity());
}

TEST_CASE("a peer that trickles its answer byte by byte is cut off at the request deadline", "[hostile][limits]")
{
    for (const std::string& head : {std::string("HTTP/1.1 200 OK\r\nX-Slow: "),
                                   std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;e=")}) {
        INFO(head);
        raw_http_server server([&](std::size_t, const std::string&) {
            raw_reply r{head, "a", 2000, false};
            r.repeat_interval = 20ms; // well inside any per-read idle timeout, forever inside the bounds
            return r;
        });
        log_capture logs;
        auto opts = hostile_options(server, logs);
        opts.timeouts.request = 1s;
        opts.retry.max_retries = 0;
        auto client = vwo::launch(opts);
        const auto start = std::chrono::steady_clock::now();
        auto f = async_push_outcome(client, "slow");
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        CHECK(f.get().ec == vwo::errc::retries_exhausted); // a timeout, and no retry was allowed
        CHECK(logs.contains(vwo::log_level::error, "reading the response"));
        CHECK(elapsed >= 900ms);
        CHECK(elapsed < 2500ms);

        vwo::settings_fetch_options fetch;
        fetch.endpoint = server.endpoint();
        fetch.timeouts.request = 1s;
        fetch.proxy.use_environment = false;
        const auto fetch_start = std::chrono::steady_clock::now();
        auto settings = vwo::get_settings_file("123456", vwo::test::sdk_key, fetch);
        REQUIRE(settings.wait_for(10s) == std::future_status::ready);
        CHECK(std::chrono::steady_clock::now() - fetch_start < 2500ms);
        CHECK_THROWS_AS(settings.get(), boost::system::system_error);
    }
}
