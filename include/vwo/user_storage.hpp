#pragma once

// User storage: where the SDK keeps each user's decisions so that a user keeps the same variation when
// a campaign's traffic or weights change, is not tracked twice, and converts each goal once
// (docs/decisions.md#user-storage). You implement it over your own store (Redis, a database, ...).

#include <vwo/export.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vwo {

/// One stored decision. Value type.
struct user_storage_record {
    std::string user_id;
    std::string campaign_key;
    std::string variation_name;
    /// Every goal this user converted in this campaign, joined with "_vwo_" (vwo-node-sdk's format, so
    /// a store can be shared with Node services); "" when none.
    std::string goal_identifier;
    /// call_options::meta_data of the call that wrote the record (Node's metaData), passed through to set();
    /// empty when the call gave none. get() may leave it empty: the SDK never reads it.
    std::map<std::string, std::string> meta_data;
};

/// Your store. Both functions are called synchronously on the thread that called the API (so a fast,
/// local or cached store keeps the API fast), never while the SDK holds a lock: they may call back
/// into the client. Thread-safety: called concurrently when the client is used from several threads.
/// An exception thrown by either is caught and logged: a failing get() counts as "nothing stored",
/// a failing set() leaves the decision as it was made.
class VWO_API user_storage {
public:
    virtual ~user_storage() = default;
    /// The record of `user_id` in `campaign_key`, or nullopt when there is none.
    virtual std::optional<user_storage_record> get(std::string_view user_id, std::string_view campaign_key) = 0;
    /// Stores (replaces) the record of record.user_id in record.campaign_key.
    virtual void set(const user_storage_record& record) = 0;
};

} // namespace vwo
