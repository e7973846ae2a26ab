#include "record_codec.hpp"

#include <nlohmann/json.hpp>

namespace vwo::redis_detail {
namespace {

// True when `text` nests arrays/objects deeper than `limit`. One pass that skips string contents; the
// parser validates afterwards. Checked first so a hostile value never becomes a deep DOM.
bool too_deep(std::string_view text, std::size_t limit) noexcept
{
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit)
                return true;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return false;
}

// A string field, "" when absent; false when present with another type (null counts as absent).
bool read_string(const nlohmann::json& object, const char* name, std::string& out)
{
    auto it = object.find(name);
    if (it == object.end() || it->is_null())
        return true;
    if (!it->is_string())
        return false;
    out = it->get<std::string>();
    return true;
}

} // namespace

std::string record_key(std::string_view prefix, std::string_view user_id, std::string_view campaign_key)
{
    std::string key;
    key.reserve(prefix.size() + campaign_key.size() + 1 + user_id.size());
    key.append(prefix).append(campaign_key).append(1, ':').append(user_id);
    return key;
}

std::string encode_record(const user_storage_record& record)
{
    // nlohmann's object is sorted by key; order does not matter to any reader (JSON.parse included).
    nlohmann::json json = {
        {"userId", record.user_id},
        {"campaignKey", record.campaign_key},
        {"variationName", record.variation_name},
    };
    if (!record.goal_identifier.empty())
        json["goalIdentifier"] = record.goal_identifier;
    if (!record.meta_data.empty())
        json["metaData"] = record.meta_data;
    // Invalid UTF-8 in an id is replaced (U+FFFD) rather than failing the write: the record stays
    // readable by JSON parsers, which all require valid UTF-8.
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

decode_result decode_record(std::string_view text)
{
    const auto malformed = decode_result{make_error_code(redis_errc::malformed_record), std::nullopt};
    if (too_deep(text, max_record_depth))
        return malformed;
    nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object())
        return malformed; // also a parse error (discarded)
    user_storage_record record;
    if (!read_string(json, "userId", record.user_id) || !read_string(json, "campaignKey", record.campaign_key) ||
        !read_string(json, "variationName", record.variation_name) ||
        !read_string(json, "goalIdentifier", record.goal_identifier))
        return malformed;
    if (auto meta = json.find("metaData"); meta != json.end() && !meta->is_null()) {
        if (!meta->is_object())
            return malformed;
        for (const auto& [name, value] : meta->items())
            record.meta_data[name] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    return {{}, std::move(record)};
}

} // namespace vwo::redis_detail
