// R11: proxies. A real HTTP proxy on 127.0.0.1 (tests/support/connect_proxy.hpp) between the SDK
// and a real HTTP/HTTPS local_collector: CONNECT tunnels for https://, absolute-form requests for
// http://, Basic credentials, 407, NO_PROXY and the environment as libcurl reads it.
//
// The environment is injected through proxy_options::environment, so these tests never call
// setenv while SDK threads run; the one test of the real process environment sets the variables
// only around launch() (which reads them on the calling thread), like the SSL_CERT_FILE test.

#include "fixtures.hpp"

#include <connect_proxy.hpp>
#include <test_certificates.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace vwo::test;
using vwo::tools::local_collector;

namespace {

/// The error code a single push completes with (empty on success).
boost::system::error_code push_error(vwo::client& client, const std::string& value = "v")
{
    auto f = client.async_push("k", value, "u",
                               boost::asio::use_future([](boost::system::error_code ec, vwo::push_result) { return ec; }));
    REQUIRE(ready_within(f));
    return f.get();
}

vwo::environment_function fake_environment(std::map<std::string, std::string> variables)
{
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto it = variables.find(name);
        if (it == variables.end())
            return std::nullopt;
        return it->second;
    };
}

/// A TLS collector with a certificate for localhost / 127.0.0.1 from the test CA.
vwo::tools::collector_options https_options()
{
    const auto& pki = make_test_pki();
    return tls_collector(pki.server_cert.string(), pki.server_key.string());
}

local_collector https_collector()
{
    return local_collector(https_options()); // a prvalue: no move needed
}

/// Options aimed at `collector`, trusting the test CA, with no proxy unless the test sets one.
vwo::client_options options(const local_collector& collector, log_capture& logs)
{
    auto o = options_for(collector, logs);
    if (collector.is_tls())
        o.tls.ca_file = make_test_pki().ca_cert.string();
    o.return_promise_for.push = true;
    return o;
}

/// Options that send everything through `proxy` (explicit URL, environment ignored).
vwo::client_options through(const connect_proxy& proxy, const local_collector& collector, log_capture& logs)
{
    auto o = options(collector, logs);
    o.proxy.url = proxy.url();
    return o;
}

std::string authority(const std::string& host, const local_collector& collector)
{
    return host + ":" + std::to_string(collector.port());
}

std::string all_lines(const log_capture& logs)
{
    std::string out;
    for (const auto& [level, line] : logs.lines())
        out += "  [" + std::to_string(static_cast<int>(level)) + "] " + line + "\n";
    return out;
}

std::string proxy_lines(const connect_proxy& proxy)
{
    std::string out;
    for (const auto& line : proxy.lines())
        out += "  " + line + "\n";
    return out;
}


/// "Basic " + base64("alice:s3cr:t@ x"): the credentials of the authenticating proxy below.
constexpr const char* alice_basic = "Basic YWxpY2U6czNjcjp0QCB4";
constexpr const char* alice_password_encoded = "s3cr%3At%40%20x";

connect_proxy_options alice_only()
{
    connect_proxy_options o;
    o.credentials = std::pair<std::string, std::string>{"alice", "s3cr:t@ x"};
    return o;
}

} // namespace

TEST_CASE("proxy: an HTTPS push goes through a CONNECT tunnel, TLS verified against the collector", "[proxy]")
{
    connect_proxy proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    std::string host;

    // The SDK looks up only the proxy's host, with the same resolver (never the collector's name:
    // the proxy resolves that). Recorded here to prove it.
    std::mutex looked_up_mutex;
    std::vector<std::string> looked_up;
    opts.resolver = [&](const std::string& name, std::uint16_t port, vwo::resolve_callback done) {
        {
            std::lock_guard lock(looked_up_mutex);
            looked_up.push_back(name);
        }
        if (name == "localhost")
            done({}, {boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), port)});
        else
            done(boost::asio::error::host_not_found, {});
    };
    SECTION("collector by IP address")
    {
        host = "127.0.0.1";
    }
    SECTION("collector by host name: SNI and the DNS-name check use the collector's name")
    {
        host = "localhost";
    }
    SECTION("proxy by host name, looked up with client_options::resolver")
    {
        host = "127.0.0.1";
        opts.proxy.url = "localhost:" + std::to_string(proxy.port());
    }
    opts.endpoint = "https://" + authority(host, collector);
    auto client = vwo::launch(opts);
    const bool delivered = client.push("k", "v", "u").get();
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(delivered);

    REQUIRE(proxy.request_count() == 1);
    const auto r = proxy.requests()[0];
    CHECK(r.line() == "CONNECT " + authority(host, collector));
    CHECK(r.host == authority(host, collector));
    CHECK_FALSE(r.proxy_authorization);
    CHECK(r.status == 200);
    CHECK(proxy.tunnels_opened() == 1);

    // The collector got the request over TLS (no failed handshake) with its own Host header.
    REQUIRE(collector.request_count() == 1);
    CHECK(collector.tls_handshake_failures() == 0);
    CHECK(collector.requests()[0].path == "/server-side/push");
    CHECK(collector.requests()[0].header("host") == authority(host, collector));
    CHECK_FALSE(collector.requests()[0].header("proxy-authorization"));
    {
        std::lock_guard lock(looked_up_mutex);
        if (opts.proxy.url->starts_with("localhost"))
            CHECK(looked_up == std::vector<std::string>{"localhost"});
        else
            CHECK(looked_up.empty());
    }
    CHECK(logs.contains(vwo::log_level::info, "through proxy http://"));
    const auto s = client.stats();
    CHECK(s.delivered == 1);
    CHECK(s.retries == 0);
    CHECK(accounting_holds(s));
}

TEST_CASE("proxy: the certificate check through the tunnel is the collector's, not the proxy's", "[proxy]")
{
    const auto& pki = make_test_pki();
    connect_proxy proxy;
    // The tunnel opens fine, but the collector's certificate names another host.
    local_collector collector(tls_collector(pki.wrong_host_cert.string(), pki.wrong_host_key.string()));
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    auto client = vwo::launch(opts);
    const auto ec = push_error(client);
    client.shutdown();
    INFO("log:\n" << all_lines(logs));
    CHECK(ec == vwo::errc::certificate_hostname_mismatch);
    CHECK(proxy.tunnels_opened() == 1);
    CHECK(collector.wait_for_tls_handshake_failures(1, test_deadline));
    CHECK(collector.request_count() == 0);
    CHECK(client.stats().failed_other == 1);
    CHECK(client.stats().retries == 0);
    CHECK(logs.contains(vwo::log_level::error, "through proxy 127.0.0.1:" + std::to_string(proxy.port())));
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: keep-alive pushes share one tunnel", "[proxy][keepalive]")
{
    connect_proxy proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    auto client = vwo::launch(opts);
    for (int i = 0; i < 5; ++i)
        REQUIRE(client.push("n", std::to_string(i), "u").get());
    INFO("proxy:\n" << proxy_lines(proxy));
    CHECK(collector.request_count() == 5);
    CHECK(proxy.request_count() == 1); // one CONNECT
    CHECK(proxy.tunnels_opened() == 1);
    CHECK(proxy.connections_accepted() == 1);
    CHECK(collector.connections_accepted() == 1);
    for (const auto& r : collector.requests())
        CHECK(r.connection_id == 1);
    client.shutdown();
    CHECK(client.stats().delivered == 5);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: a tunnel closed while idle is reopened without loss or retry", "[proxy][keepalive]")
{
    connect_proxy proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    opts.max_connections = 1;
    auto client = vwo::launch(opts);
    REQUIRE(client.push("k", "1", "u").get());
    // The collector ends the keep-alive connection; the proxy passes the FIN down the tunnel.
    CHECK(collector.close_idle_connections() == 1);
    REQUIRE(client.push("k", "2", "u").get());
    REQUIRE(client.push("k", "3", "u").get());
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(collector.request_count() == 3);
    CHECK(proxy.tunnels_opened() == 2);
    CHECK(collector.connections_accepted() == 2);
    CHECK(client.stats().retries == 0);
    CHECK(client.stats().delivered == 3);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: Basic credentials from the proxy URL open the tunnel", "[proxy][auth]")
{
    connect_proxy proxy(alice_only());
    auto collector = https_collector();
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    opts.proxy.url = proxy.url_with("alice", alice_password_encoded);
    auto client = vwo::launch(opts);
    CHECK(client.push("k", "1", "u").get());
    CHECK(client.push("k", "2", "u").get());
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    REQUIRE(proxy.request_count() == 1);
    CHECK(proxy.requests()[0].proxy_authorization == std::string(alice_basic));
    CHECK(proxy.requests()[0].status == 200);
    CHECK(collector.request_count() == 2);
    // The password is never logged; the user is.
    CHECK(logs.contains(vwo::log_level::info, "http://alice:***@127.0.0.1:"));
    for (const auto& [level, line] : logs.lines())
        CHECK(line.find("s3cr") == std::string::npos);
    CHECK(client.stats().delivered == 2);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: 407 fails the push with proxy_auth_required, nothing reaches the collector, no retry",
          "[proxy][auth]")
{
    connect_proxy proxy(alice_only());
    log_capture logs;
    std::optional<local_collector> collector;
    std::string url;
    std::string expected_line;
    SECTION("CONNECT without credentials")
    {
        collector.emplace(https_options());
        url = proxy.url();
        expected_line = "CONNECT ";
    }
    SECTION("CONNECT with a wrong password")
    {
        collector.emplace(https_options());
        url = proxy.url_with("alice", "wrong");
        expected_line = "CONNECT ";
    }
    SECTION("plain-HTTP collector (absolute form) without credentials")
    {
        collector.emplace();
        url = proxy.url();
        expected_line = "GET http://";
    }
    auto opts = through(proxy, *collector, logs);
    opts.proxy.url = url;
    opts.retry.max_retries = 3;
    auto client = vwo::launch(opts);
    const auto ec = push_error(client);
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(ec == vwo::errc::proxy_auth_required);
    REQUIRE(proxy.request_count() == 1); // not retried
    CHECK(proxy.requests()[0].line().starts_with(expected_line));
    CHECK(proxy.requests()[0].status == 407);
    CHECK(proxy.tunnels_opened() == 0);
    CHECK(collector->connections_accepted() == 0);
    CHECK(collector->request_count() == 0);
    const auto s = client.stats();
    CHECK(s.failed_other == 1);
    CHECK(s.retries == 0);
    CHECK(s.last_error == vwo::errc::proxy_auth_required);
    CHECK(accounting_holds(s));
    CHECK(logs.contains(vwo::log_level::error, "proxy authentication required (407)"));
    CHECK(logs.contains(vwo::log_level::error, "Proxy-Authenticate: Basic realm=\"vwo-test\""));
    CHECK(logs.contains(vwo::log_level::error, "check the user and password"));
}

TEST_CASE("proxy: a plain-HTTP collector is reached with absolute-form requests", "[proxy]")
{
    connect_proxy proxy(alice_only());
    local_collector collector;
    log_capture logs;
    auto opts = through(proxy, collector, logs);
    opts.proxy.url = proxy.url_with("alice", alice_password_encoded);
    auto client = vwo::launch(opts);
    for (int i = 0; i < 3; ++i)
        REQUIRE(client.push("k", std::to_string(i), "u").get());
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    REQUIRE(proxy.request_count() == 3);
    for (const auto& r : proxy.requests()) {
        CHECK(r.line().starts_with("GET http://" + authority("127.0.0.1", collector) + "/server-side/push?"));
        CHECK(r.host == authority("127.0.0.1", collector));
        CHECK(r.proxy_authorization == std::string(alice_basic)); // on every request, as libcurl
        CHECK(r.status == 200);
    }
    CHECK(proxy.tunnels_opened() == 0);
    CHECK(proxy.connections_accepted() == 1); // keep-alive to the proxy
    REQUIRE(collector.request_count() == 3);
    for (const auto& r : collector.requests()) {
        CHECK(r.path == "/server-side/push");
        CHECK(r.header("host") == authority("127.0.0.1", collector));
        CHECK_FALSE(r.header("proxy-authorization"));
    }
    CHECK(client.stats().delivered == 3);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: NO_PROXY exempts the collector and the proxy sees nothing", "[proxy][no_proxy]")
{
    connect_proxy proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = options(collector, logs);
    opts.proxy.use_environment = true;
    std::map<std::string, std::string> env{{"HTTPS_PROXY", proxy.url()}};
    bool expect_proxy = false;
    SECTION("NO_PROXY from the environment, by address")
    {
        env["NO_PROXY"] = "example.com, 127.0.0.1";
    }
    SECTION("no_proxy (lowercase) wins over NO_PROXY")
    {
        env["no_proxy"] = "127.0.0.1";
        env["NO_PROXY"] = "example.com";
    }
    SECTION("proxy.no_proxy as an IPv4 CIDR block")
    {
        opts.proxy.no_proxy = "10.0.0.0/8,127.0.0.0/8";
    }
    SECTION("NO_PROXY=* exempts everything")
    {
        env["NO_PROXY"] = "*";
    }
    SECTION("proxy.no_proxy = \"\" overrides the environment's NO_PROXY: proxied")
    {
        env["NO_PROXY"] = "127.0.0.1";
        opts.proxy.no_proxy = "";
        expect_proxy = true;
    }
    SECTION("a non-matching NO_PROXY: proxied")
    {
        env["NO_PROXY"] = "localhost,127.0.0.2,127.0.0.1:" + std::to_string(collector.port());
        expect_proxy = true;
    }
    opts.proxy.environment = fake_environment(env);
    auto client = vwo::launch(opts);
    CHECK(client.push("k", "v", "u").get());
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(collector.request_count() == 1);
    if (expect_proxy) {
        CHECK(proxy.tunnels_opened() == 1);
    } else {
        CHECK(proxy.connections_accepted() == 0);
        CHECK(proxy.request_count() == 0);
        CHECK(logs.contains(vwo::log_level::info, "exempts 127.0.0.1 from the proxy"));
    }
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: the environment variables are read as libcurl reads them", "[proxy][environment]")
{
    connect_proxy proxy;
    connect_proxy decoy; // named by a variable that must lose
    log_capture logs;
    std::optional<local_collector> collector;
    std::map<std::string, std::string> env;
    bool expect_proxy = true;
    std::string source;
    SECTION("https: https_proxy first")
    {
        collector.emplace(https_options());
        env = {{"https_proxy", proxy.url()}, {"HTTPS_PROXY", decoy.url()}, {"ALL_PROXY", decoy.url()}};
        source = "https_proxy";
    }
    SECTION("https: HTTPS_PROXY before ALL_PROXY")
    {
        collector.emplace(https_options());
        env = {{"HTTPS_PROXY", proxy.url()}, {"all_proxy", decoy.url()}, {"http_proxy", decoy.url()}};
        source = "HTTPS_PROXY";
    }
    SECTION("https: ALL_PROXY as the fallback; http_proxy is not for https")
    {
        collector.emplace(https_options());
        env = {{"ALL_PROXY", proxy.url()}, {"http_proxy", decoy.url()}, {"HTTP_PROXY", decoy.url()}};
        source = "ALL_PROXY";
    }
    SECTION("https: an empty https_proxy counts as unset")
    {
        collector.emplace(https_options());
        env = {{"https_proxy", ""}, {"HTTPS_PROXY", proxy.url()}};
        source = "HTTPS_PROXY";
    }
    SECTION("http: lowercase http_proxy is used")
    {
        collector.emplace();
        env = {{"http_proxy", proxy.url()}, {"HTTPS_PROXY", decoy.url()}};
        source = "http_proxy";
    }
    SECTION("http: uppercase HTTP_PROXY is ignored (httpoxy), so the collector is reached directly")
    {
        collector.emplace();
        env = {{"HTTP_PROXY", decoy.url()}, {"https_proxy", decoy.url()}};
        expect_proxy = false;
    }
    auto opts = options(*collector, logs);
    opts.proxy.use_environment = true;
    opts.proxy.environment = fake_environment(env);
    auto client = vwo::launch(opts);
    CHECK(client.push("k", "v", "u").get());
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(collector->request_count() == 1);
    CHECK(decoy.connections_accepted() == 0);
    if (expect_proxy) {
        REQUIRE(proxy.request_count() == 1);
        CHECK(proxy.requests()[0].status == 200);
        CHECK(logs.contains(vwo::log_level::info, "(from " + source + ")"));
    } else {
        CHECK(proxy.connections_accepted() == 0);
        CHECK(logs.contains(vwo::log_level::info, "no proxy configured"));
    }
}

TEST_CASE("proxy: an explicit proxy.url overrides the environment", "[proxy][environment]")
{
    connect_proxy proxy;
    connect_proxy env_proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = options(collector, logs);
    opts.proxy.use_environment = true;
    opts.proxy.environment = fake_environment({{"HTTPS_PROXY", env_proxy.url()}, {"ALL_PROXY", env_proxy.url()}});
    SECTION("another proxy")
    {
        opts.proxy.url = proxy.url();
        auto client = vwo::launch(opts);
        CHECK(client.push("k", "v", "u").get());
        client.shutdown();
        CHECK(proxy.tunnels_opened() == 1);
    }
    SECTION("the empty string: no proxy at all")
    {
        opts.proxy.url = "";
        auto client = vwo::launch(opts);
        CHECK(client.push("k", "v", "u").get());
        client.shutdown();
        CHECK(proxy.connections_accepted() == 0);
        CHECK(logs.contains(vwo::log_level::info, "no proxy (proxy.url is empty)"));
    }
    SECTION("use_environment = false: the variables are not read")
    {
        opts.proxy.use_environment = false;
        auto client = vwo::launch(opts);
        CHECK(client.push("k", "v", "u").get());
        client.shutdown();
        CHECK(proxy.connections_accepted() == 0);
    }
    CHECK(env_proxy.connections_accepted() == 0);
    CHECK(collector.request_count() == 1);
}

TEST_CASE("proxy: without proxy.environment the process environment is read at launch", "[proxy][environment]")
{
    connect_proxy proxy;
    auto collector = https_collector();
    log_capture logs;
    auto opts = options(collector, logs);
    opts.proxy.use_environment = true; // and no environment function: std::getenv
    std::optional<vwo::client> client;
    {
        // launch() reads the variables on this thread; nothing else in this process reads the
        // environment meanwhile (the collector and proxy threads never do), and the previous values
        // are back before the first push.
        env_override a("https_proxy", std::nullopt);
        env_override b("HTTPS_PROXY", proxy.url());
        env_override c("all_proxy", std::nullopt);
        env_override d("ALL_PROXY", std::nullopt);
        env_override e("no_proxy", std::nullopt);
        env_override f("NO_PROXY", std::nullopt);
        client.emplace(vwo::launch(opts));
    }
    CHECK(client->push("k", "v", "u").get());
    client->shutdown();
    CHECK(proxy.tunnels_opened() == 1);
    CHECK(collector.request_count() == 1);
    CHECK(logs.contains(vwo::log_level::info, "(from HTTPS_PROXY)"));
}

TEST_CASE("proxy: a proxy that refuses connections is retried like a collector that does", "[proxy][faults]")
{
    auto collector = https_collector();
    log_capture logs;
    auto opts = options(collector, logs);
    const auto dead_port = free_port();
    opts.proxy.url = "http://127.0.0.1:" + std::to_string(dead_port);
    opts.retry.max_retries = 1;
    auto client = vwo::launch(opts);
    const auto ec = push_error(client);
    client.shutdown();
    INFO("log:\n" << all_lines(logs));
    CHECK(ec == vwo::errc::retries_exhausted);
    CHECK(client.stats().retries == 1);
    CHECK(client.stats().last_error == vwo::errc::retries_exhausted);
    CHECK(collector.connections_accepted() == 0);
    CHECK(logs.contains(vwo::log_level::warn, "cannot connect to proxy 127.0.0.1:" + std::to_string(dead_port)));
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: a tunnel the proxy cannot open (502) is retried, one it refuses (403) is not", "[proxy][faults]")
{
    auto collector = https_collector();
    log_capture logs;
    connect_proxy_options po;
    vwo::errc expected{};
    std::size_t attempts = 0;
    SECTION("502: proxy_failed, retried")
    {
        po.refuse_status = 502;
        expected = vwo::errc::retries_exhausted;
        attempts = 3; // options_for: max_retries = 2
    }
    SECTION("403: proxy_rejected, final")
    {
        po.refuse_status = 403;
        expected = vwo::errc::proxy_rejected;
        attempts = 1;
    }
    connect_proxy proxy(po);
    auto opts = through(proxy, collector, logs);
    auto client = vwo::launch(opts);
    const auto ec = push_error(client);
    client.shutdown();
    INFO("log:\n" << all_lines(logs) << "proxy:\n" << proxy_lines(proxy));
    CHECK(ec == expected);
    CHECK(proxy.request_count() == attempts);
    CHECK(proxy.tunnels_opened() == 0);
    CHECK(collector.connections_accepted() == 0);
    CHECK(logs.contains(vwo::log_level::error, "the proxy answered " + std::to_string(po.refuse_status)));
    CHECK(client.stats().retries == attempts - 1);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("proxy: an unusable proxy URL fails launch with invalid_options", "[proxy]")
{
    local_collector collector;
    log_capture logs;
    auto opts = options(collector, logs);
    std::string expected;
    SECTION("explicit socks5:// URL")
    {
        opts.proxy.url = "socks5://user:secret@127.0.0.1:1080";
        expected = "SOCKS proxies are not supported";
    }
    SECTION("https:// proxy from the environment")
    {
        opts.proxy.use_environment = true;
        opts.proxy.environment = fake_environment({{"http_proxy", "https://127.0.0.1:443"}});
        expected = "(from http_proxy)";
    }
    try {
        auto client = vwo::launch(opts);
        FAIL("launch accepted the proxy");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == vwo::errc::invalid_options);
        CHECK(std::string(e.what()).find(expected) != std::string::npos);
        CHECK(std::string(e.what()).find("secret") == std::string::npos);
    }
    CHECK(logs.contains(vwo::log_level::error, expected));
    CHECK(collector.connections_accepted() == 0);
}

TEST_CASE("proxy: get_settings_file goes through the proxy too", "[proxy]")
{
    connect_proxy proxy(alice_only());
    auto collector = https_collector();
    vwo::tools::scripted_response settings;
    settings.body = R"({"accountId":1})";
    collector.set_default_response(settings);
    vwo::settings_fetch_options fetch;
    fetch.endpoint = collector.endpoint();
    fetch.tls.ca_file = make_test_pki().ca_cert.string();
    SECTION("credentials accepted")
    {
        fetch.proxy.url = proxy.url_with("alice", alice_password_encoded);
        auto f = vwo::get_settings_file("123456", sdk_key, fetch);
        REQUIRE(ready_within(f));
        CHECK(f.get() == R"({"accountId":1})");
        REQUIRE(proxy.request_count() == 1);
        CHECK(proxy.requests()[0].line() == "CONNECT " + authority("127.0.0.1", collector));
        REQUIRE(collector.request_count() == 1);
        CHECK(collector.requests()[0].path == "/server-side/settings");
    }
    SECTION("407")
    {
        fetch.proxy.url = proxy.url();
        auto f = vwo::get_settings_file("123456", sdk_key, fetch);
        REQUIRE(ready_within(f));
        try {
            f.get();
            FAIL("fetched without proxy credentials");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::proxy_auth_required);
        }
        CHECK(collector.request_count() == 0);
    }
    SECTION("unusable proxy URL")
    {
        fetch.proxy.url = "socks5://127.0.0.1:1080";
        auto f = vwo::get_settings_file("123456", sdk_key, fetch);
        REQUIRE(ready_within(f));
        try {
            f.get();
            FAIL("accepted a socks proxy");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::invalid_options);
        }
        CHECK(proxy.connections_accepted() == 0);
    }
}
