#pragma once

// Builds the exact requests of docs/protocol.md "Which request a push becomes" (and the settings URL)
// with our differences from Node (docs/protocol.md "Where we differ from Node, and why": every query
// value percent-encoded, tags as real JSON). Quoted names below are sections of docs/protocol.md.
// Pure: time and randomness are parameters.

#include "core/dimension.hpp"
#include "core/uuid.hpp"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vwo::core {

/// Usage statistics that batch-events URLs carry ("Usage stats"). Zero entries are omitted;
/// "_l=1" is appended when any remain.
struct usage_stats {
    bool batch_events = false;   ///< eb=1
    bool integrations = false;   ///< ig=1
    bool user_storage = false;   ///< ss=1
    bool custom_logger = false;  ///< cl=1
    std::optional<int> log_level; ///< ll=<n>, present when the user set a level
    bool track_returning_user = false; ///< tr=1
    bool goal_type_to_track = false;   ///< gt=1
    bool polling = false;              ///< pi=1 (poll_interval set)

    /// "eb=1&cl=1&ll=4&_l=1" in that order (eb, ig, ss, cl, ll, tr, gt, pi, _l); "" when nothing is set.
    std::string to_query() const;
};

/// Everything per client that requests need. Immutable after construction.
/// Thread-safety: const use from any number of threads.
struct request_context {
    request_context(std::string path_prefix, std::string account_id, std::string sdk_key,
                    std::string sdk_name, std::string sdk_version, usage_stats usage);

    std::string path_prefix;   ///< endpoint base path + "/<collectionPrefix>", "" when neither
    std::string account_id;
    std::string sdk_key;
    std::string sdk_name;      ///< "vwo-cpp-sdk"
    std::string sdk_version;
    std::string usage_query;   ///< usage.to_query(), rendered once
    visitor_uuid_generator uuids;
};

enum class http_method { get, post };

/// One HTTP request as it goes on the wire (the transport adds Host and Content-Length).
struct wire_request {
    http_method method = http_method::get;
    std::string target;        ///< path and query, e.g. "/server-side/push?sId=..."
    std::string body;          ///< empty for GET
    std::string authorization; ///< Authorization header value, "" for none
    std::string content_type;  ///< "" for none; "application/json" for POST bodies
    std::string user_agent;    ///< User-Agent header value
    /// X-Device-User-Agent / VWO-X-Forwarded-For ("Visitor user agent and IP"): the visitor's user agent
    /// and IP as encodeURIComponent gives them (as Node sends them); "" = header not sent.
    std::string device_user_agent;
    std::string forwarded_for;
};

using system_time = std::chrono::system_clock::time_point;

/// Unix seconds rounded up ("ceil-s") and Unix milliseconds of `t`.
long long ceil_seconds(system_time t) noexcept;
long long unix_millis(system_time t) noexcept;

/// Shortest round-trip decimal text of a double in [0,1), like JavaScript's String(Math.random()).
std::string format_random(double random);

/// Decimal text of an integer, appended or as a new string.
void append_integer(std::string& out, long long value);
std::string integer_text(long long value);
/// The User-Agent of the legacy GETs: "<sdk_name>/<sdk_version>".
std::string legacy_user_agent(const request_context& ctx);
/// sId, u, sdk, sdk-v, env, account_id, random, ap=server: the run of parameters every legacy GET
/// carries in this order ("GET /server-side/push", "Impressions", "Track").
void append_legacy_params(std::string& target, const request_context& ctx, std::string_view user_id,
                          system_time now, double random);

/// <prefix>/events/t?en&a&env&eTime&random&p=FS&visitor_ua&visitor_ip: the query every events/t request
/// starts with ("POST /events/t", "Impressions", "Track"); callers append usage stats where they belong.
void append_event_arch_query(std::string& target, const request_context& ctx, std::string_view event_name,
                             std::string_view ms_text, double random, std::string_view visitor_ua,
                             std::string_view visitor_ip);
/// {"d":{"msgId":"<UUID>-<ms>","visId":"<UUID>","sessionId":<ceil-s>,"event":{"props":{ — the start of every
/// events/t body, up to its event properties (Node's getEventBasePayload).
void append_event_payload_head(std::string& body, const request_context& ctx, std::string_view user_id,
                               std::string_view ms_text, system_time now);

/// "GET /server-side/push": GET <prefix>/server-side/push?sId&u&sdk&sdk-v&env&account_id&random&ap=server&tags
/// with tags = {"u":{"<key>":"<value>"}} as JSON, percent-encoded ("Where we differ from Node, and why").
/// User-Agent "<sdk_name>/<sdk_version>".
wire_request build_push_get(const request_context& ctx, const dimension& dim, std::string_view user_id,
                            system_time now, double random);

/// One element of a "POST /server-side/batch-events" "ev" array:
/// {"sId":<ceil-s>,"u":"<UUID>","eT":3,"t":"<enc(JSON {"u":{key:value}})>"}.
std::string build_batch_event(const request_context& ctx, const dimension& dim, std::string_view user_id,
                              system_time now);

/// Appends build_batch_event's text to `out` (no string of its own: batch bodies grow in place).
void append_batch_event(std::string& out, const request_context& ctx, const dimension& dim, std::string_view user_id,
                        system_time now);

/// "POST /server-side/batch-events" with a body already rendered as {"ev":[...]} (see batch_body).
wire_request build_batch_events_request(const request_context& ctx, std::string body);

/// "POST /server-side/batch-events": POST <prefix>/server-side/batch-events?a=<account>&<usage>&sdk&sdk-v&env with body
/// {"ev":[<events joined by ','>]}, Authorization: <sdkKey>, Content-Type: application/json.
wire_request build_batch_events_request(const request_context& ctx, std::span<const std::string> events);

/// "POST /events/t": POST <prefix>/events/t?en=vwo_syncVisitorProp&a&env&eTime&random&p=FS&visitor_ua=&visitor_ip=
/// with the JSON body carrying every dimension (in order) in visitor.props;
/// User-Agent: <sdk_name>; Content-Type: application/json.
wire_request build_event_arch_request(const request_context& ctx, const dimensions& dims,
                                      std::string_view user_id, system_time now, double random);

/// Where settings are fetched from: the settings (get_settings_file, launch, polling) or the webhook
/// pull (get_and_update_settings_file), which VWO serves without its cache.
enum class settings_route { settings, pull };

/// "GET /server-side/settings (get_settings_file)" and "GET /server-side/pull": <base_path><route>?a
/// &i=<sdkKey>&r&platform=server&sdk&sdk-v (target only).
std::string build_settings_target(std::string_view base_path, std::string_view account_id,
                                  std::string_view sdk_key, double random, std::string_view sdk_name,
                                  std::string_view sdk_version, settings_route route = settings_route::settings);

} // namespace vwo::core
