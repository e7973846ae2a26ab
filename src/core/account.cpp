#include "core/account.hpp"

#include "core/decision/campaign_settings_fill.hpp"
#include "core/json_limits.hpp"

#include <vwo/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <exception>
#include <new>
#include <utility>

namespace vwo::core {
namespace {

using json = nlohmann::ordered_json; // ordered: groups and campaignGroups are read in file order

constexpr std::size_t max_sdk_key_length = 256;

failure refused(std::string message)
{
    return fail(errc::invalid_settings, "settings file: " + std::move(message));
}

bool is_digits(std::string_view text) noexcept
{
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

bool is_unreserved(std::string_view text) noexcept
{
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_' || c == '~';
        if (!ok) return false;
    }
    return true;
}

// Optional fields treat JSON null like absence: generators emit null for "not set".
const json* optional_field(const json& root, const char* name)
{
    const auto it = root.find(name);
    if (it == root.end() || it->is_null()) return nullptr;
    return &*it;
}

/// The top-level fields, checked before any campaign is read (so their errors come first).
struct top_level {
    std::string account_id;
    std::string sdk_key;
    std::string version;
    bool event_arch_enabled = false;
    std::string collection_prefix;
};

outcome<top_level> read_top_level(const json& root)
{
    if (!root.is_object()) return refused("top level must be a JSON object");
    top_level out;

    const auto account = root.find("accountId");
    if (account == root.end()) return refused("accountId is missing");
    if (account->is_number_unsigned()) {
        out.account_id = std::to_string(account->get<std::uint64_t>());
    } else if (account->is_string() && is_digits(account->get_ref<const std::string&>()) &&
               account->get_ref<const std::string&>().size() <= 20) {
        out.account_id = account->get<std::string>();
    } else {
        return refused("accountId must be a non-negative integer or a string of decimal digits (at most 20)");
    }

    const auto key = root.find("sdkKey");
    if (key == root.end()) return refused("sdkKey is missing");
    if (!key->is_string() || key->get_ref<const std::string&>().empty()) {
        return refused("sdkKey must be a non-empty string");
    }
    // It goes into a query parameter and, in batch mode, the Authorization header: visible ASCII only, so
    // it can never inject a header or a request (docs/protocol.md). Never quoted in a message.
    const auto& key_text = key->get_ref<const std::string&>();
    if (key_text.size() > max_sdk_key_length) {
        return refused("sdkKey is longer than " + std::to_string(max_sdk_key_length) + " characters");
    }
    for (const char c : key_text) {
        if (c <= 0x20 || c >= 0x7F) {
            return refused("sdkKey holds a character other than visible ASCII (letters, digits, punctuation)");
        }
    }
    out.sdk_key = key_text;

    const auto version = root.find("version");
    if (version == root.end()) return refused("version is missing");
    if (version->is_string()) {
        out.version = version->get<std::string>();
    } else if (version->is_number()) {
        out.version = version->dump(); // shortest text of the number, as JavaScript would print it
    } else {
        return refused("version must be a number or a string");
    }

    const auto campaigns = root.find("campaigns");
    if (campaigns == root.end()) return refused("campaigns is missing");
    if (!campaigns->is_array()) return refused("campaigns must be an array");

    if (const json* arch = optional_field(root, "isEventArchEnabled")) {
        if (!arch->is_boolean()) return refused("isEventArchEnabled must be a boolean");
        out.event_arch_enabled = arch->get<bool>();
    }

    if (const json* prefix = optional_field(root, "collectionPrefix")) {
        if (!prefix->is_string()) return refused("collectionPrefix must be a string");
        const auto& text = prefix->get_ref<const std::string&>();
        // One path segment of unreserved characters: it is pasted into every request path.
        // Empty means "no prefix", as Node treats a falsy collectionPrefix.
        if (!text.empty() && (text == "." || text == ".." || !is_unreserved(text))) {
            return refused("collectionPrefix must be a path segment of letters, digits, '-', '.', '_' or '~'");
        }
        out.collection_prefix = text;
    }
    return out;
}

} // namespace

outcome<std::shared_ptr<const account>> parse_account(std::string_view text)
{
    // Depth first: every walk of the document below (ours and nlohmann's) recurses per level.
    if (auto depth = check_json_depth(text); !depth) return refused(std::move(depth.error().message));
    const auto rewritten = overflowing_numbers_as_strings(text); // 1e400 is Infinity, as in JavaScript
    if (rewritten) text = *rewritten;
    try {
        const json root = json::parse(text.begin(), text.end());
        auto top = read_top_level(root);
        if (!top) return top.error();
        auto out = std::make_shared<account>(account::parse_key{}, decision::campaigns_account_id(root.at("accountId")));
        out->account_id = std::move(top->account_id);
        out->sdk_key = std::move(top->sdk_key);
        out->version = std::move(top->version);
        out->event_arch_enabled = top->event_arch_enabled;
        out->collection_prefix = std::move(top->collection_prefix);
        if (auto filled = decision::fill_campaign_settings(out->campaigns, root); !filled) {
            return filled.error();
        }
        return std::shared_ptr<const account>(std::move(out));
    } catch (const json::parse_error& e) {
        return refused(malformed_json_message(e.byte, text.size()));
    } catch (const std::exception& e) {
        // bad_alloc or an unexpected nlohmann type error: still a refused settings file, never a throw.
        // Never the exception's text: nlohmann's messages can quote the document (the SDK key).
        return refused(std::string("could not be read (") +
                       (dynamic_cast<const std::bad_alloc*>(&e) ? "out of memory" : "unexpected value type") + ")");
    }
}

} // namespace vwo::core
