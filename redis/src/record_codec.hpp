#pragma once
// The stored form of a user_storage_record: its key and its JSON (docs/decisions.md "The Redis store").
// Pure functions, no I/O: unit-tested on their own.
#include <vwo/redis_user_storage.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::redis_detail {

/// Deepest nesting accepted in a stored value. Our records nest two deep (the record, metaData); Node's
/// metaData may hold objects of its own, so some room is left.
inline constexpr std::size_t max_record_depth = 16;

/// "<prefix><campaign_key>:<user_id>", the key of vwo-node-sdk-redis-helper when the prefix is empty.
std::string record_key(std::string_view prefix, std::string_view user_id, std::string_view campaign_key);

/// The record as JSON with Node's field names: userId, campaignKey, variationName, and goalIdentifier and
/// metaData only when not empty (as Node leaves out what it does not have).
std::string encode_record(const user_storage_record& record);

/// Parses a stored value: every field is optional (missing = ""), unknown fields are ignored, metaData
/// values that are not strings are kept as their JSON text. An error (malformed_record) for anything
/// that is not a JSON object with string fields, or nests deeper than max_record_depth.
struct decode_result {
    boost::system::error_code error;
    std::optional<user_storage_record> record;
};
decode_result decode_record(std::string_view text);

} // namespace vwo::redis_detail
