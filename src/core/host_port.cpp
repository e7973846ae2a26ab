#include "core/host_port.hpp"

#include <vwo/error.hpp>

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vwo::core {
namespace {

bool is_host_char(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

bool is_ipv6_address(std::string_view text) noexcept
{
    if (text.empty() || text.size() > 45) return false;
    char buffer[46];
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    unsigned char address[16];
    return ::inet_pton(AF_INET6, buffer, address) == 1;
}

} // namespace

outcome<host_port> parse_host_port(std::string_view authority, empty_port empty)
{
    const auto fail = [](const char* text) -> outcome<host_port> { return core::fail(errc::invalid_options, text); };

    host_port result;
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail("IPv6 address lacks a closing ']'");
        result.host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail("unexpected text after the IPv6 address");
            has_port = true;
            port_text = after.substr(1);
        }
        if (!is_ipv6_address(result.host)) return fail("invalid IPv6 address");
    } else {
        const std::size_t colon = authority.find(':');
        result.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        for (const char c : result.host) {
            if (!is_host_char(c)) return fail("host contains an invalid character");
        }
    }
    if (result.host.empty()) return fail("host is empty");

    if (has_port && port_text.empty() && empty == empty_port::means_default) return result;
    if (has_port) {
        unsigned value = 0;
        const char* const first = port_text.data();
        const char* const last = first + port_text.size();
        const auto [ptr, ec] = std::from_chars(first, last, value);
        // from_chars accepts no sign or spaces, so "digits only" is all that is left to check.
        if (port_text.empty() || ec != std::errc{} || ptr != last || value == 0 || value > 65535)
            return fail("port must be a number from 1 to 65535");
        result.port = static_cast<std::uint16_t>(value);
    }
    return result;
}

} // namespace vwo::core
