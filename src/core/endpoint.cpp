#include "core/endpoint.hpp"

#include "core/host_port.hpp"

#include <vwo/error.hpp>

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

    const auto parts = parse_host_port(authority, empty_port::refused);
    if (!parts) return fail(parts.error().message);
    if (parts->port) result.port = *parts->port;

    for (const char c : path) {
        if (!is_path_char(c)) return fail("path contains a space or control character");
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);

    result.host.assign(parts->host);
    result.base_path.assign(path);
    return result;
}

} // namespace vwo::core
