#include "transport/proxy_tunnel.hpp"

#include <vwo/error.hpp>

#include <boost/asio/ip/address.hpp>

namespace vwo::transport {
namespace {

// "host:port" with the port always present (IPv6 in brackets): the CONNECT request target.
std::string authority_of(const core::endpoint& origin)
{
    const bool ipv6 = origin.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + origin.host + "]" : origin.host) + ":" + std::to_string(origin.port);
}

} // namespace

bool is_ip_literal(const std::string& host)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    return !ec;
}

route plan_route(const transport_config& config)
{
    route r;
    r.host_header = config.origin.host_header();
    r.host_is_ip = is_ip_literal(config.origin.host);
    if (config.proxy) {
        r.dial_host = config.proxy->host;
        r.dial_port = config.proxy->port;
        r.dial_label = "proxy " + config.proxy->authority();
        r.tunnel = config.origin.tls;
        r.absolute_form = !config.origin.tls;
        r.origin_authority = authority_of(config.origin);
        r.proxy_authorization = config.proxy->basic_authorization();
        r.proxy_has_credentials = config.proxy->has_credentials;
        r.via_proxy = " through " + r.dial_label;
    } else {
        r.dial_host = config.origin.host;
        r.dial_port = config.origin.port;
        r.dial_label = r.host_header;
    }
    r.dial_is_ip = is_ip_literal(r.dial_host);
    return r;
}

std::string tunnel_label(const route& r)
{
    return "CONNECT " + r.origin_authority + " via " + r.dial_label;
}

std::string proxy_auth_explanation(const route& r, const std::optional<std::string>& proxy_authenticate)
{
    std::string text = r.proxy_has_credentials ? " (it refused the credentials in the proxy URL"
                                               : " (no credentials in the proxy URL";
    if (proxy_authenticate)
        text += "; Proxy-Authenticate: " + *proxy_authenticate;
    return text + ")";
}

boost::system::error_code judge_connect_answer(const route& r, const connect_answer& answer, std::string& detail)
{
    const unsigned status = answer.status;
    if (status >= 200 && status <= 299) {
        if (answer.data_after) {
            detail = tunnel_label(r) + ": the proxy sent data after its " + std::to_string(status) + " answer";
            return make_error_code(errc::proxy_failed);
        }
        return {};
    }
    detail = tunnel_label(r) + ": the proxy answered " + std::to_string(status) + " " + answer.reason;
    if (status == 407) {
        detail += proxy_auth_explanation(r, answer.proxy_authenticate);
        return make_error_code(errc::proxy_auth_required);
    }
    const bool transient = status == 408 || status == 429 || (status >= 500 && status <= 599);
    return make_error_code(transient ? errc::proxy_failed : errc::proxy_rejected);
}

std::string proxy_auth_detail(const route& r, std::string_view method, std::string_view reason,
                              const std::optional<std::string>& proxy_authenticate)
{
    return r.dial_label + " answered 407 " + std::string(reason) + " to " + std::string(method) + " http://" +
           r.host_header + "/..." + proxy_auth_explanation(r, proxy_authenticate);
}

} // namespace vwo::transport
