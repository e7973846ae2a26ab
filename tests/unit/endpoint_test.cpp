#include "core/endpoint.hpp"

#include <vwo/error.hpp>

#include <catch2/catch.hpp>

#include <string>

using vwo::core::endpoint;
using vwo::core::parse_endpoint;

namespace {

endpoint parse_ok(std::string_view url)
{
    const auto result = parse_endpoint(url);
    INFO("url " << url << ": " << (result ? std::string() : result.error().message));
    REQUIRE(result.has_value());
    return *result;
}

std::string parse_error(std::string_view url)
{
    const auto result = parse_endpoint(url);
    INFO("url " << url);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == vwo::errc::invalid_options);
    return result.error().message;
}

} // namespace

TEST_CASE("parse_endpoint: the default collector", "[endpoint]")
{
    const endpoint e = parse_ok("https://dev.visualwebsiteoptimizer.com");
    CHECK(e.tls);
    CHECK(e.host == "dev.visualwebsiteoptimizer.com");
    CHECK(e.port == 443);
    CHECK(e.base_path.empty());
    CHECK(e.host_header() == "dev.visualwebsiteoptimizer.com");
}

TEST_CASE("parse_endpoint: scheme, port and path", "[endpoint]")
{
    const endpoint plain = parse_ok("http://127.0.0.1:8080");
    CHECK_FALSE(plain.tls);
    CHECK(plain.host == "127.0.0.1");
    CHECK(plain.port == 8080);
    CHECK(plain.host_header() == "127.0.0.1:8080");

    const endpoint http_default = parse_ok("http://localhost");
    CHECK(http_default.port == 80);
    CHECK(http_default.host_header() == "localhost");

    const endpoint upper = parse_ok("HTTPS://Example.com:443/");
    CHECK(upper.tls);
    CHECK(upper.port == 443);
    CHECK(upper.base_path.empty());
    CHECK(upper.host_header() == "Example.com");

    const endpoint odd_port = parse_ok("https://example.com:80");
    CHECK(odd_port.host_header() == "example.com:80"); // 80 is not https's default

    const endpoint with_path = parse_ok("https://proxy.example.com/vwo/collector/");
    CHECK(with_path.base_path == "/vwo/collector");
    CHECK(parse_ok("http://h:1/p").base_path == "/p");
    CHECK(parse_ok("http://h:65535").port == 65535);
}

TEST_CASE("parse_endpoint: IPv6 literals", "[endpoint]")
{
    const endpoint v6 = parse_ok("http://[::1]:9000/base");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 9000);
    CHECK(v6.base_path == "/base");
    CHECK(v6.host_header() == "[::1]:9000");

    const endpoint v6_default = parse_ok("https://[2001:db8::2]");
    CHECK(v6_default.host == "2001:db8::2");
    CHECK(v6_default.port == 443);
    CHECK(v6_default.host_header() == "[2001:db8::2]");
}

TEST_CASE("parse_endpoint: refused forms name the problem", "[endpoint]")
{
    CHECK(parse_error("ftp://x") == "endpoint \"ftp://x\": scheme must be http or https");
    CHECK(parse_error("example.com").find("http:// or https://") != std::string::npos);
    CHECK(parse_error("https://").find("host is empty") != std::string::npos);
    CHECK(parse_error("https://:8080").find("host is empty") != std::string::npos);
    CHECK(parse_error("https://user:pw@example.com").find("user info") != std::string::npos);
    CHECK(parse_error("https://example.com/?a=1").find("query") != std::string::npos);
    CHECK(parse_error("https://example.com#top").find("fragment") != std::string::npos);
    for (const char* bad_port : {"http://h:", "http://h:0", "http://h:65536", "http://h:-1", "http://h:+80",
                                 "http://h:80a", "http://h:99999999999"}) {
        CHECK(parse_error(bad_port).find("port must be a number from 1 to 65535") != std::string::npos);
    }
    CHECK(parse_error("http://[::1").find("closing ']'") != std::string::npos);
    CHECK(parse_error("http://[::1]x").find("after the IPv6") != std::string::npos);
    CHECK(parse_error("http://[]").find("IPv6") != std::string::npos);
    CHECK(parse_error("http://exa mple.com").find("host contains an invalid character") != std::string::npos);
    CHECK(parse_error("http://example.com\r\nX: y").find("invalid character") != std::string::npos);
    CHECK(parse_error("http://example.com/a b").find("path") != std::string::npos);
}
