#pragma once

// The value types of the decision and tracking APIs (docs/decisions.md): what a caller passes for
// segmentation and tracking, what feature variables return, and what the integrations callback sees.
// Plain value types: copyable, no shared state, safe to use from any thread.

#include <vwo/user_storage.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace vwo {

/// A custom variable, variation-targeting variable, revenue or event property.
using attribute_value = std::variant<std::string, std::int64_t, double, bool>;
using attribute_map = std::map<std::string, attribute_value>;

/// A feature variable's value after its type cast (boolean, integer, double, string); json variables
/// are returned as their JSON text.
using variable_value = std::variant<bool, std::int64_t, double, std::string>;

/// Which goals track() counts (Node's goalTypeToTrack).
enum class goal_type {
    revenue, ///< REVENUE_TRACKING goals only
    custom,  ///< CUSTOM_GOAL goals only
    all,     ///< any goal type (the default)
};

/// Which bytes of a user id are hashed for bucketing. Both give the same buckets for ASCII ids.
enum class bucketing_compat {
    /// The UTF-8 bytes, as the Python, Ruby, Java, Go and other official SDKs hash them (default).
    standard,
    /// The low byte of each UTF-16 code unit: the buckets vwo-node-sdk gives non-ASCII ids. Choose it
    /// when the same users are also bucketed by Node services and must land in the same variation.
    node,
};

/// Per-call options of the decision and tracking APIs. Options an API does not use are ignored.
struct call_options {
    attribute_map custom_variables;              ///< pre-segmentation (campaign segments)
    attribute_map variation_targeting_variables; ///< whitelisting (variation segments)
    /// activate / is_feature_enabled / track: track a user who was already tracked. Unset: the launch value.
    std::optional<bool> should_track_returning_user;
    std::optional<attribute_value> revenue_value;    ///< track: revenue of a revenue goal (0 is a valid revenue)
    attribute_map event_properties;                  ///< track, event architecture: properties of the goal event
    std::optional<goal_type> goal_type_to_track;     ///< track: overrides client_options::goal_type_to_track
    std::string user_agent;      ///< the visitor's User-Agent, sent with the impression or goal ("" = none)
    std::string user_ip_address; ///< the visitor's IP address, sent likewise ("" = none)
    /// With client_options::user_storage: fields set here (non-empty) replace those of the stored
    /// record for this call (Node's userStorageData). Ignored without user storage.
    std::optional<user_storage_record> user_storage_data;
    /// Passed through to the user store's set() with the record this call writes (Node's metaData), e.g.
    /// where the decision was made. Not sent to VWO.
    std::map<std::string, std::string> meta_data;
};

/// What the integrations callback receives once per decision (Node's HooksManager payload,
/// docs/decisions.md#the-integrations-callback). Strings are copies: the object may be kept.
struct decision_event {
    std::string source;             ///< the API: "activate", "get_variation_name", "is_feature_enabled",
                                    ///< "get_feature_variable_value" or "track"
    std::string campaign_id;        ///< the settings file's id, as text
    std::string campaign_key;
    std::string campaign_type;      ///< "VISUAL_AB", "FEATURE_TEST", "FEATURE_ROLLOUT", ...
    std::optional<std::string> campaign_name;
    std::string user_id;
    std::string vwo_user_id;        ///< the visitor UUID sent on the wire
    bool from_user_storage = false;
    bool is_user_whitelisted = false;
    bool is_forced_variation_enabled = false;
    /// The variation (unset when the user got none). FEATURE_ROLLOUT campaigns report is_feature_enabled instead.
    std::optional<std::string> variation_name;
    std::optional<std::string> variation_id;
    std::optional<bool> is_feature_enabled; ///< FEATURE_ROLLOUT only
    attribute_map custom_variables;
    attribute_map variation_targeting_variables;
    std::optional<std::string> goal_identifier; ///< track only
    std::optional<std::string> group_id;        ///< campaigns in a mutually exclusive group
    std::optional<std::string> group_name;
};

/// Called on the caller's thread, synchronously, for each decision, never while the SDK holds a lock.
/// An exception it throws is caught and logged. It must be thread-safe if the client is used from
/// several threads.
using integrations_callback = std::function<void(const decision_event&)>;

} // namespace vwo
