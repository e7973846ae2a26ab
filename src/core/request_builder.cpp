#include "core/request_builder.hpp"

#include "core/json_writer.hpp"
#include "core/url_encoding.hpp"

#include <charconv>
#include <cmath>

namespace vwo::core {
namespace {

constexpr std::string_view sync_event_name = "vwo_syncVisitorProp";
constexpr std::string_view environment_prop = "vwo_fs_environment";

// {"u":{<key>:<value>}}: the custom-dimension payload of the push GET's tags and a batch event's t
// (docs/protocol.md "GET /server-side/push", "POST /server-side/batch-events").
std::string dimension_json(const dimension& dim)
{
    std::string json;
    json.reserve(dim.key.size() + dim.value.size() + 16);
    json += R"({"u":{)";
    append_json_string(json, dim.key);
    json += ':';
    append_json_string(json, dim.value);
    json += "}}";
    return json;
}

} // namespace

std::string usage_stats::to_query() const
{
    std::string out;
    if (batch_events) append_query_param(out, "eb", "1");
    if (integrations) append_query_param(out, "ig", "1");
    if (user_storage) append_query_param(out, "ss", "1");
    if (custom_logger) append_query_param(out, "cl", "1");
    if (log_level) append_query_param(out, "ll", integer_text(*log_level));
    if (track_returning_user) append_query_param(out, "tr", "1");
    if (goal_type_to_track) append_query_param(out, "gt", "1");
    if (polling) append_query_param(out, "pi", "1");
    if (!out.empty()) append_query_param(out, "_l", "1");
    return out;
}

request_context::request_context(std::string path_prefix_, std::string account_id_, std::string sdk_key_,
                                 std::string sdk_name_, std::string sdk_version_, usage_stats usage)
    : path_prefix(std::move(path_prefix_)),
      account_id(std::move(account_id_)),
      sdk_key(std::move(sdk_key_)),
      sdk_name(std::move(sdk_name_)),
      sdk_version(std::move(sdk_version_)),
      usage_query(usage.to_query()),
      uuids(account_id) // declared after account_id, so the member is already set
{
}

long long ceil_seconds(system_time t) noexcept
{
    const long long ms = unix_millis(t);
    // Integer division truncates toward zero, which is already the ceiling below the epoch.
    return ms / 1000 + (ms % 1000 > 0 ? 1 : 0);
}

long long unix_millis(system_time t) noexcept
{
    return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string format_random(double random)
{
    // Only a cache-buster, but it must stay a plain decimal in [0,1) whatever the caller passes.
    if (!(random >= 0.0 && random < 1.0)) random = 0.0;
    // Fixed notation with the shortest round-trip digits is what JavaScript prints for
    // numbers >= 1e-6; the general form would switch to "1e-04" style for a few short values.
    // Fixed notation of the smallest subnormal needs 326 characters.
    char buffer[400];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, random, std::chars_format::fixed);
    if (result.ec != std::errc{}) return "0";
    return std::string(buffer, result.ptr);
}

void append_integer(std::string& out, long long value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

std::string integer_text(long long value)
{
    std::string out;
    append_integer(out, value);
    return out;
}

std::string legacy_user_agent(const request_context& ctx)
{
    std::string agent;
    agent.reserve(ctx.sdk_name.size() + ctx.sdk_version.size() + 1);
    agent += ctx.sdk_name;
    agent += '/';
    agent += ctx.sdk_version;
    return agent;
}

void append_legacy_params(std::string& target, const request_context& ctx, std::string_view user_id,
                          system_time now, double random)
{
    append_query_param(target, "sId", integer_text(ceil_seconds(now)));
    append_query_param(target, "u", ctx.uuids(user_id));
    append_query_param(target, "sdk", ctx.sdk_name);
    append_query_param(target, "sdk-v", ctx.sdk_version);
    append_query_param(target, "env", ctx.sdk_key);
    append_query_param(target, "account_id", ctx.account_id);
    append_query_param(target, "random", format_random(random));
    append_query_param(target, "ap", "server");
}

void append_event_arch_query(std::string& target, const request_context& ctx, std::string_view event_name,
                             std::string_view ms_text, double random, std::string_view visitor_ua,
                             std::string_view visitor_ip)
{
    target.reserve(target.size() + ctx.path_prefix.size() + 160 + 3 * event_name.size() + ctx.account_id.size() +
                   ctx.sdk_key.size() + 3 * visitor_ua.size() + 3 * visitor_ip.size() + ctx.usage_query.size());
    target += ctx.path_prefix;
    target += "/events/t?";
    append_query_param(target, "en", event_name);
    append_query_param(target, "a", ctx.account_id);
    append_query_param(target, "env", ctx.sdk_key);
    append_query_param(target, "eTime", ms_text);
    append_query_param(target, "random", format_random(random));
    append_query_param(target, "p", "FS");
    append_query_param(target, "visitor_ua", visitor_ua);
    append_query_param(target, "visitor_ip", visitor_ip);
}

void append_event_payload_head(std::string& body, const request_context& ctx, std::string_view user_id,
                               std::string_view ms_text, system_time now)
{
    const std::string uuid = ctx.uuids(user_id);
    body += R"({"d":{"msgId":")";
    body += uuid;
    body += '-';
    body += ms_text;
    body += R"(","visId":")";
    body += uuid;
    body += R"(","sessionId":)";
    append_integer(body, ceil_seconds(now));
    body += R"(,"event":{"props":{)";
}

wire_request build_push_get(const request_context& ctx, const dimension& dim, std::string_view user_id,
                            system_time now, double random)
{
    const std::string tags = dimension_json(dim);

    wire_request request;
    request.method = http_method::get;
    std::string& target = request.target;
    target.reserve(ctx.path_prefix.size() + 200 + ctx.sdk_key.size() + ctx.sdk_name.size() + tags.size() * 3);
    target += ctx.path_prefix;
    target += "/server-side/push?";
    append_legacy_params(target, ctx, user_id, now, random);
    append_query_param(target, "tags", tags);
    request.user_agent = legacy_user_agent(ctx);
    return request;
}

void append_batch_event(std::string& out, const request_context& ctx, const dimension& dim, std::string_view user_id,
                        system_time now)
{
    const std::string payload = dimension_json(dim);
    out.reserve(out.size() + 80 + payload.size() * 3);
    out += R"({"sId":)";
    append_integer(out, ceil_seconds(now));
    out += R"(,"u":")";
    ctx.uuids.append_to(out, user_id); // upper-case hex: nothing to escape
    out += R"(","eT":3,"t":")";
    // encodeURIComponent output is ASCII without '"' or '\\', so it is already a valid JSON string body.
    append_encode_uri_component(out, payload);
    out += "\"}";
}

std::string build_batch_event(const request_context& ctx, const dimension& dim, std::string_view user_id,
                              system_time now)
{
    std::string event;
    append_batch_event(event, ctx, dim, user_id, now);
    return event;
}

wire_request build_batch_events_request(const request_context& ctx, std::string body)
{
    wire_request request;
    request.method = http_method::post;

    std::string& target = request.target;
    target.reserve(ctx.path_prefix.size() + 100 + ctx.account_id.size() + ctx.usage_query.size() +
                   ctx.sdk_name.size() + ctx.sdk_version.size() + ctx.sdk_key.size());
    target += ctx.path_prefix;
    target += "/server-side/batch-events?";
    append_query_param(target, "a", ctx.account_id);
    if (!ctx.usage_query.empty()) {
        target += '&';
        target += ctx.usage_query;
    }
    append_query_param(target, "sdk", ctx.sdk_name);
    append_query_param(target, "sdk-v", ctx.sdk_version);
    append_query_param(target, "env", ctx.sdk_key);

    request.body = std::move(body);
    request.authorization = ctx.sdk_key;
    request.content_type = "application/json";
    request.user_agent = legacy_user_agent(ctx);
    return request;
}

wire_request build_batch_events_request(const request_context& ctx, std::span<const std::string> events)
{
    std::size_t body_size = 10;
    for (const std::string& event : events) body_size += event.size() + 1;
    std::string body;
    body.reserve(body_size);
    body += R"({"ev":[)";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i != 0) body += ',';
        body += events[i];
    }
    body += "]}";
    return build_batch_events_request(ctx, std::move(body));
}

wire_request build_event_arch_request(const request_context& ctx, const dimensions& dims, std::string_view user_id,
                                      system_time now, double random)
{
    const std::string ms_text = integer_text(unix_millis(now));

    wire_request request;
    request.method = http_method::post;

    append_event_arch_query(request.target, ctx, sync_event_name, ms_text, random, "", "");

    // Node builds visitor.props as an object literal and then assigns each dimension, so a
    // dimension named vwo_fs_environment replaces the environment value in its first position.
    const dimension* environment_override = nullptr;
    std::size_t dims_size = 0;
    for (const dimension& dim : dims) {
        if (dim.key == environment_prop) environment_override = &dim;
        dims_size += dim.key.size() + dim.value.size() + 6;
    }

    std::string& body = request.body;
    body.reserve(320 + ctx.sdk_name.size() + ctx.sdk_version.size() + 2 * ctx.sdk_key.size() + dims_size);
    append_event_payload_head(body, ctx, user_id, ms_text, now);
    body += R"("vwo_sdkName":)";
    append_json_string(body, ctx.sdk_name);
    body += R"(,"vwo_sdkVersion":)";
    append_json_string(body, ctx.sdk_version);
    body += R"(,"vwo_envKey":)";
    append_json_string(body, ctx.sdk_key);
    body += R"(,"isCustomEvent":true},"name":")";
    body += sync_event_name;
    body += R"(","time":)";
    body += ms_text;
    body += R"(},"visitor":{"props":{"vwo_fs_environment":)";
    append_json_string(body, environment_override != nullptr ? std::string_view(environment_override->value)
                                                              : std::string_view(ctx.sdk_key));
    for (const dimension& dim : dims) {
        if (dim.key == environment_prop) continue;
        body += ',';
        append_json_string(body, dim.key);
        body += ':';
        append_json_string(body, dim.value);
    }
    body += "}}}}";

    request.content_type = "application/json";
    request.user_agent = ctx.sdk_name;
    return request;
}

std::string build_settings_target(std::string_view base_path, std::string_view account_id, std::string_view sdk_key,
                                  double random, std::string_view sdk_name, std::string_view sdk_version,
                                  settings_route route)
{
    std::string target;
    target.reserve(base_path.size() + 120 + account_id.size() + sdk_key.size() + sdk_name.size() +
                   sdk_version.size());
    target += base_path;
    target += route == settings_route::pull ? "/server-side/pull?" : "/server-side/settings?";
    append_query_param(target, "a", account_id);
    append_query_param(target, "i", sdk_key);
    append_query_param(target, "r", format_random(random));
    append_query_param(target, "platform", "server");
    append_query_param(target, "sdk", sdk_name);
    append_query_param(target, "sdk-v", sdk_version);
    return target;
}

} // namespace vwo::core
