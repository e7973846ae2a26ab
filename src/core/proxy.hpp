#pragma once

// Which proxy (if any) carries the requests to the collector, decided once at launch the way
// libcurl decides it (R11, docs/troubleshooting.md#proxy). Pure logic: the environment is read
// through an injectable function, so every rule is unit-tested without touching the process
// environment.

#include "core/outcome.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::core {

/// Reads one environment variable; nullopt when it is not set.
using environment_function = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (std::getenv). Call it on one thread at a time with respect to
/// setenv/putenv: POSIX gives no other guarantee.
environment_function process_environment();

/// An HTTP proxy as given by a proxy URL.
struct proxy_server {
    std::string host;             ///< name or address; IPv6 without brackets
    std::uint16_t port = 1080;    ///< libcurl's default when the URL has none
    bool has_credentials = false; ///< the URL had user info ("user@" or "user:password@")
    std::string user;             ///< percent-decoded
    std::string password;         ///< percent-decoded

    /// "host:port", IPv6 in brackets: what the proxy is connected to.
    std::string authority() const;
    /// "http://host:port", or "http://user:***@host:port": for logs, never shows the password.
    std::string display() const;
    /// "Basic " + base64(user ":" password), the Proxy-Authorization value; empty without credentials.
    std::string basic_authorization() const;
};

/// Parses a proxy URL like libcurl: "[http://][user[:password]@]host[:port][/...]". No scheme means
/// http; the port defaults to 1080; user and password are percent-decoded; an IPv6 address is in
/// brackets; a path is ignored. Schemes this SDK does not speak (https://, socks4/4a/5/5h://) and
/// anything else are refused: a failure with code vwo::errc::invalid_options and a message naming the
/// problem (the password replaced by "***").
outcome<proxy_server> parse_proxy_url(std::string_view url);

/// An environment variable that was read: its name and (non-empty) value.
struct environment_value {
    std::string name;
    std::string value;
};

/// The proxy variable libcurl uses for a target scheme: for https targets `https_proxy`, then
/// `HTTPS_PROXY`; for http targets only `http_proxy` (libcurl never reads `HTTP_PROXY`: under CGI
/// a request header "Proxy:" becomes that variable); then `all_proxy`, then `ALL_PROXY`. An empty
/// value counts as unset (as curl_getenv does).
std::optional<environment_value> proxy_from_environment(bool https_target, const environment_function& environment);

/// `no_proxy`, then `NO_PROXY` (libcurl reads the lowercase one first). Empty counts as unset.
std::optional<environment_value> no_proxy_from_environment(const environment_function& environment);

/// libcurl's Curl_check_noproxy: does the NO_PROXY list `no_proxy` exempt `host` (a name, or an IP
/// address without brackets)?
/// - the whole list "*" exempts every host;
/// - entries are separated by commas and/or blanks (space, tab); empty entries are skipped;
/// - a host name matches an entry equal to it or to one of its parent domains, case-insensitively;
///   a leading dot in the entry and a trailing dot in either are ignored ("example.com" and
///   ".example.com" both match "example.com" and "www.example.com", not "notexample.com");
/// - an IP address matches only address entries, never by text suffix: IPv4 "a.b.c.d" or
///   "a.b.c.d/n" (CIDR, n in 1..31 compares the first n bits; no prefix, "/0" or "/32" compare the
///   whole address, as libcurl does), IPv6 "x::y" or "x::y/n" (n in 1..127; also accepted in
///   brackets, "[::1]", which libcurl does not accept);
/// - an entry with a port ("host:8080") matches nothing, as in libcurl (its entries carry no port);
/// - host names are never resolved: "localhost" does not exempt 127.0.0.1.
bool no_proxy_matches(std::string_view host, std::string_view no_proxy);

/// The proxy configuration of a client (mirrors vwo::proxy_options without the Asio header).
struct proxy_settings {
    std::optional<std::string> url;      ///< set: overrides the proxy variables; "" = no proxy
    std::optional<std::string> no_proxy; ///< set: overrides NO_PROXY / no_proxy; "" = exempt nothing
    bool use_environment = true;         ///< read the variables at all
    environment_function environment;    ///< empty: process_environment()
};

/// The decision for one origin.
struct proxy_choice {
    std::optional<proxy_server> server; ///< nullopt: connect to the origin directly
    std::string explanation;            ///< one line for the launch log (credentials hidden)
};

/// libcurl's order: an explicit url (empty: no proxy at all), else the proxy variable for the
/// target scheme; then, if a proxy was found, the NO_PROXY list (explicit, else from the
/// environment) may exempt `host`. An unparsable proxy URL, explicit or from a variable, is an
/// error (code vwo::errc::invalid_options, the message names the source); libcurl fails the transfer in
/// that case too, and silently going around a proxy that was asked for could leak traffic past it.
outcome<proxy_choice> choose_proxy(const proxy_settings& settings, bool https_target, std::string_view host);

/// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view data);

} // namespace vwo::core
