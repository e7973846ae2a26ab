#pragma once

// User storage as the decision service reads it during one call (docs/decisions.md#contract).

#include "core/decision/decide.hpp"
#include "engine/decision_text.hpp"
#include "engine/logger.hpp"

#include <vwo/client_options.hpp>
#include <vwo/user_storage.hpp>

#include <map>
#include <utility>
#include <vector>
#include <optional>
#include <string>
#include <string_view>

namespace vwo::engine {

// Reads user storage for one API call (docs/decisions.md#contract) on the caller's thread, each campaign's record
// at most once. A get() that throws or returns a record for another user or campaign is logged and counts as
// nothing stored; call_options::user_storage_data replaces the fields it sets.
// Thread-safety: one call, one thread.
class storage_reader final : public core::decision::storage_probe {
public:
    storage_reader(user_storage& store, std::string_view user_id, const call_options& options, const logger& log,
                   std::string_view api)
        : store_(store), user_id_(user_id), options_(options), log_(log), api_(api)
    {
    }

    const core::decision::variation* stored_variation(const core::decision::campaign& c) const override
    {
        const auto& rec = record(c);
        if (!rec || rec->campaign_key.empty() || rec->variation_name.empty())
            return nullptr;
        for (const auto& v : c.variations)
            if (v.name == rec->variation_name)
                return &v;
        return nullptr;
    }

    /// A record names a variation the campaign no longer has (Node then decides afresh and stores it).
    bool names_unknown_variation(const core::decision::campaign& c) const
    {
        const auto& rec = record(c);
        if (!rec || rec->campaign_key.empty() || rec->variation_name.empty() || stored_variation(c) != nullptr)
            return false;
        log_.info(message(api_, {"stored variation '", rec->variation_name, "' of user '", user_id_,
                                 "' no longer exists in campaign '", c.key, "': deciding afresh"}));
        return true;
    }

    const std::optional<user_storage_record>& record(const core::decision::campaign& c) const
    {
        for (const auto& [campaign_ptr, rec] : cache_)
            if (campaign_ptr == &c)
                return rec;
        cache_.emplace_back(&c, read(c));
        return cache_.back().second;
    }

private:
    std::optional<user_storage_record> read(const core::decision::campaign& c) const
    {
        std::optional<user_storage_record> rec;
        try {
            rec = store_.get(user_id_, c.key);
        } catch (const std::exception& e) {
            log_.error(message(api_, {"user_storage.get failed for user '", user_id_, "' in campaign '", c.key,
                                      "': ", e.what(), " (treated as nothing stored)"}));
        } catch (...) {
            log_.error(message(api_, {"user_storage.get failed for user '", user_id_, "' in campaign '", c.key,
                                      "' (treated as nothing stored)"}));
        }
        // A store that answers with someone else's record is confused; trusting it would show this user
        // another user's variation (Node does not compare the campaign key).
        if (rec && ((!rec->user_id.empty() && rec->user_id != user_id_) ||
                    (!rec->campaign_key.empty() && rec->campaign_key != c.key))) {
            log_.warn(message(api_, {"user_storage.get for user '", user_id_, "' in campaign '", c.key,
                                     "' returned the record of user '", rec->user_id, "' in campaign '",
                                     rec->campaign_key, "': ignored"}));
            rec.reset();
        }
        // The caller's override applies as given, field by field, like Node's userStorageData.
        if (const auto& data = options_.user_storage_data) {
            if (!rec)
                rec.emplace();
            if (!data->user_id.empty())
                rec->user_id = data->user_id;
            if (!data->campaign_key.empty())
                rec->campaign_key = data->campaign_key;
            if (!data->variation_name.empty())
                rec->variation_name = data->variation_name;
            if (!data->goal_identifier.empty())
                rec->goal_identifier = data->goal_identifier;
        }
        return rec;
    }

    user_storage& store_;
    std::string_view user_id_;
    const call_options& options_;
    const logger& log_;
    std::string_view api_;
    mutable std::vector<std::pair<const core::decision::campaign*, std::optional<user_storage_record>>> cache_;
};

} // namespace vwo::engine
