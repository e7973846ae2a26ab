// Delivery truth against real local collectors: keep-alive, retries, refusals, TLS
// verification, and shutdown with requests in flight.

#include "fixtures.hpp"

#include <test_certificates.hpp>

#include <catch2/catch.hpp>

using namespace vwo::test;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;

TEST_CASE_METHOD(collector_fixture, "one keep-alive connection carries many pushes", "[delivery][keepalive]")
{
    opts.return_promise_for.push = true;
    opts.max_connections = 1;
    launch();
    std::vector<std::future<bool>> results;
    for (int i = 0; i < 50; ++i)
        results.push_back(client.push("n", std::to_string(i), "user-" + std::to_string(i)).to_future());
    for (auto& f : results) {
        REQUIRE(ready_within(f));
        CHECK(f.get());
    }
    CHECK(collector.request_count() == 50);
    CHECK(collector.connections_accepted() == 1);
    CHECK(accounting_holds(client.stats()));
    CHECK(client.stats().delivered == 50);
}

TEST_CASE_METHOD(collector_fixture, "sequential pushes reuse one connection even with a pool of two",
                 "[delivery][keepalive]")
{
    opts.return_promise_for.push = true;
    launch();
    for (int i = 0; i < 10; ++i)
        REQUIRE(client.push("n", std::to_string(i), "u").get());
    CHECK(collector.connections_accepted() == 1);
}

TEST_CASE_METHOD(collector_fixture, "a connection the server closed while idle is reopened without loss or retry",
                 "[delivery][keepalive]")
{
    opts.return_promise_for.push = true;
    launch();
    REQUIRE(client.push("k", "1", "u").get());
    collector.close_idle_connections();
    REQUIRE(client.push("k", "2", "u").get());
    REQUIRE(client.push("k", "3", "u").get());
    CHECK(collector.request_count() == 3);
    CHECK(collector.connections_accepted() == 2);
    CHECK(client.stats().retries == 0);
    CHECK(client.stats().delivered == 3);
}

TEST_CASE_METHOD(collector_fixture, "promise mode: true on 200, false at once on 400, false after retries on 503",
                 "[delivery][promise]")
{
    opts.return_promise_for.push = true;
    opts.retry.max_retries = 2;
    launch();

    SECTION("200")
    {
        CHECK(client.push("k", "v", "u").get());
        CHECK(collector.request_count() == 1);
    }
    SECTION("400 fails without retry")
    {
        scripted_response bad;
        bad.status = 400;
        collector.set_default_response(bad);
        auto r = client.async_push("k", "v", "u", boost::asio::use_future);
        REQUIRE(ready_within(r));
        CHECK_THROWS_AS(r.get(), boost::system::system_error);
        CHECK_FALSE(client.push("k", "v", "u").get());
        CHECK(collector.request_count() == 2);
        CHECK(client.stats().failed_rejected == 2);
        CHECK(client.stats().retries == 0);
    }
    SECTION("503 is retried, then fails")
    {
        scripted_response busy;
        busy.status = 503;
        collector.set_default_response(busy);
        auto f = client.push("k", "v", "u").to_future();
        REQUIRE(ready_within(f));
        CHECK_FALSE(f.get());
        CHECK(collector.request_count() == 3); // first attempt + 2 retries
        CHECK(client.stats().retries == 2);
        CHECK(client.stats().failed_retries_exhausted == 1);
        CHECK(logs.contains(vwo::log_level::error, "retries exhausted"));
    }
    SECTION("503 then 200 succeeds with the same event identity")
    {
        scripted_response busy;
        busy.status = 503;
        collector.push_responses({busy});
        CHECK(client.push("k", "v", "u").get());
        const auto rs = collector.requests();
        REQUIRE(rs.size() == 2);
        CHECK(rs[0].target == rs[1].target);
    }
    SECTION("401 is reported as a credentials problem")
    {
        scripted_response denied;
        denied.status = 401;
        collector.set_default_response(denied);
        auto r = client.async_push("k", "v", "u", boost::asio::use_future);
        REQUIRE(ready_within(r));
        try {
            r.get();
            FAIL("401 reported as delivered");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::http_unauthorized);
        }
        CHECK(logs.contains(vwo::log_level::error, "SDK key"));
    }
    client.shutdown();
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE_METHOD(collector_fixture, "push_result tells per key what happened", "[delivery][promise]")
{
    launch();
    auto f = client.async_push({{"a", "1"}, {"b", "2"}}, "u",
                               boost::asio::use_future([](boost::system::error_code ec, vwo::push_result r) {
                                   return std::make_pair(ec, r);
                               }));
    REQUIRE(ready_within(f));
    auto [ec, result] = f.get();
    CHECK_FALSE(ec);
    REQUIRE(result.keys.size() == 2);
    CHECK(result.keys[0].key == "a");
    CHECK(result.keys[1].key == "b");
    CHECK(result.ok());
    CHECK(result.http_status == 200);
    CHECK(result.attempts == 2); // one request, counted for each key it carried
}

TEST_CASE("HTTPS: a trusted collector receives the push and an untrusted one receives nothing", "[delivery][tls]")
{
    const auto& pki = make_test_pki();
    log_capture logs;

    SECTION("trusted test CA")
    {
        local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
        auto opts = options_for(collector, logs);
        opts.tls.ca_file = pki.ca_cert.string();
        opts.return_promise_for.push = true;
        auto client = vwo::launch(opts);
        CHECK(client.push("k", "v", "u").get());
        CHECK(client.push("k", "w", "u").get());
        CHECK(collector.request_count() == 2);
        CHECK(collector.connections_accepted() == 1);
    }
    SECTION("certificate from a CA the client does not trust")
    {
        local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
        auto opts = options_for(collector, logs);
        opts.return_promise_for.push = true;
        auto client = vwo::launch(opts);
        auto f = client.async_push("k", "v", "u", boost::asio::use_future);
        REQUIRE(ready_within(f));
        try {
            f.get();
            FAIL("an untrusted certificate was accepted");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::certificate_untrusted);
        }
        CHECK(collector.request_count() == 0);
        CHECK(collector.wait_for_tls_handshake_failures(1, test_deadline));
        CHECK(logs.contains(vwo::log_level::error, "certificate verify failed"));
    }
    SECTION("trusted CA, wrong host name")
    {
        local_collector collector(tls_collector(pki.wrong_host_cert.string(), pki.wrong_host_key.string()));
        auto opts = options_for(collector, logs);
        opts.tls.ca_file = pki.ca_cert.string();
        opts.return_promise_for.push = true;
        auto client = vwo::launch(opts);
        CHECK_FALSE(client.push("k", "v", "u").get());
        CHECK(collector.request_count() == 0);
        CHECK(logs.contains(vwo::log_level::error, "IP address mismatch"));
    }
}

TEST_CASE("a client destroyed with requests in flight completes every future with false", "[delivery][shutdown]")
{
    local_collector collector;
    scripted_response silent;
    silent.never_answer = true;
    collector.set_default_response(silent);
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.return_promise_for.push = true;
    opts.shutdown_timeout = std::chrono::milliseconds(300);
    std::vector<std::future<bool>> futures;
    const auto start = std::chrono::steady_clock::now();
    {
        auto client = vwo::launch(opts);
        for (int i = 0; i < 5; ++i)
            futures.push_back(client.push("k", std::to_string(i), "u").to_future());
        REQUIRE(collector.wait_for_requests(1, test_deadline));
    } // destructor: shutdown(300 ms)
    const auto took = std::chrono::steady_clock::now() - start;
    for (auto& f : futures) {
        REQUIRE(f.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
        CHECK_FALSE(f.get());
    }
    CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("shutdown is safe twice, from several threads, and from a handler on the SDK thread",
          "[delivery][shutdown]")
{
    local_collector collector;
    log_capture logs;
    auto opts = options_for(collector, logs);
    auto client = std::make_unique<vwo::client>(vwo::launch(opts));
    std::promise<void> handler_ran;
    auto* raw = client.get();
    raw->async_push("k", "v", "u", [&handler_ran, raw](boost::system::error_code, vwo::push_result) {
        raw->shutdown(std::chrono::milliseconds(100)); // on the SDK thread: must not wait for itself
        handler_ran.set_value();
    });
    auto ran = handler_ran.get_future();
    REQUIRE(ran.wait_for(test_deadline) == std::future_status::ready);
    std::thread other([raw] { raw->shutdown(std::chrono::milliseconds(500)); });
    raw->shutdown(std::chrono::milliseconds(500));
    other.join();
    CHECK_FALSE(raw->push("k", "v", "u").get());
    client.reset();
    CHECK(collector.request_count() == 1);
}
