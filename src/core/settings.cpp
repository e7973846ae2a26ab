#include "core/settings.hpp"

#include "core/json_limits.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <new>

namespace vwo::core {
namespace {

using json = nlohmann::json;

constexpr std::size_t max_sdk_key_length = 256;

settings_result failure(std::string message)
{
    return settings_result{std::nullopt, "settings file: " + std::move(message)};
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

settings_result parse_document(const json& root)
{
    if (!root.is_object()) return failure("top level must be a JSON object");
    settings out;

    const auto account = root.find("accountId");
    if (account == root.end()) return failure("accountId is missing");
    if (account->is_number_unsigned()) {
        out.account_id = std::to_string(account->get<std::uint64_t>());
    } else if (account->is_string() && is_digits(account->get_ref<const std::string&>()) &&
               account->get_ref<const std::string&>().size() <= 20) {
        out.account_id = account->get<std::string>();
    } else {
        return failure("accountId must be a non-negative integer or a string of decimal digits (at most 20)");
    }

    const auto key = root.find("sdkKey");
    if (key == root.end()) return failure("sdkKey is missing");
    if (!key->is_string() || key->get_ref<const std::string&>().empty()) {
        return failure("sdkKey must be a non-empty string");
    }
    // It goes into a query parameter and, in batch mode, the Authorization header: visible ASCII only, so
    // it can never inject a header or a request (docs/protocol.md). Never quoted in a message.
    const auto& key_text = key->get_ref<const std::string&>();
    if (key_text.size() > max_sdk_key_length) return failure("sdkKey is longer than " + std::to_string(max_sdk_key_length) + " characters");
    for (const char c : key_text) {
        if (c <= 0x20 || c >= 0x7F) return failure("sdkKey holds a character other than visible ASCII (letters, digits, punctuation)");
    }
    out.sdk_key = key_text;

    const auto version = root.find("version");
    if (version == root.end()) return failure("version is missing");
    if (version->is_string()) {
        out.version = version->get<std::string>();
    } else if (version->is_number()) {
        out.version = version->dump(); // shortest text of the number, as JavaScript would print it
    } else {
        return failure("version must be a number or a string");
    }

    const auto campaigns = root.find("campaigns");
    if (campaigns == root.end()) return failure("campaigns is missing");
    if (!campaigns->is_array()) return failure("campaigns must be an array");
    out.campaign_count = campaigns->size();

    if (const json* arch = optional_field(root, "isEventArchEnabled")) {
        if (!arch->is_boolean()) return failure("isEventArchEnabled must be a boolean");
        out.event_arch_enabled = arch->get<bool>();
    }

    if (const json* prefix = optional_field(root, "collectionPrefix")) {
        if (!prefix->is_string()) return failure("collectionPrefix must be a string");
        const auto& text = prefix->get_ref<const std::string&>();
        // One path segment of unreserved characters: it is pasted into every request path.
        // Empty means "no prefix", as Node treats a falsy collectionPrefix.
        if (!text.empty() && (text == "." || text == ".." || !is_unreserved(text))) {
            return failure("collectionPrefix must be a path segment of letters, digits, '-', '.', '_' "
                           "or '~'");
        }
        out.collection_prefix = text;
    }

    return settings_result{std::move(out), {}};
}

} // namespace

settings_result parse_settings(std::string_view text)
{
    // Depth first: every walk of the document below (ours and nlohmann's) recurses per level.
    if (auto too_deep = refuse_deep_json(text)) return failure(std::move(*too_deep));
    const auto rewritten = overflowing_numbers_as_strings(text); // 1e400 is Infinity, as in JavaScript
    if (rewritten) text = *rewritten;
    try {
        const json root = json::parse(text.begin(), text.end());
        return parse_document(root);
    } catch (const json::parse_error& e) {
        return failure(malformed_json_message(e.byte, text.size()));
    } catch (const std::exception& e) {
        // bad_alloc or an unexpected nlohmann type error: still a refused settings file, never a throw.
        // The message is the exception's kind, never a quote of the text.
        return failure(std::string("could not be read (") + (dynamic_cast<const std::bad_alloc*>(&e) ? "out of memory" : "unexpected value type") + ")");
    }
}

} // namespace vwo::core
