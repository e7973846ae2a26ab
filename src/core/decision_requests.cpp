#include "core/decision_requests.hpp"

#include "core/decision/js_text.hpp"
#include "core/json_writer.hpp"
#include "core/url_encoding.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>
#include <vector>

namespace vwo::core {
namespace {

constexpr std::string_view variation_shown_event = "vwo_variationShown";

// The event.props keys Node writes before copying eventProperties (docs/protocol.md#track), in Node's order.
constexpr std::array<std::string_view, 5> goal_base_props{"vwo_sdkName", "vwo_sdkVersion", "vwo_envKey", "vwoMeta",
                                                          "isCustomEvent"};

// A settings id in a JSON body keeps the type it had in the settings file (docs/protocol.md#query-values).
void append_id_json(std::string& out, const wire_id& id)
{
    if (id.is_string) {
        append_json_string(out, id.text);
        return;
    }
    // String(number) of a number JSON cannot hold; JSON.stringify would write null for it.
    if (id.text.empty() || id.text == "NaN" || id.text == "Infinity" || id.text == "-Infinity") {
        out += "null";
        return;
    }
    out += id.text;
}

// Node sends the same encodeURIComponent text it puts into the query; we send that header form while
// the query itself carries the value percent-encoded once (docs/protocol.md#visitor-user-agent-and-ip).
void set_device_headers(wire_request& request, const visitor_info& visitor)
{
    if (!visitor.user_agent.empty()) append_encode_uri_component(request.device_user_agent, visitor.user_agent);
    if (!visitor.ip_address.empty()) append_encode_uri_component(request.forwarded_for, visitor.ip_address);
}

// },"name":"<event>","time":<ms>},"visitor":{"props":{"vwo_fs_environment":"<sdkKey>"}}}}
void append_event_payload_tail(std::string& body, const request_context& ctx, std::string_view event_name,
                               std::string_view ms_text)
{
    body += R"(},"name":)";
    append_json_string(body, event_name);
    body += R"(,"time":)";
    body += ms_text;
    body += R"(},"visitor":{"props":{"vwo_fs_environment":)";
    append_json_string(body, ctx.sdk_key);
    body += "}}}}";
}

// "key":value with a separating comma unless it is the first member.
void append_member_name(std::string& out, bool& first, std::string_view key)
{
    if (!first) out += ',';
    first = false;
    append_json_string(out, key);
    out += ':';
}

void append_sdk_prop(std::string& body, const request_context& ctx, std::string_view key)
{
    if (key == "vwo_sdkName") {
        append_json_string(body, ctx.sdk_name);
    } else if (key == "vwo_sdkVersion") {
        append_json_string(body, ctx.sdk_version);
    } else {
        append_json_string(body, ctx.sdk_key);
    }
}

// vwoMeta (docs/protocol.md#track): {"metric":{"id_<cid>":["g_<gid>"],...}[,"<revenueProp>":<revenue>...]}.
void append_vwo_meta(std::string& body, const goal_event& goal)
{
    // Node collects the revenue props in a set: each distinct prop once, in first-seen order.
    std::vector<std::string_view> revenue_props;
    if (goal.revenue) {
        for (const goal_conversion& campaign : goal.campaigns) {
            if (!campaign.revenue_prop) continue;
            const std::string_view prop = *campaign.revenue_prop;
            bool seen = false;
            for (const std::string_view known : revenue_props) seen = seen || known == prop;
            if (!seen) revenue_props.push_back(prop);
        }
    }

    bool first = true;
    body += '{';
    append_member_name(body, first, "metric");
    bool metric_overridden = false;
    for (const std::string_view prop : revenue_props) metric_overridden = metric_overridden || prop == "metric";
    if (metric_overridden) {
        // Node assigns vwoMeta[revenueProp] after building {metric}; a prop named "metric" replaces it.
        append_attribute_json(body, *goal.revenue);
    } else {
        body += '{';
        bool first_metric = true;
        for (const goal_conversion& campaign : goal.campaigns) {
            std::string key;
            key.reserve(3 + campaign.campaign_id.text.size());
            key += "id_";
            key += campaign.campaign_id.text;
            append_member_name(body, first_metric, key);
            body += '[';
            std::string goal_text;
            goal_text.reserve(2 + campaign.goal_id.text.size());
            goal_text += "g_";
            goal_text += campaign.goal_id.text;
            append_json_string(body, goal_text);
            body += ']';
        }
        body += '}';
    }
    for (const std::string_view prop : revenue_props) {
        if (prop == "metric") continue;
        append_member_name(body, first, prop);
        append_attribute_json(body, *goal.revenue);
    }
    body += '}';
}

} // namespace

std::string attribute_text(const decision::attribute_value& value)
{
    return std::visit(
        [](const auto& v) -> std::string {
            using type = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<type, std::string>) {
                return v;
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                return integer_text(v);
            } else if constexpr (std::is_same_v<type, double>) {
                return decision::js::number_to_string(v);
            } else {
                return std::string(v ? "true" : "false");
            }
        },
        value);
}

void append_attribute_json(std::string& out, const decision::attribute_value& value)
{
    std::visit(
        [&out](const auto& v) {
            using type = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<type, std::string>) {
                append_json_string(out, v);
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                append_integer(out, v);
            } else if constexpr (std::is_same_v<type, double>) {
                if (std::isfinite(v)) {
                    decision::js::append_number(out, v);
                } else {
                    out += "null"; // JSON.stringify(NaN) and JSON.stringify(±Infinity)
                }
            } else {
                out += v ? "true" : "false";
            }
        },
        value);
}

wire_request build_track_user_get(const request_context& ctx, const impression& shown, std::string_view user_id,
                                  const visitor_info& visitor, system_time now, double random)
{
    wire_request request;
    request.method = http_method::get;
    std::string& target = request.target;
    target.reserve(ctx.path_prefix.size() + 260 + shown.campaign_id.text.size() + shown.variation_id.text.size() +
                   3 * visitor.user_agent.size() + 3 * visitor.ip_address.size() + ctx.sdk_name.size() +
                   ctx.sdk_version.size() + ctx.sdk_key.size() + ctx.account_id.size() + ctx.usage_query.size());
    target += ctx.path_prefix;
    target += "/server-side/track-user?";
    append_query_param(target, "experiment_id", shown.campaign_id.text);
    append_query_param(target, "combination", shown.variation_id.text);
    append_query_param(target, "visitor_ua", visitor.user_agent);
    append_query_param(target, "visitor_ip", visitor.ip_address);
    append_legacy_params(target, ctx, user_id, now, random);
    if (!ctx.usage_query.empty()) {
        target += '&';
        target += ctx.usage_query;
    }
    append_query_param(target, "ed", R"({"p":"server"})");

    request.user_agent = legacy_user_agent(ctx);
    set_device_headers(request, visitor);
    return request;
}

void append_impression_batch_event(std::string& out, const request_context& ctx, const impression& shown,
                                   std::string_view user_id, const visitor_info& visitor, system_time now)
{
    out.reserve(out.size() + 120 + shown.campaign_id.text.size() + shown.variation_id.text.size() +
                visitor.user_agent.size() + visitor.ip_address.size());
    out += R"({"e":)";
    append_id_json(out, shown.campaign_id);
    out += R"(,"c":)";
    append_id_json(out, shown.variation_id);
    out += R"(,"sId":)";
    append_integer(out, ceil_seconds(now));
    out += R"(,"u":")";
    ctx.uuids.append_to(out, user_id); // upper-case hex: nothing to escape
    out += R"(","eT":1,"visitor_ua":)";
    append_json_string(out, visitor.user_agent);
    out += R"(,"visitor_ip":)";
    append_json_string(out, visitor.ip_address);
    out += '}';
}

wire_request build_variation_shown_request(const request_context& ctx, const impression& shown,
                                           std::string_view user_id, const visitor_info& visitor, system_time now,
                                           double random)
{
    const std::string ms_text = integer_text(unix_millis(now));

    wire_request request;
    request.method = http_method::post;
    std::string& target = request.target;
    append_event_arch_query(target, ctx, variation_shown_event, ms_text, random, visitor.user_agent,
                            visitor.ip_address);
    if (!ctx.usage_query.empty()) {
        target += '&';
        target += ctx.usage_query;
    }

    std::string& body = request.body;
    body.reserve(360 + ctx.sdk_name.size() + ctx.sdk_version.size() + 2 * ctx.sdk_key.size() +
                 shown.campaign_id.text.size() + shown.variation_id.text.size());
    append_event_payload_head(body, ctx, user_id, ms_text, now);
    body += R"("vwo_sdkName":)";
    append_json_string(body, ctx.sdk_name);
    body += R"(,"vwo_sdkVersion":)";
    append_json_string(body, ctx.sdk_version);
    body += R"(,"vwo_envKey":)";
    append_json_string(body, ctx.sdk_key);
    body += R"(,"id":)";
    append_id_json(body, shown.campaign_id);
    body += R"(,"variation":)";
    append_id_json(body, shown.variation_id);
    body += R"(,"isFirst":1)";
    append_event_payload_tail(body, ctx, variation_shown_event, ms_text);

    request.content_type = "application/json";
    request.user_agent = ctx.sdk_name;
    set_device_headers(request, visitor);
    return request;
}

wire_request build_track_goal_get(const request_context& ctx, const goal_event& goal, std::string_view user_id,
                                  const visitor_info& visitor, system_time now, double random)
{
    // The header promises at least one campaign; at() turns a broken promise into an exception
    // rather than undefined behaviour.
    const goal_conversion& campaign = goal.campaigns.at(0);

    wire_request request;
    request.method = http_method::get;
    std::string& target = request.target;
    target.reserve(ctx.path_prefix.size() + 260 + campaign.campaign_id.text.size() +
                   campaign.variation_id.text.size() + campaign.goal_id.text.size() + 3 * visitor.user_agent.size() +
                   3 * visitor.ip_address.size() + ctx.sdk_name.size() + ctx.sdk_version.size() +
                   ctx.sdk_key.size() + ctx.account_id.size());
    target += ctx.path_prefix;
    target += "/server-side/track-goal?";
    append_query_param(target, "experiment_id", campaign.campaign_id.text);
    append_query_param(target, "combination", campaign.variation_id.text);
    append_legacy_params(target, ctx, user_id, now, random);
    append_query_param(target, "visitor_ua", visitor.user_agent);
    append_query_param(target, "visitor_ip", visitor.ip_address);
    append_query_param(target, "goal_id", campaign.goal_id.text);
    if (campaign.revenue) append_query_param(target, "r", attribute_text(*campaign.revenue));

    request.user_agent = legacy_user_agent(ctx);
    set_device_headers(request, visitor);
    return request;
}

void append_goal_batch_event(std::string& out, const request_context& ctx, const goal_event& goal,
                             std::size_t index, std::string_view user_id, const visitor_info& visitor,
                             system_time now)
{
    // An index outside the goal is a caller bug: throw before anything is appended.
    const goal_conversion& campaign = goal.campaigns.at(index);

    out.reserve(out.size() + 140 + campaign.campaign_id.text.size() + campaign.variation_id.text.size() +
                campaign.goal_id.text.size() + visitor.user_agent.size() + visitor.ip_address.size());
    out += R"({"e":)";
    append_id_json(out, campaign.campaign_id);
    out += R"(,"c":)";
    append_id_json(out, campaign.variation_id);
    out += R"(,"sId":)";
    append_integer(out, ceil_seconds(now));
    out += R"(,"u":")";
    ctx.uuids.append_to(out, user_id);
    // UA and IP in their own fields, raw (Node's global-goal batch swaps them: docs/protocol.md#differences).
    out += R"(","eT":2,"visitor_ua":)";
    append_json_string(out, visitor.user_agent);
    out += R"(,"visitor_ip":)";
    append_json_string(out, visitor.ip_address);
    out += R"(,"g":)";
    append_id_json(out, campaign.goal_id);
    if (campaign.revenue) {
        out += R"(,"r":)";
        append_attribute_json(out, *campaign.revenue);
    }
    out += '}';
}

wire_request build_goal_event_request(const request_context& ctx, const goal_event& goal, std::string_view user_id,
                                      const visitor_info& visitor, system_time now, double random)
{
    const std::string ms_text = integer_text(unix_millis(now));

    wire_request request;
    request.method = http_method::post;
    // No usage stats on goal events (docs/protocol.md#usage-stats). The goal identifier is percent-encoded like every
    // other value, so a name with a space is sent instead of crashing as in Node.
    append_event_arch_query(request.target, ctx, goal.goal_identifier, ms_text, random, visitor.user_agent,
                            visitor.ip_address);

    std::size_t properties_size = 0;
    for (const auto& [key, value] : goal.event_properties) {
        properties_size += key.size() + 8;
        if (const auto* text = std::get_if<std::string>(&value)) properties_size += text->size();
        else properties_size += 24;
    }
    std::string& body = request.body;
    body.reserve(400 + ctx.sdk_name.size() + ctx.sdk_version.size() + 2 * ctx.sdk_key.size() +
                 goal.goal_identifier.size() + 40 * goal.campaigns.size() + properties_size);
    append_event_payload_head(body, ctx, user_id, ms_text, now);

    // Node builds props with these keys first and then assigns every event property to it. JS
    // assignment to an existing key keeps the key's first position and replaces only the value, so a
    // property named like one of them is written in that position, and not a second time below.
    bool first = true;
    for (const std::string_view key : goal_base_props) {
        append_member_name(body, first, key);
        const auto property = goal.event_properties.find(std::string(key));
        if (property != goal.event_properties.end()) {
            append_attribute_json(body, property->second);
        } else if (key == "vwoMeta") {
            append_vwo_meta(body, goal);
        } else if (key == "isCustomEvent") {
            body += "true";
        } else {
            append_sdk_prop(body, ctx, key);
        }
    }
    for (const auto& [key, value] : goal.event_properties) {
        bool is_base = false;
        for (const std::string_view base : goal_base_props) is_base = is_base || key == base;
        if (is_base) continue;
        append_member_name(body, first, key);
        append_attribute_json(body, value);
    }
    append_event_payload_tail(body, ctx, goal.goal_identifier, ms_text);

    request.content_type = "application/json";
    request.user_agent = ctx.sdk_name;
    set_device_headers(request, visitor);
    return request;
}

} // namespace vwo::core
