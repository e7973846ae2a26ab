// R11: choosing and parsing the proxy exactly as libcurl does, with an injected environment
// (no setenv anywhere, so these tests can never race with anything).

#include "core/proxy.hpp"

#include <vwo/error.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace vwo::core;

namespace {

environment_function env(std::map<std::string, std::string> variables)
{
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto it = variables.find(name);
        if (it == variables.end()) return std::nullopt;
        return it->second;
    };
}

std::string message_of(const outcome<proxy_choice>& o) { return o ? std::string() : o.error().message; }

proxy_server parse_ok(std::string_view url)
{
    const auto result = parse_proxy_url(url);
    INFO("url " << url << ": " << (result ? std::string() : result.error().message));
    REQUIRE(result.has_value());
    return *result;
}

std::string parse_error(std::string_view url)
{
    const auto result = parse_proxy_url(url);
    INFO("url " << url);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == vwo::errc::invalid_options);
    return result.error().message;
}

// The proxy URL chosen for `host` (nullopt: direct), failing the test on a configuration error.
std::optional<std::string> chosen(const proxy_settings& settings, bool https, std::string_view host)
{
    const auto choice = choose_proxy(settings, https, host);
    INFO(message_of(choice));
    REQUIRE(choice.has_value());
    if (!choice->server) return std::nullopt;
    return choice->server->authority();
}

proxy_settings from_env(std::map<std::string, std::string> variables)
{
    proxy_settings s;
    s.environment = env(std::move(variables));
    return s;
}

} // namespace

TEST_CASE("proxy URL: host, port, scheme defaults as libcurl", "[proxy]")
{
    const auto plain = parse_ok("http://proxy.example:3128");
    CHECK(plain.host == "proxy.example");
    CHECK(plain.port == 3128);
    CHECK_FALSE(plain.has_credentials);
    CHECK(plain.basic_authorization().empty());
    CHECK(plain.authority() == "proxy.example:3128");
    CHECK(plain.display() == "http://proxy.example:3128");

    CHECK(parse_ok("proxy.example:8080").port == 8080);    // no scheme: http
    CHECK(parse_ok("proxy.example").port == 1080);         // no port: 1080, libcurl's default
    CHECK(parse_ok("http://proxy.example").port == 1080);
    CHECK(parse_ok("HTTP://Proxy.Example:1").host == "Proxy.Example");
    CHECK(parse_ok("http://proxy.example:3128/").port == 3128);      // trailing slash (common)
    CHECK(parse_ok("http://proxy.example:3128/ignored?x#y").port == 3128);
    CHECK(parse_ok("http://proxy.example:").port == 1080);           // empty port: the default
    CHECK(parse_ok("http://127.0.0.1:65535").port == 65535);
}

TEST_CASE("proxy URL: IPv6 literal in brackets", "[proxy]")
{
    const auto v6 = parse_ok("http://[::1]:3128");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 3128);
    CHECK(v6.authority() == "[::1]:3128");
    CHECK(parse_ok("[2001:db8::7]").port == 1080);
    CHECK(parse_error("http://[::1:3128").find("closing ']'") != std::string::npos);
    CHECK(parse_error("http://[not-v6]:3128").find("invalid IPv6") != std::string::npos);
    CHECK(parse_error("http://[::1]x").find("after the IPv6") != std::string::npos);
}

TEST_CASE("proxy URL: user and password are percent-decoded into Basic credentials", "[proxy]")
{
    const auto p = parse_ok("http://alice:s%3Acr%40t%25@proxy.example:3128");
    CHECK(p.has_credentials);
    CHECK(p.user == "alice");
    CHECK(p.password == "s:cr@t%");
    CHECK(p.basic_authorization() == "Basic " + base64_encode("alice:s:cr@t%"));
    // The password never appears in what is logged.
    CHECK(p.display() == "http://alice:***@proxy.example:3128");

    const auto user_only = parse_ok("http://bob@proxy.example");
    CHECK(user_only.has_credentials);
    CHECK(user_only.user == "bob");
    CHECK(user_only.password.empty());
    CHECK(user_only.basic_authorization() == "Basic Ym9iOg=="); // "bob:"

    // An unencoded '@' in the password: the last '@' ends the user info.
    const auto at = parse_ok("http://u:p@ss@proxy.example:1");
    CHECK(at.password == "p@ss");
    CHECK(at.host == "proxy.example");

    CHECK(parse_ok("http://Aladdin:open%20sesame@h").basic_authorization() == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

    const std::string bad = parse_error("http://u:bad%zzsecret@proxy.example");
    CHECK(bad.find("percent-encoding in the password") != std::string::npos);
    CHECK(bad.find("secret") == std::string::npos); // the error message hides the password
    CHECK(parse_error("http://u%2@proxy.example").find("user name") != std::string::npos);
}

TEST_CASE("proxy URL: unsupported schemes and malformed URLs are refused with a clear message", "[proxy]")
{
    CHECK(parse_error("socks5://proxy:1080").find("SOCKS proxies are not supported") != std::string::npos);
    CHECK(parse_error("socks5h://proxy:1080").find("SOCKS") != std::string::npos);
    CHECK(parse_error("socks4a://proxy:1080").find("SOCKS") != std::string::npos);
    CHECK(parse_error("SOCKS4://proxy:1080").find("SOCKS") != std::string::npos);
    CHECK(parse_error("https://proxy:443").find("https:// proxies") != std::string::npos);
    CHECK(parse_error("ftp://proxy:21").find("unsupported proxy scheme \"ftp\"") != std::string::npos);
    CHECK(parse_error("").find("is empty") != std::string::npos);
    CHECK(parse_error("http://").find("host is empty") != std::string::npos);
    CHECK(parse_error("http://:3128").find("host is empty") != std::string::npos);
    CHECK(parse_error("http://proxy:0").find("port") != std::string::npos);
    CHECK(parse_error("http://proxy:65536").find("port") != std::string::npos);
    CHECK(parse_error("http://proxy:31x").find("port") != std::string::npos);
    CHECK(parse_error("http://pro xy:3128").find("invalid character") != std::string::npos);
    CHECK(parse_error("http://proxy\r\nX: y:3128").find("invalid character") != std::string::npos);
    // The message quotes the URL with the password hidden.
    const std::string e = parse_error("socks5://user:hunter2@proxy:1080");
    CHECK(e.find("hunter2") == std::string::npos);
    CHECK(e.find("user:***@proxy") != std::string::npos);
}

TEST_CASE("proxy URL: a raw '#', '/' or '?' in the password never shows the password", "[proxy][hostile]")
{
    for (const char* url : {"http://user:pa#ss-s3cret@proxy:3128", "http://user:pa/ss-s3cret@proxy:3128",
                            "http://user:pa?ss-s3cret@proxy:3128", "http://user:s3cret#@proxy:3128/",
                            "http://us/er:s3cret@proxy:3128", "user:pa#s3cret@proxy:3128"}) {
        INFO(url);
        const std::string e = parse_error(url);
        CHECK_FALSE(e.empty());
        CHECK(e.find("s3cret") == std::string::npos);
        CHECK(e.find("ss-") == std::string::npos);
        CHECK(e.find("***@proxy:3128") != std::string::npos);
        CHECK(e.find("percent-encode") != std::string::npos);
    }
    // Percent-encoded, the same password works.
    const auto p = parse_proxy_url("http://user:pa%23ss@proxy:3128");
    REQUIRE(p.has_value());
    CHECK(p->password == "pa#ss");
}

TEST_CASE("environment: https targets read https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY in that order", "[proxy]")
{
    const std::map<std::string, std::string> all = {{"https_proxy", "h1:1"},
                                                    {"HTTPS_PROXY", "h2:2"},
                                                    {"all_proxy", "h3:3"},
                                                    {"ALL_PROXY", "h4:4"},
                                                    {"http_proxy", "h5:5"},
                                                    {"HTTP_PROXY", "h6:6"}};
    auto without = [&](std::initializer_list<const char*> names) {
        auto copy = all;
        for (const char* n : names) copy.erase(n);
        return copy;
    };
    CHECK(proxy_from_environment(true, env(all))->name == "https_proxy");
    CHECK(proxy_from_environment(true, env(without({"https_proxy"})))->name == "HTTPS_PROXY");
    CHECK(proxy_from_environment(true, env(without({"https_proxy", "HTTPS_PROXY"})))->name == "all_proxy");
    CHECK(proxy_from_environment(true, env(without({"https_proxy", "HTTPS_PROXY", "all_proxy"})))->name ==
          "ALL_PROXY");
    // http_proxy / HTTP_PROXY never serve an https target.
    CHECK_FALSE(proxy_from_environment(true, env({{"http_proxy", "h5:5"}, {"HTTP_PROXY", "h6:6"}})));
    // An empty value counts as unset (curl_getenv).
    CHECK(proxy_from_environment(true, env({{"https_proxy", ""}, {"HTTPS_PROXY", "h2:2"}}))->value == "h2:2");
    CHECK_FALSE(proxy_from_environment(true, env({})));
}

TEST_CASE("environment: http targets read only lowercase http_proxy, never HTTP_PROXY", "[proxy]")
{
    CHECK(proxy_from_environment(false, env({{"http_proxy", "h:1"}, {"HTTP_PROXY", "H:2"}}))->name == "http_proxy");
    // libcurl ignores HTTP_PROXY (httpoxy: under CGI a "Proxy:" request header becomes HTTP_PROXY).
    CHECK_FALSE(proxy_from_environment(false, env({{"HTTP_PROXY", "H:2"}})));
    CHECK(proxy_from_environment(false, env({{"HTTP_PROXY", "H:2"}, {"ALL_PROXY", "a:3"}}))->name == "ALL_PROXY");
    CHECK(proxy_from_environment(false, env({{"all_proxy", "a:3"}, {"ALL_PROXY", "A:4"}}))->name == "all_proxy");
    // https_proxy never serves an http target.
    CHECK_FALSE(proxy_from_environment(false, env({{"https_proxy", "h:1"}, {"HTTPS_PROXY", "H:2"}})));
}

TEST_CASE("environment: no_proxy is read before NO_PROXY", "[proxy]")
{
    CHECK(no_proxy_from_environment(env({{"no_proxy", "a"}, {"NO_PROXY", "b"}}))->value == "a");
    CHECK(no_proxy_from_environment(env({{"NO_PROXY", "b"}}))->name == "NO_PROXY");
    CHECK(no_proxy_from_environment(env({{"no_proxy", ""}, {"NO_PROXY", "b"}}))->value == "b");
    CHECK_FALSE(no_proxy_from_environment(env({})));
}

TEST_CASE("NO_PROXY: host names match exactly or as a domain suffix, case-insensitively", "[proxy]")
{
    CHECK(no_proxy_matches("example.com", "example.com"));
    CHECK(no_proxy_matches("www.example.com", "example.com"));
    CHECK(no_proxy_matches("a.b.example.com", "example.com"));
    CHECK(no_proxy_matches("WWW.Example.COM", "example.com"));
    CHECK(no_proxy_matches("www.example.com", "EXAMPLE.com"));
    CHECK_FALSE(no_proxy_matches("notexample.com", "example.com"));
    CHECK_FALSE(no_proxy_matches("example.com.org", "example.com"));
    CHECK_FALSE(no_proxy_matches("example.com", "www.example.com"));
    // A leading dot in the entry is optional (and then also matches the domain itself).
    CHECK(no_proxy_matches("www.example.com", ".example.com"));
    CHECK(no_proxy_matches("example.com", ".example.com"));
    // Trailing dots are ignored on both sides.
    CHECK(no_proxy_matches("example.com.", "example.com"));
    CHECK(no_proxy_matches("www.example.com", "example.com."));
    CHECK(no_proxy_matches("localhost", "localhost"));
    // No resolution: a name never matches an address entry and vice versa.
    CHECK_FALSE(no_proxy_matches("localhost", "127.0.0.1"));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "localhost"));
}

TEST_CASE("NO_PROXY: list syntax: '*', commas, blanks, empty entries", "[proxy]")
{
    CHECK(no_proxy_matches("anything.example", "*"));
    CHECK(no_proxy_matches("10.1.2.3", "*"));
    CHECK(no_proxy_matches("::1", "*"));
    // Only a list that is exactly "*" means everything (libcurl compares the whole string).
    CHECK_FALSE(no_proxy_matches("anything.example", "*,foo"));
    CHECK_FALSE(no_proxy_matches("anything.example", " *"));
    CHECK(no_proxy_matches("b.example", "a.example,b.example"));
    CHECK(no_proxy_matches("b.example", " a.example , b.example "));
    CHECK(no_proxy_matches("b.example", "a.example,,,b.example,"));
    CHECK(no_proxy_matches("b.example", "a.example b.example"));  // blank-separated (deprecated in curl)
    CHECK(no_proxy_matches("b.example", "a.example\tb.example"));
    CHECK_FALSE(no_proxy_matches("c.example", "a.example,b.example"));
    CHECK_FALSE(no_proxy_matches("example.com", ""));
    CHECK_FALSE(no_proxy_matches("example.com", ",, ,"));
    CHECK_FALSE(no_proxy_matches("example.com", "."));
    CHECK_FALSE(no_proxy_matches("", "*"));
}

TEST_CASE("NO_PROXY: an entry with a port matches nothing, as in libcurl", "[proxy]")
{
    CHECK_FALSE(no_proxy_matches("example.com", "example.com:443"));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.1:8080"));
    CHECK(no_proxy_matches("example.com", "example.com:443,example.com"));
}

TEST_CASE("NO_PROXY: IPv4 addresses match exactly or by CIDR block", "[proxy]")
{
    CHECK(no_proxy_matches("127.0.0.1", "127.0.0.1"));
    CHECK_FALSE(no_proxy_matches("127.0.0.2", "127.0.0.1"));
    // Never by text suffix (curl < 7.86 did that): "0.0.1" is not a parent "domain" of 127.0.0.1.
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "0.0.1"));
    CHECK(no_proxy_matches("192.168.4.7", "192.168.0.0/16"));
    CHECK_FALSE(no_proxy_matches("192.169.4.7", "192.168.0.0/16"));
    CHECK(no_proxy_matches("10.255.255.255", "10.0.0.0/8"));
    CHECK_FALSE(no_proxy_matches("11.0.0.0", "10.0.0.0/8"));
    CHECK(no_proxy_matches("127.0.0.1", "127.0.0.0/31"));
    CHECK_FALSE(no_proxy_matches("127.0.0.2", "127.0.0.0/31"));
    CHECK(no_proxy_matches("128.0.0.1", "128.0.0.0/1"));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "128.0.0.0/1"));
    CHECK(no_proxy_matches("10.0.0.5", "10.0.0.5/32"));
    CHECK_FALSE(no_proxy_matches("10.0.0.6", "10.0.0.5/32"));
    // libcurl's quirks kept: "/0" compares the whole address, more than 32 bits never matches.
    CHECK_FALSE(no_proxy_matches("10.0.0.5", "0.0.0.0/0"));
    CHECK(no_proxy_matches("10.0.0.5", "10.0.0.5/0"));
    CHECK_FALSE(no_proxy_matches("10.0.0.5", "10.0.0.5/33"));
    // An IPv4 host never matches an IPv6 entry or a name entry.
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "::ffff:127.0.0.1"));
    CHECK_FALSE(no_proxy_matches("10.0.0.5", "example.com,10.0.0.4"));
    CHECK(no_proxy_matches("10.0.0.5", "example.com,10.0.0.5"));
}

TEST_CASE("NO_PROXY: IPv6 addresses match by value or CIDR block", "[proxy]")
{
    CHECK(no_proxy_matches("::1", "::1"));
    CHECK(no_proxy_matches("::1", "0:0:0:0:0:0:0:1")); // compared as addresses, not strings
    CHECK(no_proxy_matches("[::1]", "::1"));
    CHECK(no_proxy_matches("::1", "[::1]"));
    CHECK_FALSE(no_proxy_matches("::2", "::1"));
    CHECK(no_proxy_matches("2001:db8::42", "2001:db8::/32"));
    CHECK_FALSE(no_proxy_matches("2001:db9::42", "2001:db8::/32"));
    CHECK(no_proxy_matches("fe80::1", "fe80::/10"));
    CHECK(no_proxy_matches("febf::1", "fe80::/10"));
    CHECK_FALSE(no_proxy_matches("fec0::1", "fe80::/10"));
    CHECK_FALSE(no_proxy_matches("2001:db8::42", "2001:db8::/129"));
    CHECK_FALSE(no_proxy_matches("::1", "127.0.0.1"));
}

TEST_CASE("choose_proxy: the environment by target scheme", "[proxy]")
{
    const auto s = from_env({{"HTTPS_PROXY", "http://proxy.example:3128"}, {"http_proxy", "plain.example:8080"}});
    CHECK(chosen(s, true, "collector.example") == "proxy.example:3128");
    CHECK(chosen(s, false, "collector.example") == "plain.example:8080");
    CHECK_FALSE(chosen(from_env({}), true, "collector.example"));

    const auto choice = choose_proxy(s, true, "collector.example");
    REQUIRE(choice.has_value());
    CHECK(choice->explanation == "through proxy http://proxy.example:3128 (from HTTPS_PROXY)");
}

TEST_CASE("choose_proxy: NO_PROXY exempts hosts from a proxy, explicit or from the environment", "[proxy]")
{
    auto s = from_env({{"HTTPS_PROXY", "proxy.example:3128"}, {"NO_PROXY", ".internal,10.0.0.0/8"}});
    CHECK_FALSE(chosen(s, true, "collector.internal"));
    CHECK_FALSE(chosen(s, true, "10.1.2.3"));
    CHECK(chosen(s, true, "collector.example") == "proxy.example:3128");

    const auto choice = choose_proxy(s, true, "10.1.2.3");
    REQUIRE(choice.has_value());
    CHECK(choice->explanation.find("NO_PROXY") != std::string::npos);

    // As in libcurl, the environment's NO_PROXY also applies to an explicit proxy URL ...
    s.url = "http://explicit.example:1";
    CHECK_FALSE(chosen(s, true, "collector.internal"));
    CHECK(chosen(s, true, "collector.example") == "explicit.example:1");
    // ... unless no_proxy is set explicitly: "" exempts nothing.
    s.no_proxy = "";
    CHECK(chosen(s, true, "collector.internal") == "explicit.example:1");
    s.no_proxy = "collector.example";
    CHECK_FALSE(chosen(s, true, "collector.example"));
    CHECK(chosen(s, true, "collector.internal") == "explicit.example:1");
}

TEST_CASE("choose_proxy: an explicit url overrides the environment, empty means no proxy", "[proxy]")
{
    auto s = from_env({{"https_proxy", "env.example:3128"}, {"ALL_PROXY", "all.example:1"}});
    s.url = "http://explicit.example:8080";
    CHECK(chosen(s, true, "collector.example") == "explicit.example:8080");
    CHECK(chosen(s, false, "collector.example") == "explicit.example:8080"); // one proxy for both schemes
    s.url = "";
    CHECK_FALSE(chosen(s, true, "collector.example"));
    CHECK(choose_proxy(s, true, "collector.example")->explanation == "no proxy (proxy.url is empty)");
}

TEST_CASE("choose_proxy: use_environment = false reads no variable at all", "[proxy]")
{
    bool read = false;
    proxy_settings s;
    s.use_environment = false;
    s.environment = [&read](const std::string&) -> std::optional<std::string> {
        read = true;
        return "env.example:1";
    };
    CHECK_FALSE(chosen(s, true, "collector.example"));
    s.url = "explicit.example:2";
    CHECK(chosen(s, true, "collector.example") == "explicit.example:2");
    CHECK_FALSE(read);
}

TEST_CASE("choose_proxy: an unusable proxy is an error naming its source", "[proxy]")
{
    const auto from_variable = choose_proxy(from_env({{"HTTPS_PROXY", "socks5://user:pw@proxy:1080"}}), true, "c.example");
    REQUIRE_FALSE(from_variable.has_value());
    CHECK(from_variable.error().code == vwo::errc::invalid_options);
    std::string error = from_variable.error().message;
    CHECK(error.find("SOCKS") != std::string::npos);
    CHECK(error.find("(from HTTPS_PROXY)") != std::string::npos);
    CHECK(error.find("pw@") == std::string::npos);

    proxy_settings s;
    s.url = "https://proxy:443";
    const auto explicit_url = choose_proxy(s, true, "c.example");
    REQUIRE_FALSE(explicit_url.has_value());
    CHECK(explicit_url.error().message.find("(from proxy.url)") != std::string::npos);

    // An exempt host never looks at the proxy URL (libcurl checks NO_PROXY first).
    s.no_proxy = "c.example";
    CHECK(chosen(s, true, "c.example") == std::nullopt);
}

TEST_CASE("base64 matches RFC 4648 test vectors", "[proxy]")
{
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
}
