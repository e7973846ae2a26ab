#include "core/decision_requests.hpp"
#include "core/url_encoding.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace vwo::core;
using vwo::core::decision::attribute_value;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* sdk_key = "abcdef0123456789abcdef0123456789";
constexpr const char* user_1_uuid = "D8E56BFF89A75539B46C1FECD3C97D7C"; // account 123456, "user-1"
constexpr long long now_ms = 1795445027412;                               // ceil-s 1795445028

// A user agent and IP as recorded from Node, and their encodeURIComponent forms
// (docs/protocol.md#visitor-user-agent-and-ip).
const std::string obs_ua = "Mozilla/5.0 (Windows NT 10.0) \xC3\xA9&x=1";
const std::string obs_ua_encoded = "Mozilla%2F5.0%20(Windows%20NT%2010.0)%20%C3%A9%26x%3D1";
const std::string obs_ip = "2001:db8::1";
const std::string obs_ip_encoded = "2001%3Adb8%3A%3A1";

request_context make_context(std::string prefix = "", usage_stats usage = {}, std::string account = "123456")
{
    return request_context(std::move(prefix), std::move(account), sdk_key, "vwo-cpp-sdk", "1.2.3", usage);
}

usage_stats integrations_usage()
{
    usage_stats usage;
    usage.integrations = true;
    return usage;
}

system_time at_millis(long long ms)
{
    return system_time{std::chrono::milliseconds{ms}};
}

wire_id number_id(std::string text)
{
    return wire_id{std::move(text), false};
}

wire_id string_id(std::string text)
{
    return wire_id{std::move(text), true};
}

goal_conversion conversion(wire_id campaign, wire_id variation, wire_id goal_id,
                           std::optional<attribute_value> revenue = std::nullopt,
                           std::optional<std::string> revenue_prop = std::nullopt)
{
    goal_conversion out;
    out.campaign_id = std::move(campaign);
    out.variation_id = std::move(variation);
    out.goal_id = std::move(goal_id);
    out.revenue = std::move(revenue);
    out.revenue_prop = std::move(revenue_prop);
    return out;
}

goal_event single_goal(std::optional<attribute_value> revenue = std::nullopt)
{
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(conversion(number_id("101"), number_id("2"), number_id("203"), revenue));
    goal.revenue = std::move(revenue);
    return goal;
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
    REQUIRE(!query.empty());
    REQUIRE(query.back() != '&');
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

// The raw (still encoded) text of one parameter.
std::string raw_param(const std::string& target, std::string_view name)
{
    std::string needle;
    needle += name;
    needle += '=';
    const auto question = target.find('?');
    std::size_t pos = question + 1;
    while (pos < target.size()) {
        const auto amp = target.find('&', pos);
        const auto end = amp == std::string::npos ? target.size() : amp;
        if (target.compare(pos, needle.size(), needle) == 0) {
            return target.substr(pos + needle.size(), end - pos - needle.size());
        }
        pos = end + 1;
    }
    FAIL("no parameter " << name);
    return {};
}

// Every query byte is unreserved, a percent escape, or the '&', '=' structure.
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

std::string json_text(const attribute_value& value)
{
    std::string out;
    append_attribute_json(out, value);
    return out;
}

std::string impression_event(const request_context& ctx, const impression& shown, const visitor_info& visitor,
                             std::string_view user = "user-1")
{
    std::string out;
    append_impression_batch_event(out, ctx, shown, user, visitor, at_millis(now_ms));
    return out;
}

std::string goal_batch_event(const request_context& ctx, const goal_event& goal, std::size_t index,
                             const visitor_info& visitor = {})
{
    std::string out;
    append_goal_batch_event(out, ctx, goal, index, "user-1", visitor, at_millis(now_ms));
    return out;
}

// The event.props object of a goal events/t body, as text.
std::string goal_props(const wire_request& request)
{
    const std::string& body = request.body;
    const std::string open = R"("event":{"props":)";
    const auto start = body.find(open);
    REQUIRE(start != std::string::npos);
    const auto end = body.find(R"(,"name":)", start);
    REQUIRE(end != std::string::npos);
    return body.substr(start + open.size(), end - start - open.size());
}

std::string body_head(const std::string& uuid = user_1_uuid)
{
    std::string out = R"({"d":{"msgId":")";
    out += uuid;
    out += R"(-1795445027412","visId":")";
    out += uuid;
    out += R"(","sessionId":1795445028,"event":{"props":)";
    return out;
}

std::string body_tail(const std::string& name_json)
{
    std::string out = R"(,"name":)";
    out += name_json;
    out += R"(,"time":1795445027412},"visitor":{"props":{"vwo_fs_environment":"abcdef0123456789abcdef0123456789"}}}})";
    return out;
}

constexpr const char* sdk_props =
    R"("vwo_sdkName":"vwo-cpp-sdk","vwo_sdkVersion":"1.2.3","vwo_envKey":"abcdef0123456789abcdef0123456789")";

} // namespace

// ---- attribute values ---------------------------------------------------------------------------

TEST_CASE("attribute_text is JavaScript String(value)", "[decision_requests]")
{
    CHECK(attribute_text(attribute_value{std::string("12.50")}) == "12.50");
    CHECK(attribute_text(attribute_value{std::string("a b \xC3\xBC")}) == "a b \xC3\xBC");
    CHECK(attribute_text(attribute_value{std::string()}).empty());
    CHECK(attribute_text(attribute_value{std::int64_t{0}}) == "0");
    CHECK(attribute_text(attribute_value{std::int64_t{-25}}) == "-25");
    CHECK(attribute_text(attribute_value{std::numeric_limits<std::int64_t>::max()}) == "9223372036854775807");
    CHECK(attribute_text(attribute_value{std::numeric_limits<std::int64_t>::min()}) == "-9223372036854775808");
    CHECK(attribute_text(attribute_value{49.5}) == "49.5");
    CHECK(attribute_text(attribute_value{12.5}) == "12.5");
    CHECK(attribute_text(attribute_value{25.0}) == "25");
    CHECK(attribute_text(attribute_value{0.0}) == "0");
    CHECK(attribute_text(attribute_value{-0.0}) == "0");
    CHECK(attribute_text(attribute_value{0.1 + 0.2}) == "0.30000000000000004");
    CHECK(attribute_text(attribute_value{1e21}) == "1e+21");
    CHECK(attribute_text(attribute_value{1e-7}) == "1e-7");
    CHECK(attribute_text(attribute_value{std::numeric_limits<double>::quiet_NaN()}) == "NaN");
    CHECK(attribute_text(attribute_value{std::numeric_limits<double>::infinity()}) == "Infinity");
    CHECK(attribute_text(attribute_value{-std::numeric_limits<double>::infinity()}) == "-Infinity");
    CHECK(attribute_text(attribute_value{true}) == "true");
    CHECK(attribute_text(attribute_value{false}) == "false");
}

TEST_CASE("append_attribute_json is JSON.stringify(value)", "[decision_requests]")
{
    CHECK(json_text(attribute_value{std::string("12.50")}) == R"("12.50")");
    CHECK(json_text(attribute_value{std::string("q\"b\\n\n\x01/\xC3\xBC")}) == R"("q\"b\\n\n\u0001/)"
                                                                               "\xC3\xBC\"");
    CHECK(json_text(attribute_value{std::int64_t{0}}) == "0");
    CHECK(json_text(attribute_value{std::int64_t{-7}}) == "-7");
    CHECK(json_text(attribute_value{9.5}) == "9.5");
    CHECK(json_text(attribute_value{0.0}) == "0");
    CHECK(json_text(attribute_value{-0.0}) == "0");
    CHECK(json_text(attribute_value{1e21}) == "1e+21");
    CHECK(json_text(attribute_value{std::numeric_limits<double>::quiet_NaN()}) == "null");
    CHECK(json_text(attribute_value{std::numeric_limits<double>::infinity()}) == "null");
    CHECK(json_text(attribute_value{-std::numeric_limits<double>::infinity()}) == "null");
    CHECK(json_text(attribute_value{true}) == "true");
    CHECK(json_text(attribute_value{false}) == "false");

    // It appends: what is already there stays.
    std::string out = "[1,";
    append_attribute_json(out, attribute_value{std::string("x")});
    CHECK(out == R"([1,"x")");

    // Every form parses back as the same JSON value.
    CHECK(json::parse(json_text(attribute_value{1e-7})).get<double>() == 1e-7);
    CHECK(json::parse(json_text(attribute_value{0.1 + 0.2})).get<double>() == 0.1 + 0.2);
}

// ---- track-user GET ------------------------------------------------------------------------------

TEST_CASE("track-user GET matches the Node example with our encoding", "[decision_requests]")
{
    const auto ctx = make_context();
    const impression shown{number_id("101"), number_id("1")};
    const auto request = build_track_user_get(ctx, shown, "user-1", {}, at_millis(now_ms), 0.799675145957838);

    CHECK(request.method == http_method::get);
    CHECK(request.body.empty());
    CHECK(request.authorization.empty());
    CHECK(request.content_type.empty());
    CHECK(request.user_agent == "vwo-cpp-sdk/1.2.3");
    CHECK(request.device_user_agent.empty());
    CHECK(request.forwarded_for.empty());

    CHECK(request.target ==
          "/server-side/track-user?experiment_id=101&combination=1&visitor_ua=&visitor_ip=&sId=1795445028"
          "&u=D8E56BFF89A75539B46C1FECD3C97D7C&sdk=vwo-cpp-sdk&sdk-v=1.2.3&env=abcdef0123456789abcdef0123456789"
          "&account_id=123456&random=0.799675145957838&ap=server&ed=%7B%22p%22%3A%22server%22%7D");

    const auto t = split(request.target);
    CHECK(t.path == "/server-side/track-user");
    CHECK(names(t) == std::vector<std::string>{"experiment_id", "combination", "visitor_ua", "visitor_ip", "sId", "u",
                                               "sdk", "sdk-v", "env", "account_id", "random", "ap", "ed"});
    CHECK(param(t, "visitor_ua").empty());
    CHECK(param(t, "visitor_ip").empty());
    CHECK(param(t, "ed") == R"({"p":"server"})");
    check_strict_query(request.target);
}

TEST_CASE("track-user GET puts usage stats between ap and ed", "[decision_requests]")
{
    usage_stats usage;
    usage.integrations = true;
    usage.user_storage = true;
    usage.custom_logger = true;
    usage.log_level = 4;
    const auto ctx = make_context("", usage, "60781");
    const auto request =
        build_track_user_get(ctx, {number_id("101"), number_id("1")}, "Ashley", {}, at_millis(now_ms), 0.5);
    CHECK(request.target ==
          "/server-side/track-user?experiment_id=101&combination=1&visitor_ua=&visitor_ip=&sId=1795445028"
          "&u=C13C4BA1CB0C53CDB32B51AF403B3352&sdk=vwo-cpp-sdk&sdk-v=1.2.3&env=abcdef0123456789abcdef0123456789"
          "&account_id=60781&random=0.5&ap=server&ig=1&ss=1&cl=1&ll=4&_l=1&ed=%7B%22p%22%3A%22server%22%7D");
    CHECK(names(split(request.target)) ==
          std::vector<std::string>{"experiment_id", "combination", "visitor_ua", "visitor_ip", "sId", "u", "sdk",
                                   "sdk-v", "env", "account_id", "random", "ap", "ig", "ss", "cl", "ll", "_l", "ed"});
}

TEST_CASE("track-user GET prints string and numeric ids the same way", "[decision_requests]")
{
    const auto ctx = make_context();
    const auto numeric =
        build_track_user_get(ctx, {number_id("101"), number_id("2")}, "user-1", {}, at_millis(now_ms), 0.5);
    const auto text =
        build_track_user_get(ctx, {string_id("101"), string_id("2")}, "user-1", {}, at_millis(now_ms), 0.5);
    CHECK(numeric.target == text.target);
    CHECK(param(split(text.target), "combination") == "2");

    // A string id with reserved characters is percent-encoded and decodes back to itself.
    const auto odd =
        build_track_user_get(ctx, {string_id("a&b=c"), string_id("v 1")}, "user-1", {}, at_millis(now_ms), 0.5);
    check_strict_query(odd.target);
    const auto t = split(odd.target);
    CHECK(param(t, "experiment_id") == "a&b=c");
    CHECK(param(t, "combination") == "v 1");
}

TEST_CASE("track-user GET carries the visitor UA and IP in the query and the device headers", "[decision_requests]")
{
    const auto ctx = make_context();
    const auto request = build_track_user_get(ctx, {number_id("101"), number_id("1")}, "user-1", {obs_ua, obs_ip},
                                              at_millis(now_ms), 0.5);
    check_strict_query(request.target);
    const auto t = split(request.target);
    // One standard decoding gives the raw values back.
    CHECK(param(t, "visitor_ua") == obs_ua);
    CHECK(param(t, "visitor_ip") == obs_ip);
    CHECK(raw_param(request.target, "visitor_ua") == "Mozilla%2F5.0%20%28Windows%20NT%2010.0%29%20%C3%A9%26x%3D1");
    CHECK(raw_param(request.target, "visitor_ip") == "2001%3Adb8%3A%3A1");
    // The headers carry encodeURIComponent of the value, as Node sends them
    // (docs/protocol.md#visitor-user-agent-and-ip).
    CHECK(request.device_user_agent == obs_ua_encoded);
    CHECK(request.forwarded_for == obs_ip_encoded);
    CHECK(names(t)[2] == "visitor_ua");
    CHECK(names(t)[3] == "visitor_ip");
}

TEST_CASE("track-user GET sends only the device headers it has a value for", "[decision_requests]")
{
    const auto ctx = make_context();
    const impression shown{number_id("101"), number_id("1")};
    const auto ua_only = build_track_user_get(ctx, shown, "user-1", {"UA B", ""}, at_millis(now_ms), 0.5);
    CHECK(ua_only.device_user_agent == "UA%20B");
    CHECK(ua_only.forwarded_for.empty());
    CHECK(param(split(ua_only.target), "visitor_ip").empty());

    const auto ip_only = build_track_user_get(ctx, shown, "user-1", {"", "198.51.100.23"}, at_millis(now_ms), 0.5);
    CHECK(ip_only.device_user_agent.empty());
    CHECK(ip_only.forwarded_for == "198.51.100.23");
    CHECK(param(split(ip_only.target), "visitor_ua").empty());
    CHECK(param(split(ip_only.target), "visitor_ip") == "198.51.100.23");
}

// ---- impression batch event ---------------------------------------------------------------------

TEST_CASE("impression batch event has the eT 1 shape", "[decision_requests]")
{
    const auto ctx = make_context();
    const std::string event = impression_event(ctx, {number_id("101"), number_id("1")}, {});
    CHECK(event == R"({"e":101,"c":1,"sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":1,)"
                   R"("visitor_ua":"","visitor_ip":""})");
    const auto parsed = ordered_json::parse(event);
    CHECK(parsed.size() == 7);
    CHECK(parsed.at("e").is_number_integer());
}

TEST_CASE("impression batch event keeps string ids as JSON strings", "[decision_requests]")
{
    const auto ctx = make_context();
    const std::string event = impression_event(ctx, {string_id("101"), string_id("x\"1")}, {});
    CHECK(event == R"({"e":"101","c":"x\"1","sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":1,)"
                   R"("visitor_ua":"","visitor_ip":""})");
    const auto parsed = json::parse(event);
    CHECK(parsed.at("e") == "101");
    CHECK(parsed.at("c") == "x\"1");
}

TEST_CASE("impression batch event carries UA and IP raw and JSON-escaped", "[decision_requests]")
{
    const auto ctx = make_context();
    const visitor_info visitor{"UA \"quoted\" \\ \xC3\xA9\t/", obs_ip};
    std::string out = "[";
    append_impression_batch_event(out, ctx, {number_id("7"), number_id("3")}, "user-1", visitor, at_millis(now_ms));
    CHECK(out == R"([{"e":7,"c":3,"sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":1,)"
                 R"("visitor_ua":"UA \"quoted\" \\ )"
                 "\xC3\xA9"
                 R"(\t/","visitor_ip":"2001:db8::1"})");
    const auto parsed = json::parse(out.substr(1));
    CHECK(parsed.at("visitor_ua") == visitor.user_agent);
    CHECK(parsed.at("visitor_ip") == visitor.ip_address);
}

// ---- events/t variationShown -----------------------------------------------------------------

TEST_CASE("variationShown events/t request", "[decision_requests]")
{
    const auto ctx = make_context();
    const auto request = build_variation_shown_request(ctx, {number_id("101"), number_id("2")}, "user-1", {},
                                                       at_millis(now_ms), 0.42);
    CHECK(request.method == http_method::post);
    CHECK(request.user_agent == "vwo-cpp-sdk");
    CHECK(request.content_type == "application/json");
    CHECK(request.authorization.empty());
    CHECK(request.device_user_agent.empty());
    CHECK(request.forwarded_for.empty());

    CHECK(request.target == "/events/t?en=vwo_variationShown&a=123456&env=abcdef0123456789abcdef0123456789"
                            "&eTime=1795445027412&random=0.42&p=FS&visitor_ua=&visitor_ip=");
    CHECK(names(split(request.target)) ==
          std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip"});

    CHECK(request.body ==
          R"({"d":{"msgId":"D8E56BFF89A75539B46C1FECD3C97D7C-1795445027412",)"
          R"("visId":"D8E56BFF89A75539B46C1FECD3C97D7C",)"
          R"("sessionId":1795445028,"event":{"props":{"vwo_sdkName":"vwo-cpp-sdk","vwo_sdkVersion":"1.2.3",)"
          R"("vwo_envKey":"abcdef0123456789abcdef0123456789","id":101,"variation":2,"isFirst":1},)"
          R"("name":"vwo_variationShown","time":1795445027412},)"
          R"("visitor":{"props":{"vwo_fs_environment":"abcdef0123456789abcdef0123456789"}}}})");
    // Compact, byte-identical to a JSON.stringify of the same object.
    CHECK(ordered_json::parse(request.body).dump() == request.body);
}

TEST_CASE("variationShown events/t carries usage stats string ids and device headers", "[decision_requests]")
{
    const auto ctx = make_context("/eu01", integrations_usage());
    const auto request = build_variation_shown_request(ctx, {string_id("101"), string_id("2")}, "user-1",
                                                       {obs_ua, obs_ip}, at_millis(now_ms), 0.25);
    check_strict_query(request.target);
    const auto t = split(request.target);
    CHECK(t.path == "/eu01/events/t");
    CHECK(names(t) == std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip",
                                               "ig", "_l"});
    CHECK(request.target.substr(request.target.find("&ig=")) == "&ig=1&_l=1");
    CHECK(param(t, "visitor_ua") == obs_ua);
    CHECK(param(t, "visitor_ip") == obs_ip);
    CHECK(request.device_user_agent == obs_ua_encoded);
    CHECK(request.forwarded_for == obs_ip_encoded);

    const auto body = ordered_json::parse(request.body);
    const auto& props = body["d"]["event"]["props"];
    CHECK(props.at("id") == "101");
    CHECK(props.at("variation") == "2");
    CHECK(request.body.find(R"("id":"101","variation":"2","isFirst":1})") != std::string::npos);
}

// ---- track-goal GET ------------------------------------------------------------------------------

TEST_CASE("track-goal GET order without revenue", "[decision_requests]")
{
    // Usage stats are configured but never go on track-goal.
    const auto ctx = make_context("", integrations_usage());
    const auto request = build_track_goal_get(ctx, single_goal(), "user-1", {}, at_millis(now_ms), 0.5);
    CHECK(request.method == http_method::get);
    CHECK(request.body.empty());
    CHECK(request.authorization.empty());
    CHECK(request.content_type.empty());
    CHECK(request.user_agent == "vwo-cpp-sdk/1.2.3");
    CHECK(request.device_user_agent.empty());
    CHECK(request.forwarded_for.empty());
    CHECK(request.target ==
          "/server-side/track-goal?experiment_id=101&combination=2&sId=1795445028&u=D8E56BFF89A75539B46C1FECD3C97D7C"
          "&sdk=vwo-cpp-sdk&sdk-v=1.2.3&env=abcdef0123456789abcdef0123456789&account_id=123456&random=0.5&ap=server"
          "&visitor_ua=&visitor_ip=&goal_id=203");
    CHECK(names(split(request.target)) ==
          std::vector<std::string>{"experiment_id", "combination", "sId", "u", "sdk", "sdk-v", "env", "account_id",
                                   "random", "ap", "visitor_ua", "visitor_ip", "goal_id"});
}

TEST_CASE("track-goal GET sends r as String(revenue) including zero", "[decision_requests]")
{
    const auto ctx = make_context();
    const auto r_of = [&ctx](attribute_value revenue) {
        const auto request = build_track_goal_get(ctx, single_goal(revenue), "user-1", {}, at_millis(now_ms), 0.5);
        const auto t = split(request.target);
        REQUIRE(names(t).back() == "r");
        CHECK(names(t)[names(t).size() - 2] == "goal_id");
        check_strict_query(request.target);
        return param(t, "r");
    };
    CHECK(r_of(attribute_value{49.5}) == "49.5");
    CHECK(r_of(attribute_value{std::string("12.50")}) == "12.50");
    CHECK(r_of(attribute_value{1e21}) == "1e+21");
    CHECK(r_of(attribute_value{std::int64_t{0}}) == "0"); // 0 is a revenue (docs/decisions.md#revenue)
    CHECK(r_of(attribute_value{0.0}) == "0");
    CHECK(r_of(attribute_value{std::int64_t{25}}) == "25");
    CHECK(r_of(attribute_value{true}) == "true");
    // A value Node could not send at all is percent-encoded here.
    CHECK(r_of(attribute_value{std::string("a b+\xC3\xBC")}) == "a b+\xC3\xBC");
    const auto request = build_track_goal_get(ctx, single_goal(attribute_value{std::string("a b+")}), "user-1", {},
                                              at_millis(now_ms), 0.5);
    CHECK(raw_param(request.target, "r") == "a%20b%2B");
}

TEST_CASE("track-goal GET uses the first campaign and its own revenue", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(conversion(string_id("c1"), string_id("v1"), string_id("g1")));
    goal.campaigns.push_back(conversion(number_id("2"), number_id("3"), number_id("4"), attribute_value{5.5}));
    // goal.revenue alone does not add r: only the campaign's revenue (a revenue goal) does.
    goal.revenue = attribute_value{5.5};
    const auto t = split(build_track_goal_get(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5).target);
    CHECK(param(t, "experiment_id") == "c1");
    CHECK(param(t, "combination") == "v1");
    CHECK(param(t, "goal_id") == "g1");
    CHECK(names(t).back() == "goal_id");

    goal_event empty;
    CHECK_THROWS_AS(build_track_goal_get(ctx, empty, "user-1", {}, at_millis(now_ms), 0.5), std::out_of_range);
}

TEST_CASE("track-goal GET carries UA and IP after ap and in the headers", "[decision_requests]")
{
    const auto ctx = make_context("/eu01");
    const auto request =
        build_track_goal_get(ctx, single_goal(attribute_value{9.5}), "user-1", {obs_ua, obs_ip}, at_millis(now_ms),
                             0.5);
    check_strict_query(request.target);
    const auto t = split(request.target);
    CHECK(t.path == "/eu01/server-side/track-goal");
    CHECK(names(t)[10] == "visitor_ua");
    CHECK(names(t)[11] == "visitor_ip");
    CHECK(param(t, "visitor_ua") == obs_ua);
    CHECK(param(t, "visitor_ip") == obs_ip);
    CHECK(param(t, "r") == "9.5");
    CHECK(request.device_user_agent == obs_ua_encoded);
    CHECK(request.forwarded_for == obs_ip_encoded);
}

// ---- goal batch event -----------------------------------------------------------------------------

TEST_CASE("goal batch event has the eT 2 shape", "[decision_requests]")
{
    const auto ctx = make_context();
    CHECK(goal_batch_event(ctx, single_goal(), 0) ==
          R"({"e":101,"c":2,"sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":2,)"
          R"("visitor_ua":"","visitor_ip":"","g":203})");
    CHECK(goal_batch_event(ctx, single_goal(attribute_value{9.5}), 0) ==
          R"({"e":101,"c":2,"sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":2,)"
          R"("visitor_ua":"","visitor_ip":"","g":203,"r":9.5})");
}

TEST_CASE("goal batch event revenue keeps its JSON type and zero is sent", "[decision_requests]")
{
    const auto ctx = make_context();
    const auto r_of = [&ctx](attribute_value revenue) {
        const std::string event = goal_batch_event(ctx, single_goal(std::move(revenue)), 0);
        const auto start = event.find(R"(,"r":)");
        REQUIRE(start != std::string::npos);
        CHECK(event.back() == '}');
        CHECK_NOTHROW(json::parse(event));
        return event.substr(start + 5, event.size() - start - 6);
    };
    CHECK(r_of(attribute_value{std::int64_t{0}}) == "0");
    CHECK(r_of(attribute_value{0.0}) == "0");
    CHECK(r_of(attribute_value{std::string("12.50")}) == R"("12.50")");
    CHECK(r_of(attribute_value{std::string("abc")}) == R"("abc")");
    CHECK(r_of(attribute_value{std::int64_t{25}}) == "25");
    CHECK(r_of(attribute_value{false}) == "false");
    CHECK(r_of(attribute_value{std::numeric_limits<double>::quiet_NaN()}) == "null");
}

TEST_CASE("goal batch event uses the indexed campaign with UA and IP in their own fields", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(conversion(number_id("601"), number_id("1"), number_id("602"), attribute_value{9.5}));
    goal.campaigns.push_back(conversion(string_id("603"), string_id("2"), string_id("621")));
    const visitor_info visitor{"UA \"B\"", "198.51.100.23"};

    CHECK(goal_batch_event(ctx, goal, 1, visitor) ==
          R"({"e":"603","c":"2","sId":1795445028,"u":"D8E56BFF89A75539B46C1FECD3C97D7C","eT":2,)"
          R"("visitor_ua":"UA \"B\"","visitor_ip":"198.51.100.23","g":"621"})");
    const auto first = json::parse(goal_batch_event(ctx, goal, 0, visitor));
    CHECK(first.at("e") == 601);
    CHECK(first.at("g") == 602);
    CHECK(first.at("r") == 9.5);
    CHECK(first.at("visitor_ua") == "UA \"B\"");
    CHECK(first.at("visitor_ip") == "198.51.100.23");

    std::string out = "kept";
    CHECK_THROWS_AS(append_goal_batch_event(out, ctx, goal, 2, "user-1", visitor, at_millis(now_ms)),
                    std::out_of_range);
    CHECK(out == "kept");
}

TEST_CASE("goal and impression batch events fit a batch-events body", "[decision_requests]")
{
    const auto ctx = make_context();
    const visitor_info visitor{obs_ua, obs_ip};
    std::vector<std::string> events;
    events.push_back(impression_event(ctx, {number_id("101"), number_id("1")}, visitor));
    events.push_back(goal_batch_event(ctx, single_goal(attribute_value{std::int64_t{0}}), 0, visitor));
    const auto request = build_batch_events_request(ctx, events);
    const auto body = json::parse(request.body);
    REQUIRE(body.at("ev").size() == 2);
    CHECK(body["ev"][0].at("eT") == 1);
    CHECK(body["ev"][1].at("eT") == 2);
    CHECK(body["ev"][1].at("r") == 0);
    CHECK(body["ev"][1].at("visitor_ua") == obs_ua);
}

// ---- goal events/t ---------------------------------------------------------------------------------

TEST_CASE("goal events/t request for one campaign", "[decision_requests]")
{
    // Usage stats are configured but never go on goal events.
    const auto ctx = make_context("", integrations_usage());
    const auto request = build_goal_event_request(ctx, single_goal(), "user-1", {}, at_millis(now_ms), 0.42);
    CHECK(request.method == http_method::post);
    CHECK(request.user_agent == "vwo-cpp-sdk");
    CHECK(request.content_type == "application/json");
    CHECK(request.authorization.empty());
    CHECK(request.device_user_agent.empty());
    CHECK(request.forwarded_for.empty());

    CHECK(request.target == "/events/t?en=purchase&a=123456&env=abcdef0123456789abcdef0123456789"
                            "&eTime=1795445027412&random=0.42&p=FS&visitor_ua=&visitor_ip=");
    CHECK(request.body ==
          R"({"d":{"msgId":"D8E56BFF89A75539B46C1FECD3C97D7C-1795445027412",)"
          R"("visId":"D8E56BFF89A75539B46C1FECD3C97D7C",)"
          R"("sessionId":1795445028,"event":{"props":{"vwo_sdkName":"vwo-cpp-sdk","vwo_sdkVersion":"1.2.3",)"
          R"("vwo_envKey":"abcdef0123456789abcdef0123456789","vwoMeta":{"metric":{"id_101":["g_203"]}},)"
          R"("isCustomEvent":true},"name":"purchase","time":1795445027412},)"
          R"("visitor":{"props":{"vwo_fs_environment":"abcdef0123456789abcdef0123456789"}}}})");
    CHECK(ordered_json::parse(request.body).dump() == request.body);
}

TEST_CASE("goal events/t encodes a goal identifier with a space and non-ASCII", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal = single_goal();
    goal.goal_identifier = "add to cart";
    const auto spaced = build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5);
    CHECK(raw_param(spaced.target, "en") == "add%20to%20cart");
    CHECK(param(split(spaced.target), "en") == "add to cart");
    CHECK(spaced.body.find(R"("name":"add to cart")") != std::string::npos);

    goal.goal_identifier = "a\xC3\xB1" "adir \"\xE7\x94\xA8\"&x";
    const auto unicode = build_goal_event_request(ctx, goal, "user-1", {obs_ua, obs_ip}, at_millis(now_ms), 0.5);
    check_strict_query(unicode.target);
    CHECK(raw_param(unicode.target, "en") == "a%C3%B1adir%20%22%E7%94%A8%22%26x");
    const auto t = split(unicode.target);
    CHECK(names(t) == std::vector<std::string>{"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip"});
    CHECK(param(t, "en") == goal.goal_identifier);
    CHECK(param(t, "visitor_ua") == obs_ua);
    CHECK(param(t, "visitor_ip") == obs_ip);
    CHECK(unicode.device_user_agent == obs_ua_encoded);
    CHECK(unicode.forwarded_for == obs_ip_encoded);
    const auto body = json::parse(unicode.body);
    CHECK(body["d"]["event"]["name"] == goal.goal_identifier);
}

TEST_CASE("goal events/t vwoMeta lists every campaign and each revenue prop once", "[decision_requests]")
{
    const auto ctx = make_context("/eu01");
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(
        conversion(number_id("601"), number_id("1"), number_id("602"), attribute_value{9.5}, "amount"));
    goal.campaigns.push_back(conversion(string_id("603"), number_id("2"), string_id("621"), std::nullopt, "amount"));
    goal.campaigns.push_back(conversion(number_id("605"), number_id("1"), number_id("630"), std::nullopt, "order"));
    goal.campaigns.push_back(conversion(number_id("607"), number_id("1"), number_id("640")));
    goal.revenue = attribute_value{9.5};
    goal.event_properties["sku"] = std::string("A-1");
    goal.event_properties["amount"] = 7.25;

    const auto request = build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5);
    CHECK(split(request.target).path == "/eu01/events/t");
    std::string expected = "{";
    expected += sdk_props;
    expected += R"(,"vwoMeta":{"metric":{"id_601":["g_602"],"id_603":["g_621"],"id_605":["g_630"],)"
                R"("id_607":["g_640"]},"amount":9.5,"order":9.5},"isCustomEvent":true,"amount":7.25,"sku":"A-1"})";
    CHECK(goal_props(request) == expected);
    CHECK(request.body == body_head() + expected + body_tail(R"("purchase")"));
    CHECK(ordered_json::parse(request.body).dump() == request.body);
}

TEST_CASE("goal events/t revenue props need the call revenue and zero counts", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(conversion(number_id("601"), number_id("1"), number_id("602"), std::nullopt, "amount"));

    // No revenue value: the prop is not added (event architecture without revenue_value).
    CHECK(goal_props(build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5)).find("\"amount\"") ==
          std::string::npos);

    const auto meta_of = [&](attribute_value revenue) {
        goal.revenue = std::move(revenue);
        const auto request = build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5);
        return ordered_json::parse(request.body)["d"]["event"]["props"]["vwoMeta"];
    };
    const auto int_zero = meta_of(attribute_value{std::int64_t{0}});
    CHECK(int_zero.at("amount") == 0);
    CHECK(int_zero.at("amount").is_number_integer());
    CHECK(meta_of(attribute_value{0.0}).at("amount") == 0);
    CHECK(meta_of(attribute_value{std::string("12.50")}).at("amount") == "12.50");
    CHECK(meta_of(attribute_value{std::int64_t{25}}).dump() == R"({"metric":{"id_601":["g_602"]},"amount":25})");
}

TEST_CASE("goal events/t string ids stay strings inside the metric names", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal;
    goal.goal_identifier = "signup";
    goal.campaigns.push_back(conversion(string_id("c\"1"), string_id("v"), string_id("g 1")));
    const auto props = goal_props(build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5));
    CHECK(props.find(R"("vwoMeta":{"metric":{"id_c\"1":["g_g 1"]}})") != std::string::npos);
    CHECK(json::parse(props).at("vwoMeta").at("metric").at("id_c\"1") == json::array({"g_g 1"}));
}

TEST_CASE("goal events/t copies event properties in map order after isCustomEvent", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal = single_goal();
    goal.event_properties["zeta"] = std::int64_t{3};
    goal.event_properties["alpha"] = std::string("x \"y\"\n");
    goal.event_properties["flag"] = false;
    goal.event_properties["price"] = 19.99;
    goal.event_properties["inf"] = std::numeric_limits<double>::infinity();

    const auto request = build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5);
    std::string expected = "{";
    expected += sdk_props;
    expected += R"(,"vwoMeta":{"metric":{"id_101":["g_203"]}},"isCustomEvent":true,)"
                R"("alpha":"x \"y\"\n","flag":false,"inf":null,"price":19.99,"zeta":3})";
    CHECK(goal_props(request) == expected);
    const auto props = ordered_json::parse(request.body)["d"]["event"]["props"];
    std::vector<std::string> keys;
    for (auto it = props.begin(); it != props.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"vwo_sdkName", "vwo_sdkVersion", "vwo_envKey", "vwoMeta", "isCustomEvent",
                                           "alpha", "flag", "inf", "price", "zeta"});
}

TEST_CASE("goal events/t event properties named like base props replace them in place", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal = single_goal();
    goal.event_properties["isCustomEvent"] = std::string("no");
    goal.event_properties["vwo_sdkName"] = std::string("mine");
    goal.event_properties["vwoMeta"] = std::int64_t{1};
    goal.event_properties["after"] = true;

    const auto request = build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5);
    CHECK(goal_props(request) ==
          R"({"vwo_sdkName":"mine","vwo_sdkVersion":"1.2.3","vwo_envKey":"abcdef0123456789abcdef0123456789",)"
          R"("vwoMeta":1,"isCustomEvent":"no","after":true})");

    goal_event envkey = single_goal();
    envkey.event_properties["vwo_envKey"] = std::string("k");
    envkey.event_properties["vwo_sdkVersion"] = 2.5;
    CHECK(goal_props(build_goal_event_request(ctx, envkey, "user-1", {}, at_millis(now_ms), 0.5)) ==
          R"({"vwo_sdkName":"vwo-cpp-sdk","vwo_sdkVersion":2.5,"vwo_envKey":"k",)"
          R"("vwoMeta":{"metric":{"id_101":["g_203"]}},"isCustomEvent":true})");
}

TEST_CASE("goal events/t a revenue prop named metric replaces the metric in place", "[decision_requests]")
{
    const auto ctx = make_context();
    goal_event goal;
    goal.goal_identifier = "purchase";
    goal.campaigns.push_back(conversion(number_id("601"), number_id("1"), number_id("602"), std::nullopt, "metric"));
    goal.campaigns.push_back(conversion(number_id("603"), number_id("1"), number_id("604"), std::nullopt, "amount"));
    goal.revenue = attribute_value{std::int64_t{5}};
    const auto props = goal_props(build_goal_event_request(ctx, goal, "user-1", {}, at_millis(now_ms), 0.5));
    CHECK(props.find(R"("vwoMeta":{"metric":5,"amount":5})") != std::string::npos);
}

TEST_CASE("goal events/t JSON-escapes the context values", "[decision_requests]")
{
    const request_context ctx("", "123456", "key\"1", "sdk\\name", "1.0", {});
    const auto request = build_goal_event_request(ctx, single_goal(), "user 1", {}, at_millis(now_ms), 0.5);
    const auto body = json::parse(request.body);
    CHECK(body["d"]["visId"] == "67DBAFBF600B5C5F99DCD5CBBE8C0555");
    CHECK(body["d"]["event"]["props"]["vwo_envKey"] == "key\"1");
    CHECK(body["d"]["event"]["props"]["vwo_sdkName"] == "sdk\\name");
    CHECK(body["d"]["visitor"]["props"]["vwo_fs_environment"] == "key\"1");
    CHECK(param(split(request.target), "env") == "key\"1");
    CHECK(request.user_agent == "sdk\\name");
}

TEST_CASE("every decision request path takes the collection prefix", "[decision_requests]")
{
    const auto ctx = make_context("/base/eu01");
    const auto now = at_millis(now_ms);
    const impression shown{number_id("1"), number_id("2")};
    CHECK(split(build_track_user_get(ctx, shown, "u", {}, now, 0.1).target).path ==
          "/base/eu01/server-side/track-user");
    CHECK(split(build_track_goal_get(ctx, single_goal(), "u", {}, now, 0.1).target).path ==
          "/base/eu01/server-side/track-goal");
    CHECK(split(build_variation_shown_request(ctx, shown, "u", {}, now, 0.1).target).path == "/base/eu01/events/t");
    CHECK(split(build_goal_event_request(ctx, single_goal(), "u", {}, now, 0.1).target).path ==
          "/base/eu01/events/t");
}
