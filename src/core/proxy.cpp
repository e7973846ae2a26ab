#include "core/proxy.hpp"

#include "core/host_port.hpp"
#include "core/url_encoding.hpp" // percent_decode: strict, '+' stays '+' (as libcurl decodes URL credentials)

#include <vwo/error.hpp>

#include <arpa/inet.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace vwo::core {
namespace {

char lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool parse_ipv4(std::string_view text, std::array<unsigned char, 4>& out)
{
    if (text.empty() || text.size() > 15) return false;
    char buffer[16];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    return ::inet_pton(AF_INET, buffer, out.data()) == 1;
}

bool parse_ipv6(std::string_view text, std::array<unsigned char, 16>& out)
{
    if (text.empty() || text.size() > 45) return false;
    char buffer[46];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    return ::inet_pton(AF_INET6, buffer, out.data()) == 1;
}

// The first `bits` bits of a and b are equal.
template <std::size_t N>
bool prefix_equal(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b, unsigned bits)
{
    const unsigned bytes = bits / 8;
    const unsigned rest = bits % 8;
    if (std::memcmp(a.data(), b.data(), bytes) != 0) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFFu << (8 - rest));
    return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

// What follows the '/' of a CIDR entry, read like atoi(): leading digits, 0 when there are none.
// nullopt when absurdly long (no valid prefix length has more than 3 digits).
std::optional<unsigned> prefix_bits(std::string_view text)
{
    unsigned value = 0;
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        if (digits == 4) return std::nullopt;
        value = value * 10 + static_cast<unsigned>(text[digits] - '0');
        ++digits;
    }
    return value;
}

// Curl_cidr4_match: no prefix, "/0" and "/32" compare the whole address; more than 32 never matches.
bool cidr4_match(const std::array<unsigned char, 4>& address, std::string_view network, std::optional<unsigned> bits)
{
    if (!bits || *bits > 32) return false;
    std::array<unsigned char, 4> check{};
    if (!parse_ipv4(network, check)) return false;
    return prefix_equal(address, check, *bits == 0 ? 32 : *bits);
}

// Curl_cidr6_match: no prefix or "/0" compare the whole address; more than 128 never matches.
bool cidr6_match(const std::array<unsigned char, 16>& address, std::string_view network, std::optional<unsigned> bits)
{
    if (!bits || *bits > 128) return false;
    std::array<unsigned char, 16> check{};
    if (!parse_ipv6(network, check)) return false;
    return prefix_equal(address, check, *bits == 0 ? 128 : *bits);
}

// The URL as given, with the password (if any) replaced by "***", for error messages.
std::string redacted(std::string_view url)
{
    const std::size_t scheme_end = url.find("://");
    const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    // The last '@' anywhere, not only inside the authority: a raw '/', '?' or '#' in a password would
    // otherwise end the authority early and leave the password in the message (issue 14, row 5).
    const std::size_t at = url.rfind('@');
    if (at == std::string_view::npos || at < authority_start) return std::string(url);
    const std::string_view user_info = url.substr(authority_start, at - authority_start);
    const std::size_t colon = user_info.find(':');
    if (colon == std::string_view::npos && user_info.find_first_of("/?#") == std::string_view::npos)
        return std::string(url); // a user name alone, as display() shows it
    std::string out(url.substr(0, authority_start));
    const std::string_view user = user_info.substr(0, colon);
    if (colon != std::string_view::npos && user.find_first_of("/?#") == std::string_view::npos) {
        out += user;
        out += ':';
    }
    out += "***";
    out += url.substr(at);
    return out;
}

std::optional<environment_value> first_set(const environment_function& environment,
                                           std::initializer_list<const char*> names)
{
    for (const char* name : names) {
        auto value = environment(name);
        if (value && !value->empty()) return environment_value{name, std::move(*value)};
    }
    return std::nullopt;
}

} // namespace

environment_function process_environment()
{
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
    };
}

std::string proxy_server::authority() const
{
    const bool ipv6 = host.find(':') != std::string::npos;
    std::string out;
    out.reserve(host.size() + 8);
    if (ipv6) out += '[';
    out += host;
    if (ipv6) out += ']';
    out += ':';
    out += std::to_string(port);
    return out;
}

std::string proxy_server::display() const
{
    std::string out = "http://";
    if (has_credentials) {
        out += user;
        out += ":***@";
    }
    out += authority();
    return out;
}

std::string proxy_server::basic_authorization() const
{
    if (!has_credentials) return {};
    return "Basic " + base64_encode(user + ":" + password);
}

outcome<proxy_server> parse_proxy_url(std::string_view url)
{
    const auto fail = [&](std::string_view problem) -> outcome<proxy_server> {
        std::string message = "proxy \"" + redacted(url) + "\": ";
        message += problem;
        return core::fail(errc::invalid_options, std::move(message));
    };
    if (url.empty()) return fail("is empty");

    std::string_view rest = url;
    if (const std::size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
        const std::string_view scheme = url.substr(0, scheme_end);
        if (iequals(scheme, "https"))
            return fail("https:// proxies (TLS to the proxy itself) are not supported; use an http:// proxy "
                        "(the tunnel to an https:// collector stays TLS end to end)");
        if (iequals(scheme, "socks4") || iequals(scheme, "socks4a") || iequals(scheme, "socks5") ||
            iequals(scheme, "socks5h") || iequals(scheme, "socks"))
            return fail("SOCKS proxies are not supported; use an HTTP proxy (http://host:port)");
        if (!iequals(scheme, "http"))
            return fail("unsupported proxy scheme \"" + std::string(scheme) + "\" (only http:// is supported)");
        rest = url.substr(scheme_end + 3);
    }
    // A path, query or fragment is ignored, as libcurl ignores it ("http://proxy:3128/" is common).
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));

    if (authority.find('@') == std::string_view::npos && rest.find('@') != std::string_view::npos)
        return fail("the user name or password holds a raw '/', '?' or '#': percent-encode it (%2F, %3F, %23)");

    proxy_server result;
    std::string_view host_port_text = authority;
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view user_info = authority.substr(0, at);
        host_port_text = authority.substr(at + 1);
        const std::size_t colon = user_info.find(':');
        auto user = percent_decode(user_info.substr(0, colon));
        if (!user) return fail("invalid percent-encoding in the user name");
        auto password = colon == std::string_view::npos ? boost::system::result<std::string>(std::string())
                                                         : percent_decode(user_info.substr(colon + 1));
        if (!password) return fail("invalid percent-encoding in the password");
        result.has_credentials = true;
        result.user = std::move(*user);
        result.password = std::move(*password);
    }

    // "host:" without digits means the default port, as in libcurl's URL parser.
    const auto parts = parse_host_port(host_port_text, empty_port::means_default);
    if (!parts) return fail(parts.error().message);
    if (parts->port) result.port = *parts->port;
    result.host.assign(parts->host);
    return result;
}

std::optional<environment_value> proxy_from_environment(bool https_target, const environment_function& environment)
{
    if (https_target) return first_set(environment, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"});
    return first_set(environment, {"http_proxy", "all_proxy", "ALL_PROXY"});
}

std::optional<environment_value> no_proxy_from_environment(const environment_function& environment)
{
    return first_set(environment, {"no_proxy", "NO_PROXY"});
}

bool no_proxy_matches(std::string_view host, std::string_view no_proxy)
{
    if (host.empty() || no_proxy.empty()) return false;
    if (no_proxy == "*") return true; // only the whole list; "*" as one entry among others is a name

    enum class kind { name, ipv4, ipv6 };
    kind type = kind::name;
    std::array<unsigned char, 4> v4{};
    std::array<unsigned char, 16> v6{};
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (parse_ipv4(host, v4)) {
        type = kind::ipv4;
    } else if (parse_ipv6(host, v6)) {
        type = kind::ipv6;
    } else if (host.back() == '.') {
        host.remove_suffix(1); // a trailing dot in the host name is ignored
        if (host.empty()) return false;
    }

    const auto is_separator = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
    std::size_t pos = 0;
    while (pos < no_proxy.size()) {
        while (pos < no_proxy.size() && is_separator(no_proxy[pos])) ++pos;
        const std::size_t start = pos;
        while (pos < no_proxy.size() && !is_separator(no_proxy[pos])) ++pos;
        std::string_view token = no_proxy.substr(start, pos - start);
        if (token.empty()) continue;

        if (type == kind::name) {
            if (token.back() == '.') token.remove_suffix(1);
            if (!token.empty() && token.front() == '.') token.remove_prefix(1);
            if (token.empty()) continue;
            if (token.size() == host.size()) {
                if (iequals(token, host)) return true;
            } else if (token.size() < host.size()) {
                const std::size_t offset = host.size() - token.size();
                if (host[offset - 1] == '.' && iequals(token, host.substr(offset))) return true;
            }
            continue;
        }

        std::optional<unsigned> bits = 0;
        if (const std::size_t slash = token.find('/'); slash != std::string_view::npos) {
            bits = prefix_bits(token.substr(slash + 1));
            token = token.substr(0, slash);
        }
        if (type == kind::ipv4) {
            if (cidr4_match(v4, token, bits)) return true;
        } else {
            // "[::1]" is accepted as well as "::1" (libcurl accepts only the latter).
            if (token.size() > 2 && token.front() == '[' && token.back() == ']')
                token = token.substr(1, token.size() - 2);
            if (cidr6_match(v6, token, bits)) return true;
        }
    }
    return false;
}

outcome<proxy_choice> choose_proxy(const proxy_settings& settings, bool https_target, std::string_view host)
{
    const environment_function environment = settings.environment ? settings.environment : process_environment();

    std::string url;
    std::string source;
    if (settings.url) {
        if (settings.url->empty()) return proxy_choice{std::nullopt, "no proxy (proxy.url is empty)"};
        url = *settings.url;
        source = "proxy.url";
    } else if (settings.use_environment) {
        if (auto variable = proxy_from_environment(https_target, environment)) {
            url = std::move(variable->value);
            source = std::move(variable->name);
        }
    }
    if (url.empty()) return proxy_choice{std::nullopt, "no proxy configured"};

    // NO_PROXY before the URL is parsed, as libcurl: an exempt host never needs the proxy.
    std::optional<environment_value> exemptions;
    if (settings.no_proxy)
        exemptions = environment_value{"proxy.no_proxy", *settings.no_proxy};
    else if (settings.use_environment)
        exemptions = no_proxy_from_environment(environment);
    if (exemptions && no_proxy_matches(host, exemptions->value))
        return proxy_choice{std::nullopt, "no proxy: " + exemptions->name + " (\"" + exemptions->value +
                                              "\") exempts " + std::string(host) + " from the proxy in " + source};

    auto server = parse_proxy_url(url);
    if (!server) {
        failure f = server.error();
        f.message += " (from " + source + ")";
        return f;
    }
    std::string explanation = "through proxy " + server->display() + " (from " + source + ")";
    return proxy_choice{std::move(*server), std::move(explanation)};
}

std::string base64_encode(std::string_view data)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(data[i]) << 16) |
                           (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    const std::size_t left = data.size() - i;
    if (left == 1) {
        const unsigned n = static_cast<unsigned char>(data[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    } else if (left == 2) {
        const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

} // namespace vwo::core
