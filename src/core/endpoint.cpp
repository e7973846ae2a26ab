#include "core/endpoint.hpp"

#include <vwo/error.hpp>

#include <charconv>
#include <utility>

namespace vwo::core {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) return false;
    }
    return true;
}

bool is_alnum(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 3986 reg-name characters (unreserved, sub-delims, pct-encoded), so a host can never
// inject a space, a slash or a header line into the request.
bool is_reg_name_char(char c) noexcept
{
    switch (c) {
    case '-': case '.': case '_': case '~': case '%':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
        return true;
    default:
        return is_alnum(c);
    }
}

bool is_ipv6_char(char c) noexcept
{
    return is_alnum(c) || c == ':' || c == '.' || c == '%' || c == '-' || c == '_' || c == '~';
}

bool is_path_char(char c) noexcept
{
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7F;
}

} // namespace

std::string endpoint::host_header() const
{
    std::string out;
    out.reserve(host.size() + 8);
    const bool ipv6 = host.find(':') != std::string::npos;
    if (ipv6) out += '[';
    out += host;
    if (ipv6) out += ']';
    if (port != (tls ? 443 : 80)) {
        out += ':';
        out += std::to_string(port);
    }
    return out;
}

outcome<endpoint> parse_endpoint(std::string_view url)
{
    const auto fail = [&](std::string_view problem) -> outcome<endpoint> {
        std::string message;
        message.reserve(url.size() + problem.size() + 16);
        message += "endpoint \"";
        message += url;
        message += "\": ";
        message += problem;
        return core::fail(errc::invalid_options, std::move(message));
    };

    endpoint result;
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return fail("must start with http:// or https://");
    const std::string_view scheme = url.substr(0, scheme_end);
    if (iequals(scheme, "https")) {
        result.tls = true;
    } else if (iequals(scheme, "http")) {
        result.tls = false;
    } else {
        return fail("scheme must be http or https");
    }
    result.port = result.tls ? 443 : 80;

    std::string_view rest = url.substr(scheme_end + 3);
    if (rest.find('?') != std::string_view::npos) return fail("a query is not allowed");
    if (rest.find('#') != std::string_view::npos) return fail("a fragment is not allowed");
    const std::size_t authority_end = rest.find('/');
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view path = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) return fail("user info is not allowed");

    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail("IPv6 address lacks a closing ']'");
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail("unexpected text after the IPv6 address");
            has_port = true;
            port_text = after.substr(1);
        }
        if (host.empty() || host.find(':') == std::string_view::npos) return fail("invalid IPv6 address");
        for (const char c : host) {
            if (!is_ipv6_char(c)) return fail("invalid IPv6 address");
        }
    } else {
        const std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        for (const char c : host) {
            if (!is_reg_name_char(c)) return fail("host contains an invalid character");
        }
    }
    if (host.empty()) return fail("host is empty");

    if (has_port) {
        unsigned value = 0;
        const char* const first = port_text.data();
        const char* const last = first + port_text.size();
        const auto [ptr, ec] = std::from_chars(first, last, value);
        // from_chars accepts no sign or spaces, so "digits only" is all that is left to check.
        if (port_text.empty() || ec != std::errc{} || ptr != last || value == 0 || value > 65535) {
            return fail("port must be a number from 1 to 65535");
        }
        result.port = static_cast<std::uint16_t>(value);
    }

    for (const char c : path) {
        if (!is_path_char(c)) return fail("path contains a space or control character");
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);

    result.host.assign(host);
    result.base_path.assign(path);
    return result;
}

// Compatibility for src/engine and src/client.cpp until they call parse_endpoint(url).
std::optional<endpoint> parse_endpoint(std::string_view url, std::string& error)
{
    auto parsed = parse_endpoint(url);
    if (parsed) return std::move(*parsed);
    error = std::move(parsed.error().message);
    return std::nullopt;
}

} // namespace vwo::core
