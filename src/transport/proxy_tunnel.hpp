#pragma once

// The proxy side of the transport without I/O: where connections go (the route), the CONNECT request's
// fields, and what the proxy's answer means, 407 included. connection.cpp does the reading and writing
// with Beast; keeping the decisions here keeps them out of the one expensive translation unit and
// gives the 407 explanation a single author (a CONNECT refusal and a plain-http 407 say the same).

#include "transport/http_client.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::transport {

/// How one pool reaches its origin: directly, or through transport_config::proxy (a CONNECT tunnel for
/// an https origin, absolute-form requests for an http one). Computed once per http_client.
/// Thread-safety: immutable after plan_route; read from any thread.
struct route {
    std::string host_header;         // the origin's Host header value
    bool host_is_ip = false;         // of the origin: decides SNI and the certificate check, also through a tunnel
    std::string dial_host;           // where TCP connections go: the origin, or the proxy
    std::uint16_t dial_port = 0;
    bool dial_is_ip = false;
    std::string dial_label;          // "proxy 127.0.0.1:3128" or the Host header, for messages
    bool tunnel = false;             // https origin through the proxy: CONNECT, then TLS with the origin
    bool absolute_form = false;      // http origin through the proxy: "GET http://host/path"
    std::string origin_authority;    // "host:port" for CONNECT
    std::string proxy_authorization; // "Basic ..." or empty
    bool proxy_has_credentials = false;
    std::string via_proxy;           // " through proxy host:port" or empty, for messages
};

route plan_route(const transport_config& config);

/// True for an IPv4 or IPv6 address literal (no lookup, no SNI).
bool is_ip_literal(const std::string& host);

/// "CONNECT host:port via proxy host:port": how every tunnel failure's detail begins.
std::string tunnel_label(const route& r);

/// The parenthesised end of a 407 explanation: whether the proxy URL had credentials (so they were
/// refused, or none were offered) and the proxy's Proxy-Authenticate challenge when it sent one.
std::string proxy_auth_explanation(const route& r, const std::optional<std::string>& proxy_authenticate);

/// The proxy's answer header to CONNECT, as read by connection.cpp.
struct connect_answer {
    unsigned status = 0;
    std::string reason;
    std::optional<std::string> proxy_authenticate;
    bool data_after = false; ///< bytes followed the header (the origin's TLS cannot have begun yet)
};

/// What a CONNECT answer means: empty for a usable tunnel (2xx with nothing after it), else
/// proxy_auth_required (407: a retry cannot help), proxy_failed (transient: 408, 429, 5xx, or data
/// after a 2xx) or proxy_rejected; `detail` then says why.
boost::system::error_code judge_connect_answer(const route& r, const connect_answer& answer, std::string& detail);

/// A 407 to a plain-http request sent through the proxy (absolute form): only a proxy sends 407, so
/// its credentials are missing or wrong. `method` and the origin name the request in the detail.
std::string proxy_auth_detail(const route& r, std::string_view method, std::string_view reason,
                              const std::optional<std::string>& proxy_authenticate);

} // namespace vwo::transport
