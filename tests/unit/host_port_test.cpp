#include "core/endpoint.hpp"
#include "core/host_port.hpp"
#include "core/proxy.hpp"

#include <vwo/error.hpp>

#include <catch2/catch.hpp>

#include <string>

using vwo::core::empty_port;
using vwo::core::parse_host_port;

namespace {

std::string problem_of(std::string_view authority, empty_port empty = empty_port::refused)
{
    const auto parts = parse_host_port(authority, empty);
    INFO("authority " << authority);
    REQUIRE_FALSE(parts.has_value());
    CHECK(parts.error().code == vwo::errc::invalid_options);
    return parts.error().message;
}

} // namespace

TEST_CASE("parse_host_port: names, IPv4 and bracketed IPv6, with and without a port", "[host_port]")
{
    auto p = parse_host_port("example.com", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->host == "example.com");
    CHECK_FALSE(p->port);

    p = parse_host_port("127.0.0.1:8080", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->host == "127.0.0.1");
    CHECK(p->port == 8080);

    p = parse_host_port("[::1]:8080", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->host == "::1");
    CHECK(p->port == 8080);

    p = parse_host_port("[2001:db8::7]", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->host == "2001:db8::7");
    CHECK_FALSE(p->port);

    p = parse_host_port("[::ffff:192.0.2.1]:1", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->host == "::ffff:192.0.2.1");
    CHECK(p->port == 1);

    p = parse_host_port("h:65535", empty_port::refused);
    REQUIRE(p.has_value());
    CHECK(p->port == 65535);
}

TEST_CASE("parse_host_port: the port is 1..65535 in digits only", "[host_port]")
{
    for (const char* bad : {"h:0", "h:65536", "h:-1", "h:+80", "h:80a", "h: 80", "h:99999999999", "[::1]:0",
                            "[::1]:x", "h:", "[::1]:"}) {
        CHECK(problem_of(bad) == "port must be a number from 1 to 65535");
    }
    // Only the empty port may mean "the default", and only when the caller asks for it.
    const auto p = parse_host_port("h:", empty_port::means_default);
    REQUIRE(p.has_value());
    CHECK_FALSE(p->port);
    CHECK(problem_of("h:0", empty_port::means_default) == "port must be a number from 1 to 65535");
}

TEST_CASE("parse_host_port: IPv6 only in brackets, and a real address", "[host_port]")
{
    CHECK(problem_of("[::1").find("closing ']'") != std::string::npos);
    CHECK(problem_of("[::1]x").find("after the IPv6") != std::string::npos);
    CHECK(problem_of("[::1]:80:90") == "port must be a number from 1 to 65535");
    for (const char* bad : {"[]", "[not-v6]", "[1:2:3]", "[::g]", "[127.0.0.1]", "[fe80::1%eth0]", "[:::]"}) {
        INFO(bad);
        CHECK(problem_of(bad) == "invalid IPv6 address");
    }
    // Without brackets, the first colon starts the port: an IPv6 address is never guessed.
    CHECK(problem_of("::1") == "host is empty");
    CHECK(problem_of("2001:db8::1") == "port must be a number from 1 to 65535");
}

TEST_CASE("parse_host_port: host names hold letters, digits and -._~ only", "[host_port]")
{
    CHECK(parse_host_port("a-b.c_d~e", empty_port::refused).has_value());
    for (const char* bad : {"exa mple", "a/b", "a\r\nX: y", "a!b", "a%41", "a;b", "a=b", "a,b", "a@b"}) {
        INFO(bad);
        CHECK(problem_of(bad) == "host contains an invalid character");
    }
    CHECK(problem_of("") == "host is empty");
    CHECK(problem_of(":80") == "host is empty");
}

TEST_CASE("endpoint and proxy URL read host and port the same way", "[host_port][endpoint][proxy]")
{
    for (const char* authority : {"[::1]:8080", "[2001:db8::2]:1", "collector.example:65535", "10.0.0.1:3128"}) {
        INFO(authority);
        const auto e = vwo::core::parse_endpoint(std::string("http://") + authority);
        const auto p = vwo::core::parse_proxy_url(std::string("http://") + authority);
        REQUIRE(e.has_value());
        REQUIRE(p.has_value());
        CHECK(e->host == p->host);
        CHECK(e->port == p->port);
    }
    for (const char* authority : {"[1:2:3]:80", "[::g]", "a!b:80", "h:0", "h:+1", "[::1]x", "[::1"}) {
        INFO(authority);
        CHECK_FALSE(vwo::core::parse_endpoint(std::string("http://") + authority).has_value());
        CHECK_FALSE(vwo::core::parse_proxy_url(std::string("http://") + authority).has_value());
    }
}
