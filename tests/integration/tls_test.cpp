// R10: TLS verification against real TLS collectors on 127.0.0.1 with certificates made at test time.
//
// Every refusal test shows three things: the push fails with the distinct vwo::errc for the reason,
// the collector saw a failed TLS handshake and recorded no request (nothing ever goes out in
// plaintext, there is no fallback), and the failure is counted as failed_other without retries.

#include "fixtures.hpp"

#include <test_certificates.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

using namespace vwo::test;
using vwo::tools::collector_options;
using vwo::tools::local_collector;
using vwo::tools::tls_version;
namespace fs = std::filesystem;

namespace {

std::string https_endpoint(const std::string& host, const local_collector& collector)
{
    return "https://" + host + ":" + std::to_string(collector.port());
}

/// The error code a single push completes with (empty on success).
boost::system::error_code push_error(vwo::client& client)
{
    auto f = client.async_push("k", "v", "u", boost::asio::use_future([](boost::system::error_code ec, vwo::push_result) {
                                   return ec;
                               }));
    REQUIRE(ready_within(f));
    return f.get();
}


/// The subject-name hash `openssl x509 -hash -noout` prints, as 8 hex digits.
std::string subject_hash(const fs::path& pem)
{
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(pem.c_str(), "r"), &std::fclose);
    REQUIRE(file);
    std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
    REQUIRE(cert);
    char text[16];
    std::snprintf(text, sizeof text, "%08lx", X509_subject_name_hash(cert.get()));
    return text;
}

/// A directory in OpenSSL's hashed layout (<subject hash>.0) holding the test CA, as `openssl rehash` makes.
fs::path hashed_ca_dir()
{
    const auto& pki = make_test_pki();
    const fs::path dir = pki.dir / "hashed-ca";
    fs::create_directories(dir);
    const fs::path link = dir / (subject_hash(pki.ca_cert) + ".0");
    if (!fs::exists(link))
        fs::copy_file(pki.ca_cert, link);
    return dir;
}

/// An empty directory: trusting it adds nothing.
fs::path empty_dir()
{
    const fs::path dir = make_test_pki().dir / "empty-ca-dir";
    fs::create_directories(dir);
    return dir;
}

struct refusal_case {
    fs::path cert, key;
    std::string host = "127.0.0.1";
    bool trust_test_ca = true;
    vwo::errc expected{};
    std::string openssl_reason; // X509_verify_cert_error_string text expected in the log line
};

/// All captured log lines, for failure messages.
std::string all_lines(const log_capture& logs)
{
    std::string out;
    for (const auto& [level, line] : logs.lines())
        out += "  [" + std::to_string(static_cast<int>(level)) + "] " + line + "\n";
    return out;
}

/// Launches a client against a collector serving `c.cert` and checks the refusal end to end.
void check_refused(const refusal_case& c)
{
    local_collector collector(tls_collector(c.cert.string(), c.key.string()));
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.endpoint = https_endpoint(c.host, collector);
    if (c.trust_test_ca)
        opts.tls.ca_file = make_test_pki().ca_cert.string();
    auto client = vwo::launch(opts);

    const auto ec = push_error(client);
    client.shutdown();
    INFO("log:\n" << all_lines(logs));
    CHECK(ec == c.expected);
    CHECK(collector.wait_for_tls_handshake_failures(1, test_deadline));

    // Nothing reached the collector, in TLS or in plaintext, and nothing was tried again.
    CHECK(collector.request_count() == 0);
    CHECK(collector.connections_accepted() == 1);
    CHECK(collector.tls_handshake_failures() == 1);

    const auto s = client.stats();
    CHECK(s.failed_other == 1);
    CHECK(s.failed_retries_exhausted == 0);
    CHECK(s.retries == 0);
    CHECK(s.delivered == 0);
    CHECK(s.last_error == c.expected);
    CHECK(accounting_holds(s));

    // The log line names the reason: the vwo error and OpenSSL's own words.
    CHECK(logs.contains(vwo::log_level::error, vwo::make_error_code(c.expected).message()));
    CHECK(logs.contains(vwo::log_level::error, "certificate verify failed"));
    CHECK(logs.contains(vwo::log_level::error, c.openssl_reason));
}

/// Two pushes to `collector` with `opts`: both delivered, no failed handshake.
void check_delivers(local_collector& collector, const log_capture& logs, vwo::client_options opts)
{
    opts.return_promise_for.push = true;
    auto client = vwo::launch(opts);
    const bool first = client.push("k", "v", "u").get();
    const bool second = client.push("k", "w", "u").get();
    client.shutdown();
    INFO("log:\n" << all_lines(logs));
    CHECK(first);
    CHECK(second);
    CHECK(collector.request_count() == 2);
    CHECK(collector.tls_handshake_failures() == 0);
    CHECK(client.stats().delivered == 2);
    CHECK(accounting_holds(client.stats()));
}

} // namespace

TEST_CASE("TLS: a certificate for another host is refused with certificate_hostname_mismatch", "[tls]")
{
    const auto& pki = make_test_pki();
    refusal_case c;
    c.cert = pki.wrong_host_cert;
    c.key = pki.wrong_host_key;
    c.expected = vwo::errc::certificate_hostname_mismatch;
    SECTION("endpoint by IP address")
    {
        c.host = "127.0.0.1";
        c.openssl_reason = "IP address mismatch";
        check_refused(c);
    }
    SECTION("endpoint by host name")
    {
        c.host = "localhost";
        c.openssl_reason = "hostname mismatch";
        check_refused(c);
    }
}

TEST_CASE("TLS: a certificate from an unknown CA is refused with certificate_untrusted", "[tls]")
{
    const auto& pki = make_test_pki();
    refusal_case c;
    c.expected = vwo::errc::certificate_untrusted;
    c.openssl_reason = "unable to get local issuer certificate";
    SECTION("issued by a CA nobody trusts, test CA configured")
    {
        c.cert = pki.unknown_ca_server_cert;
        c.key = pki.unknown_ca_server_key;
        check_refused(c);
    }
    SECTION("issued by the test CA, which only the system store is asked about")
    {
        c.cert = pki.server_cert;
        c.key = pki.server_key;
        c.trust_test_ca = false;
        check_refused(c);
    }
}

TEST_CASE("TLS: an expired certificate is refused with certificate_expired", "[tls]")
{
    const auto& pki = make_test_pki();
    refusal_case c;
    c.cert = pki.expired_cert;
    c.key = pki.expired_key;
    c.expected = vwo::errc::certificate_expired;
    c.openssl_reason = "certificate has expired";
    check_refused(c);
}

TEST_CASE("TLS: a self-signed certificate is refused with certificate_self_signed", "[tls]")
{
    const auto& pki = make_test_pki();
    refusal_case c;
    c.cert = pki.self_signed_cert;
    c.key = pki.self_signed_key;
    c.expected = vwo::errc::certificate_self_signed;
    c.openssl_reason = "self-signed certificate";
    SECTION("test CA configured") { check_refused(c); }
    SECTION("system store only")
    {
        c.trust_test_ca = false;
        check_refused(c);
    }
}

TEST_CASE("TLS: a collector signed by the CA in tls.ca_file receives the pushes", "[tls]")
{
    const auto& pki = make_test_pki();
    local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.tls.ca_file = pki.ca_cert.string();
    SECTION("by IP address") { opts.endpoint = https_endpoint("127.0.0.1", collector); }
    SECTION("by host name (SNI and DNS name check)") { opts.endpoint = https_endpoint("localhost", collector); }
    check_delivers(collector, logs, opts);
    CHECK(collector.connections_accepted() == 1);
    CHECK_FALSE(logs.contains(vwo::log_level::warn, "insecure_skip_verify"));
}

TEST_CASE("TLS: tls.ca_dir in OpenSSL's hashed layout is trusted", "[tls]")
{
    const auto& pki = make_test_pki();
    log_capture logs;
    SECTION("the directory holds the test CA: delivered")
    {
        local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
        auto opts = options_for(collector, logs);
        opts.tls.ca_dir = hashed_ca_dir().string();
        check_delivers(collector, logs, opts);
    }
    SECTION("the directory does not: certificate_untrusted, nothing sent")
    {
        local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
        auto opts = options_for(collector, logs);
        opts.tls.ca_dir = empty_dir().string();
        auto client = vwo::launch(opts);
        CHECK(push_error(client) == vwo::errc::certificate_untrusted);
        CHECK(collector.wait_for_tls_handshake_failures(1, test_deadline));
        client.shutdown();
        CHECK(collector.request_count() == 0);
        CHECK(client.stats().failed_other == 1);
    }
}

TEST_CASE("TLS: the system trust store honours SSL_CERT_FILE and SSL_CERT_DIR", "[tls]")
{
    const auto& pki = make_test_pki();
    local_collector collector(tls_collector(pki.server_cert.string(), pki.server_key.string()));
    log_capture logs;
    auto opts = options_for(collector, logs); // no ca_file / ca_dir: only the default verify paths
    opts.return_promise_for.push = true;

    SECTION("SSL_CERT_FILE")
    {
        std::optional<vwo::client> client;
        {
            env_override file("SSL_CERT_FILE", pki.ca_cert.string());
            client.emplace(vwo::launch(opts)); // the trust store is read when the client is made
        }
        CHECK(client->push("k", "v", "u").get());
        client->shutdown();
        CHECK(collector.request_count() == 1);
        CHECK(client->stats().delivered == 1);
    }
    SECTION("SSL_CERT_DIR")
    {
        std::optional<vwo::client> client;
        {
            env_override dir("SSL_CERT_DIR", hashed_ca_dir().string());
            client.emplace(vwo::launch(opts));
        }
        CHECK(client->push("k", "v", "u").get());
        client->shutdown();
        CHECK(collector.request_count() == 1);
        CHECK(client->stats().delivered == 1);
    }
    SECTION("neither variable set: refused (the control)")
    {
        env_override no_file("SSL_CERT_FILE", std::nullopt);
        env_override no_dir("SSL_CERT_DIR", std::nullopt);
        auto client = vwo::launch(opts);
        CHECK(push_error(client) == vwo::errc::certificate_untrusted);
        client.shutdown();
        CHECK(collector.request_count() == 0);
    }
}

TEST_CASE("TLS: insecure_skip_verify delivers to a self-signed collector and warns at launch", "[tls]")
{
    const auto& pki = make_test_pki();
    local_collector collector(tls_collector(pki.self_signed_cert.string(), pki.self_signed_key.string()));
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.tls.insecure_skip_verify = true;
    opts.return_promise_for.push = true;
    auto client = vwo::launch(opts);
    // The warning comes from launch(), before anything is sent.
    CHECK(logs.contains(vwo::log_level::warn, "insecure_skip_verify"));
    CHECK(logs.contains(vwo::log_level::warn, "NOT verified"));
    CHECK(collector.connections_accepted() == 0);
    CHECK(client.push("k", "v", "u").get());
    client.shutdown();
    CHECK(collector.request_count() == 1);
    CHECK(collector.tls_handshake_failures() == 0);
    CHECK(client.stats().delivered == 1);
    CHECK(accounting_holds(client.stats()));
}

TEST_CASE("TLS: a server that speaks only TLS 1.1 is refused with tls_handshake_failed, nothing sent", "[tls]")
{
    const auto& pki = make_test_pki();
    collector_options old_server = tls_collector(pki.server_cert.string(), pki.server_key.string());
    old_server.min_tls_version = tls_version::tls1_0;
    old_server.max_tls_version = tls_version::tls1_1;
    old_server.tls_security_level = 0; // OpenSSL 3 refuses TLS 1.1 above level 0, on the server side too
    local_collector collector(old_server);

    // Control: the collector really completes a TLS 1.1 handshake with a client that allows it, so the
    // refusal below is the SDK's own minimum, not a broken server.
    {
        namespace asio = boost::asio;
        asio::io_context ioc;
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        SSL_CTX_set_security_level(ctx.native_handle(), 0);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_1_VERSION);
        SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
        ctx.set_verify_mode(asio::ssl::verify_none);
        asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, ctx);
        stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), collector.port()});
        boost::system::error_code ec;
        stream.handshake(asio::ssl::stream_base::client, ec);
        REQUIRE_FALSE(ec);
        CHECK(SSL_version(stream.native_handle()) == TLS1_1_VERSION);
        stream.shutdown(ec);
    }
    REQUIRE(collector.wait_for_connections(1, test_deadline));
    CHECK(collector.tls_handshake_failures() == 0);

    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.tls.ca_file = pki.ca_cert.string(); // the certificate is fine: only the version is wrong

    SECTION("one exchange reports tls_handshake_failed")
    {
        vwo::settings_fetch_options fetch;
        fetch.endpoint = opts.endpoint;
        fetch.tls.ca_file = opts.tls.ca_file;
        auto f = vwo::get_settings_file("123456", sdk_key, fetch);
        REQUIRE(ready_within(f));
        try {
            f.get();
            FAIL("a TLS 1.1 server was accepted");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == vwo::errc::tls_handshake_failed);
        }
        CHECK(collector.wait_for_tls_handshake_failures(1, test_deadline));
        CHECK(collector.request_count() == 0);
    }
    SECTION("a push fails after its retries, every attempt a refused handshake")
    {
        opts.retry.max_retries = 1;
        auto client = vwo::launch(opts);
        const auto ec = push_error(client);
        // tls_handshake_failed is retryable (it is also how a flaky middlebox looks), so the push
        // ends with retries_exhausted once the one retry met the same refusal.
        CHECK(ec == vwo::errc::retries_exhausted);
        CHECK(collector.wait_for_tls_handshake_failures(2, test_deadline));
        client.shutdown();
        CHECK(collector.request_count() == 0);
        CHECK(collector.tls_handshake_failures() == 2);
        const auto s = client.stats();
        CHECK(s.retries == 1);
        CHECK(s.delivered == 0);
        CHECK(s.failed_retries_exhausted == 1);
        CHECK(accounting_holds(s));
        CHECK(logs.contains(vwo::log_level::warn, "TLS handshake with 127.0.0.1"));
        CHECK(logs.contains(vwo::log_level::error, "TLS handshake with 127.0.0.1"));
    }
}

TEST_CASE("TLS: TLS 1.2 is the accepted minimum", "[tls]")
{
    const auto& pki = make_test_pki();
    collector_options server = tls_collector(pki.server_cert.string(), pki.server_key.string());
    server.min_tls_version = tls_version::tls1_2;
    server.max_tls_version = tls_version::tls1_2;
    local_collector collector(server);
    log_capture logs;
    auto opts = options_for(collector, logs);
    opts.tls.ca_file = pki.ca_cert.string();
    check_delivers(collector, logs, opts);
}
