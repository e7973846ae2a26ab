#include "core/request_builder.hpp"
#include "core/url_encoding.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>
#include <utility>
#include <vector>

using namespace vwo::core;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* sdk_key = "abcdef0123456789abcdef0123456789";
constexpr const char* user_1_uuid = "D8E56BFF89A75539B46C1FECD3C97D7C"; // account 123456, "user-1"

request_context make_context(std::string prefix = "", usage_stats usage = {})
{
    return request_context(std::move(prefix), "123456", sdk_key, "vwo-cpp-sdk", "1.2.3", usage);
}

system_time at_millis(long long ms)
{
    return system_time{std::chrono::milliseconds{ms}};
}

struct split_target {
    std::string path;
    std::vector<std::pair<std::string, std::string>> params; // decoded, in wire order
};

// Splits "path?a=1&b=2" and decodes each value once, as a server would.
split_target split(const std::string& target)
{
    split_target out;
    const auto question = target.find('?');
    REQUIRE(question != std::string::npos);
    out.path = target.substr(0, question);
    std::string_view query = std::string_view(target).substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        const auto eq = item.find('=');
        REQUIRE(eq != std::string_view::npos);
        const auto value = percent_decode(item.substr(eq + 1));
        REQUIRE(value.has_value());
        out.params.emplace_back(std::string(item.substr(0, eq)), *value);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return out;
}

std::vector<std::string> names(const split_target& t)
{
    std::vector<std::string> out;
    for (const auto& [name, value] : t.params) out.push_back(name);
    return out;
}

std::string param(const split_target& t, std::string_view name)
{
    for (const auto& [n, value] : t.params) {
        if (n == name) return value;
    }
    FAIL("no parameter " << name);
    return {};
}

// Every query byte is unreserved, a percent escape, or the '?', '&', '=' structure.
void check_strict_query(const std::string& target)
{
    const auto query = target.substr(target.find('?') + 1);
    for (const char c : query) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == '~' || c == '%' || c == '&' || c == '=';
        INFO("character '" << c << "' in " << query);
        CHECK(ok);
    }
}

} // namespace

TEST_CASE("time and random helpers", "[request]")
{
    CHECK(unix_millis(at_millis(1795445027123)) == 1795445027123);
    CHECK(ceil_seconds(at_millis(1795445027123)) == 1795445028);
    CHECK(ceil_seconds(at_millis(1795445027001)) == 1795445028);
    CHECK(ceil_seconds(at_millis(1795445028000)) == 1795445028); // exact seconds are not rounded up
    CHECK(ceil_seconds(at_millis(0)) == 0);
    // Sub-millisecond precision is dropped before rounding, as JavaScript only sees Date.now().
    CHECK(ceil_seconds(system_time{std::chrono::seconds{100}} + std::chrono::microseconds{500}) == 100);
    CHECK(unix_millis(system_time{std::chrono::seconds{100}} + std::chrono::microseconds{1500}) == 100001);

    CHECK(format_random(0.1777751051170493) == "0.1777751051170493");
    CHECK(format_random(0.5) == "0.5");
    CHECK(format_random(0.0) == "0");
    CHECK(format_random(0.0001) == "0.0001");    // JavaScript prints this in fixed notation too
    CHECK(format_random(0.1 + 0.2 - 0.3) == "0.00000000000000005551115123125783"); // never exponent form
    CHECK(std::stod(format_random(0.123456789012345678)) == 0.123456789012345678); // round-trips
    const std::string tiny = format_random(std::numeric_limits<double>::denorm_min());
    CHECK(tiny.size() == 326);
    CHECK(tiny.substr(0, 4) == "0.00");
    CHECK(tiny.back() == '5');
    CHECK(format_random(1.0) == "0");  // outside [0,1): replaced by a valid value
    CHECK(format_random(-0.5) == "0");
}

TEST_CASE("usage_stats::to_query order and omission", "[request]")
{
    CHECK(usage_stats{}.to_query().empty());

    usage_stats all;
    all.batch_events = true;
    all.integrations = true;
    all.user_storage = true;
    all.custom_logger = true;
    all.log_level = 4;
    CHECK(all.to_query() == "eb=1&ig=1&ss=1&cl=1&ll=4&_l=1");
    all.track_returning_user = true;
    all.goal_type_to_track = true;
    all.polling = true;
    CHECK(all.to_query() == "eb=1&ig=1&ss=1&cl=1&ll=4&tr=1&gt=1&pi=1&_l=1");

    usage_stats some;
    some.batch_events = true;
    some.custom_logger = true;
    some.log_level = 4;
    CHECK(some.to_query() == "eb=1&cl=1&ll=4&_l=1");

    usage_stats level_zero;
    level_zero.log_level = 0; // a level given by the user is sent even when it is 0
    CHECK(level_zero.to_query() == "ll=0&_l=1");

    usage_stats storage_only;
    storage_only.user_storage = true;
    CHECK(storage_only.to_query() == "ss=1&_l=1");
}

TEST_CASE("request_context renders usage once and derives the account namespace", "[request]")
{
    usage_stats usage;
    usage.integrations = true;
    const auto ctx = make_context("/eu01", usage);
    CHECK(ctx.usage_query == "ig=1&_l=1");
    CHECK(ctx.uuids("user-1") == user_1_uuid);
    CHECK(ctx.path_prefix == "/eu01");
}

TEST_CASE("push request: single key GET push matches the Node example", "[request]")
{
    const auto ctx = make_context();
    const auto request =
        build_push_get(ctx, {"browser", "chrome"}, "user-1", at_millis(1795445027412), 0.1777751051170493);

    CHECK(request.method == http_method::get);
    CHECK(request.body.empty());
    CHECK(request.authorization.empty());
    CHECK(request.content_type.empty());
    CHECK(request.user_agent == "vwo-cpp-sdk/1.2.3");

    // The exact wire text: Node's order, every value percent-encoded, no trailing '&'.
    CHECK(request.target ==
          "/server-side/push?sId=1795445028&u=D8E56BFF89A75539B46C1FECD3C97D7C&sdk=vwo-cpp-sdk&sdk-v=1.2.3"
          "&env=abcdef0123456789abcdef0123456789&account_id=123456&random=0.1777751051170493&ap=server"
          "&tags=%7B%22u%22%3A%7B%22browser%22%3A%22chrome%22%7D%7D");

    const auto t = split(request.target);
    CHECK(t.path == "/server-side/push");
    CHECK(names(t) ==
          std::vector<std::string>{"sId", "u", "sdk", "sdk-v", "env", "account_id", "random", "ap", "tags"});
    CHECK(param(t, "sId") == "1795445028");
    CHECK(param(t, "u") == user_1_uuid);
    CHECK(param(t, "sdk") == "vwo-cpp-sdk");
    CHECK(param(t, "sdk-v") == "1.2.3");
    CHECK(param(t, "env") == sdk_key);
    CHECK(param(t, "account_id") == "123456");
    CHECK(param(t, "random") == "0.1777751051170493");
    CHECK(param(t, "ap") == "server");
    CHECK(param(t, "tags") == R"({"u":{"browser":"chrome"}})");
}

TEST_CASE("push request: special characters decode to valid JSON with the exact strings", "[request]")
{
    const auto ctx = make_context();
    const dimension dim{"a b&c=d", "x/y \"z\" \xC3\xBC+%"};
    const auto request = build_push_get(ctx, dim, "user 1", at_millis(1795445027412), 0.25);
    check_strict_query(request.target);

    const auto t = split(request.target);
    CHECK(param(t, "u") == "67DBAFBF600B5C5F99DCD5CBBE8C0555");
    const std::string tags = param(t, "tags");
    CHECK(tags == "{\"u\":{\"a b&c=d\":\"x/y \\\"z\\\" \xC3\xBC+%\"}}");
    const auto parsed = json::parse(tags);
    REQUIRE(parsed.at("u").size() == 1);
    CHECK(parsed.at("u").at("a b&c=d").get<std::string>() == "x/y \"z\" \xC3\xBC+%");

    // '+' travels as %2B (a form decoder must not turn it into a space), space as %20.
    const auto tags_raw = request.target.substr(request.target.find("&tags=") + 6);
    CHECK(tags_raw.find('+') == std::string::npos);
    CHECK(tags_raw.find("%2B") != std::string::npos);
    CHECK(tags_raw.find("%20") != std::string::npos);
    CHECK(tags_raw ==
          "%7B%22u%22%3A%7B%22a%20b%26c%3Dd%22%3A%22x%2Fy%20%5C%22z%5C%22%20%C3%BC%2B%25%22%7D%7D");
}

TEST_CASE("push request: control characters and 4-byte characters stay valid JSON in tags", "[request]")
{
    const auto ctx = make_context();
    const dimension dim{"k\n\t\x01", "\xF0\x9F\x98\x80\\\""};
    const auto t = split(build_push_get(ctx, dim, "u", at_millis(1000), 0.5).target);
    const auto parsed = json::parse(param(t, "tags"));
    CHECK(parsed.at("u").at(dim.key).get<std::string>() == dim.value);
}

TEST_CASE("batch events: the element and request match the Node example", "[request]")
{
    const auto ctx = make_context();
    const auto now = at_millis(1795445028517);
    const std::vector<std::string> events{build_batch_event(ctx, {"browser", "chrome"}, "user-1", now),
                                          build_batch_event(ctx, {"price", "20"}, "user-1", now)};
    CHECK(events[0] == R"({"sId":1795445029,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":3,)"
                       R"("t":"%7B%22u%22%3A%7B%22browser%22%3A%22chrome%22%7D%7D"})");

    const auto request = build_batch_events_request(ctx, events);
    CHECK(request.method == http_method::post);
    CHECK(request.authorization == sdk_key);
    CHECK(request.content_type == "application/json");
    CHECK(request.user_agent == "vwo-cpp-sdk/1.2.3");
    CHECK(request.body ==
          R"({"ev":[{"sId":1795445029,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":3,"t":"%7B%22u%22%3A%7B%22browser%22%3A%22chrome%22%7D%7D"},)"
          R"({"sId":1795445029,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":3,"t":"%7B%22u%22%3A%7B%22price%22%3A%2220%22%7D%7D"}]})");

    const auto body = json::parse(request.body);
    REQUIRE(body.at("ev").size() == 2);
    CHECK(body["ev"][1]["sId"] == 1795445029);
    CHECK(body["ev"][1]["eT"] == 3);

    CHECK(request.target == "/server-side/batch-events?a=123456&sdk=vwo-cpp-sdk&sdk-v=1.2.3"
                            "&env=abcdef0123456789abcdef0123456789");
}

TEST_CASE("batch events: a 3-key map gives three events in map order", "[request]")
{
    const auto ctx = make_context();
    const auto now = at_millis(1700000000000);
    const dimensions dims{{"zeta", "1"}, {"alpha", "two words"}, {"mid", "\xC3\xBC\"+"}};
    std::vector<std::string> events;
    for (const auto& dim : dims) events.push_back(build_batch_event(ctx, dim, "user-2", now));
    const auto request = build_batch_events_request(ctx, events);

    const auto body = json::parse(request.body);
    REQUIRE(body.size() == 1);
    REQUIRE(body.at("ev").size() == 3);
    for (std::size_t i = 0; i < dims.size(); ++i) {
        const auto& event = body["ev"][i];
        CHECK(event.size() == 4);
        CHECK(event.at("sId") == 1700000000);
        CHECK(event.at("u") == "26249BAC74C55731BD5448046C947C96");
        CHECK(event.at("eT") == 3);
        // t is encodeURIComponent(JSON.stringify({u:{key:value}})).
        const auto decoded = percent_decode(event.at("t").get<std::string>());
        REQUIRE(decoded);
        const auto payload = json::parse(*decoded);
        CHECK(payload == json{{"u", {{dims[i].key, dims[i].value}}}});
    }
    CHECK(body["ev"][2]["t"] == "%7B%22u%22%3A%7B%22mid%22%3A%22%C3%BC%5C%22%2B%22%7D%7D");
}

TEST_CASE("batch events: usage stats sit between a= and sdk=", "[request]")
{
    usage_stats usage;
    usage.batch_events = true;
    usage.custom_logger = true;
    usage.log_level = 4;
    const auto ctx = make_context("", usage);
    const std::vector<std::string> events{build_batch_event(ctx, {"k", "v"}, "user-1", at_millis(1000))};
    const auto request = build_batch_events_request(ctx, events);
    CHECK(request.target == "/server-side/batch-events?a=123456&eb=1&cl=1&ll=4&_l=1&sdk=vwo-cpp-sdk&sdk-v=1.2.3"
                            "&env=abcdef0123456789abcdef0123456789");
    CHECK(names(split(request.target)) ==
          std::vector<std::string>{"a", "eb", "cl", "ll", "_l", "sdk", "sdk-v", "env"});
}

TEST_CASE("batch events: an empty event list is still a valid body", "[request]")
{
    const auto request = build_batch_events_request(make_context(), std::span<const std::string>{});
    CHECK(request.body == R"({"ev":[]})");
}

TEST_CASE("event architecture: the request", "[request]")
{
    const auto ctx = make_context();
    const auto now = at_millis(1795445027412);
    const dimensions dims{{"browser", "chrome"}, {"price", "20"}, {"a b", "x\"y\xC3\xBC"}};
    const auto request = build_event_arch_request(ctx, dims, "user-1", now, 0.42);

    CHECK(request.method == http_method::post);
    CHECK(request.user_agent == "vwo-cpp-sdk");
    CHECK(request.content_type == "application/json");
    CHECK(request.authorization.empty());

    CHECK(request.target == "/events/t?en=vwo_syncVisitorProp&a=123456&env=abcdef0123456789abcdef0123456789"
                            "&eTime=1795445027412&random=0.42&p=FS&visitor_ua=&visitor_ip=");
    const auto t = split(request.target);
    CHECK(t.path == "/events/t");
    CHECK(names(t) ==
          std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip"});

    const auto expected = ordered_json::parse(R"({"d":{
        "msgId":"D8E56BFF89A75539B46C1FECD3C97D7C-1795445027412",
        "visId":"D8E56BFF89A75539B46C1FECD3C97D7C",
        "sessionId":1795445028,
        "event":{"props":{"vwo_sdkName":"vwo-cpp-sdk","vwo_sdkVersion":"1.2.3",
                          "vwo_envKey":"abcdef0123456789abcdef0123456789","isCustomEvent":true},
                 "name":"vwo_syncVisitorProp","time":1795445027412},
        "visitor":{"props":{"vwo_fs_environment":"abcdef0123456789abcdef0123456789",
                            "browser":"chrome","price":"20","a b":"x\"y\u00fc"}}}})");
    // ordered_json compares member order too, so this checks Node's property order.
    CHECK(ordered_json::parse(request.body) == expected);
    // No whitespace, no escapes beyond JSON.stringify's: the compact dump is byte-identical.
    CHECK(request.body == expected.dump());
}

TEST_CASE("event architecture: a dimension named vwo_fs_environment replaces the value in place, as in Node", "[request]")
{
    const auto ctx = make_context();
    const dimensions dims{{"first", "1"}, {"vwo_fs_environment", "mine"}};
    const auto body = ordered_json::parse(build_event_arch_request(ctx, dims, "user-1", at_millis(1000), 0.1).body);
    const auto& props = body["d"]["visitor"]["props"];
    REQUIRE(props.size() == 2);
    CHECK(props.begin().key() == "vwo_fs_environment");
    CHECK(props["vwo_fs_environment"] == "mine");
    CHECK(props["first"] == "1");
}

TEST_CASE("collectionPrefix and endpoint base path prefix every path", "[request]")
{
    const auto ctx = make_context("/base/eu01");
    const auto now = at_millis(1000);
    CHECK(split(build_push_get(ctx, {"k", "v"}, "u", now, 0.1).target).path == "/base/eu01/server-side/push");
    const std::vector<std::string> events{build_batch_event(ctx, {"k", "v"}, "u", now)};
    CHECK(split(build_batch_events_request(ctx, events).target).path == "/base/eu01/server-side/batch-events");
    CHECK(split(build_event_arch_request(ctx, {{"k", "v"}}, "u", now, 0.1).target).path == "/base/eu01/events/t");
}

TEST_CASE("settings request: the target", "[request]")
{
    const auto target =
        build_settings_target("", "123456", sdk_key, 0.5, "vwo-cpp-sdk", "1.2.3");
    CHECK(target == "/server-side/settings?a=123456&i=abcdef0123456789abcdef0123456789&r=0.5&platform=server"
                    "&sdk=vwo-cpp-sdk&sdk-v=1.2.3");
    const auto prefixed = build_settings_target("/proxy", "1", "k+y", 0.25, "vwo-cpp-sdk", "1.0.0-rc.1");
    CHECK(prefixed == "/proxy/server-side/settings?a=1&i=k%2By&r=0.25&platform=server&sdk=vwo-cpp-sdk"
                      "&sdk-v=1.0.0-rc.1");
}
