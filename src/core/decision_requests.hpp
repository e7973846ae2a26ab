#pragma once

// The requests the decision and tracking APIs send (docs/protocol.md "Decision APIs: where we differ
// from vwo-node-sdk 1.73.0"), with the differences from Node we share with push (docs/protocol.md
// "Where we differ from Node, and why"): every query value percent-encoded (so a goal name with a space
// or an `ed`/`r` value works), `sdk=vwo-cpp-sdk`, the visitor's user agent and IP in their own fields
// everywhere (Node's global-goal batch swaps them). Quoted names below are sections of docs/protocol.md.
// Pure: time and randomness are parameters.

#include "core/decision/attributes.hpp"
#include "core/request_builder.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vwo::core {

/// An id copied from the settings file ("Query values"): a query prints its text; a JSON body prints a number
/// as a number and a string id as a JSON string.
struct wire_id {
    std::string text;       ///< JavaScript String(id): 101 → "101"
    bool is_string = false; ///< the settings file held a JSON string
};

/// The visitor's user agent and IP address as the caller gave them (call_options), raw.
struct visitor_info {
    std::string user_agent;
    std::string ip_address;
};

/// "Variation shown": activate or is_feature_enabled bucketed the user into a variation.
struct impression {
    wire_id campaign_id;
    wire_id variation_id;
};

/// One campaign's part of a track call.
struct goal_conversion {
    wire_id campaign_id;
    wire_id variation_id;
    wire_id goal_id;
    /// Legacy `r` / batch `r`: set only for a REVENUE_TRACKING goal with a revenue value (0 counts: "Differences").
    std::optional<decision::attribute_value> revenue;
    /// The goal's revenueProp (event architecture: vwoMeta.<prop> = revenue).
    std::optional<std::string> revenue_prop;
};

/// A track call: one goal for one or more campaigns.
struct goal_event {
    std::string goal_identifier;
    std::vector<goal_conversion> campaigns;                      ///< in campaign order, at least one
    std::map<std::string, decision::attribute_value> event_properties; ///< event architecture only
    /// call_options::revenue_value as given (events/t puts it into vwoMeta under each revenueProp).
    std::optional<decision::attribute_value> revenue;
};

/// JavaScript String(value) of a revenue or property value: strings as they are, integers in decimal,
/// doubles as Number.prototype.toString, booleans "true"/"false".
std::string attribute_text(const decision::attribute_value& value);
/// JSON.stringify(value): strings escaped, numbers in JS form (NaN and ±Infinity as null), booleans.
void append_attribute_json(std::string& out, const decision::attribute_value& value);

// ---- activate / is_feature_enabled ----------------------------------------------------------

/// "Impressions": GET <prefix>/server-side/track-user?experiment_id&combination&visitor_ua&visitor_ip&sId&u&sdk
/// &sdk-v&env&account_id&random&ap=server[&<usage stats>]&ed={"p":"server"}. Headers: User-Agent
/// "<sdk>/<version>" as push's GET; X-Device-User-Agent / VWO-X-Forwarded-For = the encoded UA / IP when
/// given ("Visitor user agent and IP").
wire_request build_track_user_get(const request_context& ctx, const impression& shown, std::string_view user_id,
                                  const visitor_info& visitor, system_time now, double random);

/// "Batch mode (batch_events)": one batch-events element {"e":<cid>,"c":<vid>,"sId":<ceil-s>,"u":"<UUID>",
/// "eT":1,"visitor_ua":"<raw>","visitor_ip":"<raw>"} appended to `out`.
void append_impression_batch_event(std::string& out, const request_context& ctx, const impression& shown,
                                   std::string_view user_id, const visitor_info& visitor, system_time now);

/// "Impressions": POST <prefix>/events/t?en=vwo_variationShown&a&env&eTime&random&p=FS&visitor_ua&visitor_ip
/// [&<usage stats>] with props vwo_sdkName, vwo_sdkVersion, vwo_envKey, id, variation, isFirst:1.
/// Headers as push's events/t plus the device headers of "Visitor user agent and IP".
wire_request build_variation_shown_request(const request_context& ctx, const impression& shown,
                                           std::string_view user_id, const visitor_info& visitor, system_time now,
                                           double random);

// ---- track -------------------------------------------------------------------------------------

/// "Track": GET <prefix>/server-side/track-goal?experiment_id&combination&sId&u&sdk&sdk-v&env&account_id
/// &random&ap=server&visitor_ua&visitor_ip&goal_id[&r] for goal.campaigns[0]; no usage stats, no `ed`.
wire_request build_track_goal_get(const request_context& ctx, const goal_event& goal, std::string_view user_id,
                                  const visitor_info& visitor, system_time now, double random);

/// "Track", "Batch mode (batch_events)": one batch-events element for campaign `index` of `goal`:
/// {"e":<cid>,"c":<vid>,"sId":<ceil-s>,"u":"<UUID>","eT":2,"visitor_ua":"<raw UA>","visitor_ip":"<raw IP>",
/// "g":<goal id>[,"r":<revenue as JSON>]} appended to `out`.
void append_goal_batch_event(std::string& out, const request_context& ctx, const goal_event& goal,
                             std::size_t index, std::string_view user_id, const visitor_info& visitor,
                             system_time now);

/// "Track": POST <prefix>/events/t?en=<goal identifier>&a&env&eTime&random&p=FS&visitor_ua&visitor_ip (no
/// usage stats) with props vwo_sdkName, vwo_sdkVersion, vwo_envKey, vwoMeta {"metric":{"id_<cid>":
/// ["g_<gid>"],...}[,"<revenueProp>":<revenue>...]}, isCustomEvent:true, then every event property.
wire_request build_goal_event_request(const request_context& ctx, const goal_event& goal, std::string_view user_id,
                                      const visitor_info& visitor, system_time now, double random);

} // namespace vwo::core
