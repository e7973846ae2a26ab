// The transport's pure decisions, without sockets: what a settings download's answer means
// (classify_settings_response), the proxy route, what a proxy's answer to CONNECT means and the one
// 407 explanation shared by a tunnel and a plain-http request, and the deadline/error mapping.

#include "transport/proxy_tunnel.hpp"
#include "transport/response_reader.hpp"
#include "transport/settings_response.hpp"

#include <vwo/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include <catch2/catch.hpp>

using namespace vwo::transport;
using vwo::errc;

namespace {

transport_config through_proxy(bool tls, bool credentials)
{
    transport_config config;
    config.origin.tls = tls;
    config.origin.host = "collector.example";
    config.origin.port = tls ? 443 : 80;
    vwo::core::proxy_server proxy;
    proxy.host = "127.0.0.1";
    proxy.port = 3128;
    if (credentials) {
        proxy.has_credentials = true;
        proxy.user = "u";
        proxy.password = "p";
    }
    config.proxy = proxy;
    return config;
}

} // namespace

TEST_CASE("classify_settings_response maps a settings answer to its error", "[transport]")
{
    exchange_result r;
    r.status = 200;
    CHECK(!classify_settings_response(r));
    r.status = 204;
    CHECK(!classify_settings_response(r));
    r.status = 401;
    CHECK(classify_settings_response(r) == errc::http_unauthorized);
    r.status = 403;
    CHECK(classify_settings_response(r) == errc::http_unauthorized);
    r.status = 404;
    CHECK(classify_settings_response(r) == errc::http_rejected);
    r.status = 302;
    CHECK(classify_settings_response(r) == errc::http_rejected);
    r.status = 200;
    r.body_too_large = true;
    CHECK(classify_settings_response(r) == errc::response_too_large);
    r.error = make_error_code(errc::timeout); // the transport's own error wins
    CHECK(classify_settings_response(r) == errc::timeout);
}

TEST_CASE("deadline_or: our deadline is a timeout, anything else the phase's error", "[transport]")
{
    CHECK(deadline_or(boost::beast::error::timeout, errc::connect_failed) == errc::timeout);
    CHECK(deadline_or(boost::asio::error::connection_refused, errc::connect_failed) == errc::connect_failed);
    CHECK(deadline_or(boost::asio::error::eof, errc::connection_lost) == errc::connection_lost);
}

TEST_CASE("plan_route: direct, tunnel for https, absolute form for http", "[transport]")
{
    transport_config direct;
    direct.origin.host = "::1";
    direct.origin.port = 8443;
    const route d = plan_route(direct);
    CHECK(d.dial_host == "::1");
    CHECK(d.dial_port == 8443);
    CHECK(d.dial_is_ip);
    CHECK(d.host_is_ip);
    CHECK(!d.tunnel);
    CHECK(!d.absolute_form);
    CHECK(d.via_proxy.empty());

    const route t = plan_route(through_proxy(true, true));
    CHECK(t.tunnel);
    CHECK(!t.absolute_form);
    CHECK(t.dial_host == "127.0.0.1");
    CHECK(t.dial_port == 3128);
    CHECK(t.dial_label == "proxy 127.0.0.1:3128");
    CHECK(t.origin_authority == "collector.example:443");
    CHECK(t.proxy_authorization == "Basic dTpw");
    CHECK(t.via_proxy == " through proxy 127.0.0.1:3128");
    CHECK(!t.host_is_ip);

    const route a = plan_route(through_proxy(false, false));
    CHECK(a.absolute_form);
    CHECK(!a.tunnel);
    CHECK(a.proxy_authorization.empty());
}

TEST_CASE("judge_connect_answer", "[transport]")
{
    const route r = plan_route(through_proxy(true, false));
    std::string detail;
    connect_answer ok;
    ok.status = 200;
    CHECK(!judge_connect_answer(r, ok, detail));
    ok.data_after = true;
    CHECK(judge_connect_answer(r, ok, detail) == errc::proxy_failed);
    CHECK(detail == "CONNECT collector.example:443 via proxy 127.0.0.1:3128: the proxy sent data after its 200 answer");

    connect_answer auth{407, "Proxy Authentication Required", std::string("Basic realm=\"x\""), false};
    CHECK(judge_connect_answer(r, auth, detail) == errc::proxy_auth_required);
    CHECK(detail == "CONNECT collector.example:443 via proxy 127.0.0.1:3128: the proxy answered 407 Proxy "
                    "Authentication Required (no credentials in the proxy URL; Proxy-Authenticate: Basic realm=\"x\")");

    for (unsigned status : {408U, 429U, 502U, 503U})
        CHECK(judge_connect_answer(r, connect_answer{status, "x", std::nullopt, false}, detail) == errc::proxy_failed);
    for (unsigned status : {400U, 403U, 404U})
        CHECK(judge_connect_answer(r, connect_answer{status, "x", std::nullopt, false}, detail) == errc::proxy_rejected);
}

TEST_CASE("the 407 explanation is the same for a tunnel and a plain-http request", "[transport]")
{
    const route r = plan_route(through_proxy(false, true));
    CHECK(proxy_auth_detail(r, "POST", "Proxy Authentication Required", std::nullopt) ==
          "proxy 127.0.0.1:3128 answered 407 Proxy Authentication Required to POST http://collector.example/..."
          " (it refused the credentials in the proxy URL)");
}
