// libFuzzer target: the settings file (docs/protocol.md#settings-file) as it comes from the network.
//
// Input: the raw settings JSON text.
//
// Properties (reliability.md R9):
//  - parse_account never throws and never crashes; it returns either an account or a failure with
//    code vwo::errc::invalid_settings and a message starting with "settings file: ";
//  - on success: account_id is non-empty decimal digits, sdk_key is non-empty, collection_prefix
//    is "" or one path segment of RFC 3986 unreserved characters (not "." or ".."), and the
//    result agrees with an independent read of the same JSON document;
//  - the accepted values build a settings URL and a push URL with a clean RFC 3986 query and
//    the prefix as exactly one path segment.

#include "core/request_builder.hpp"
#include "core/json_limits.hpp"
#include "core/account.hpp"
#include "fuzz_check.hpp"

#include <vwo/error.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace {

using nlohmann::json;
using namespace vwo::core;

bool is_unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool is_digits(std::string_view text)
{
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

/// The query after '?' holds only unreserved characters, %XX, '=' and '&'.
bool clean_query(std::string_view target)
{
    const auto question = target.find('?');
    if (question == std::string_view::npos) return false;
    const std::string_view query = target.substr(question + 1);
    for (std::size_t i = 0; i < query.size(); ++i) {
        const char c = query[i];
        if (is_unreserved(c) || c == '=' || c == '&') continue;
        if (c == '%' && i + 2 < query.size() && is_upper_hex(query[i + 1]) && is_upper_hex(query[i + 2])) {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

void check_accepted(std::string_view input, const account& s)
{
    FUZZ_CHECK(is_digits(s.account_id), "account_id is not non-empty digits: " + s.account_id);
    FUZZ_CHECK(!s.sdk_key.empty(), "sdk_key is empty");
    for (const char c : s.collection_prefix) {
        FUZZ_CHECK(is_unreserved(c), "collection_prefix has a reserved character: " + s.collection_prefix);
    }
    FUZZ_CHECK(s.collection_prefix != "." && s.collection_prefix != "..", "collection_prefix is a dot segment");

    FUZZ_CHECK(s.sdk_key.size() <= 256, "sdk_key longer than 256");
    for (const char c : s.sdk_key)
        FUZZ_CHECK(c > 0x20 && c < 0x7F, "sdk_key holds a byte that could end a header line");
    FUZZ_CHECK(!json_too_deep_at(input).has_value(), "accepted settings nested past the depth limit");

    // An independent read of the same document must agree with what was accepted (numbers past double's
    // range read as JavaScript reads them, as parse_account does).
    const auto rewritten = overflowing_numbers_as_strings(input);
    const std::string_view document = rewritten ? std::string_view(*rewritten) : input;
    const json root = json::parse(document.begin(), document.end(), nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(!root.is_discarded() && root.is_object(), "accepted settings that are not a JSON object");
    const json& account = root.at("accountId");
    if (account.is_number_unsigned()) {
        FUZZ_CHECK(s.account_id == std::to_string(account.get<std::uint64_t>()), s.account_id);
    } else {
        FUZZ_CHECK(account.is_string() && account.get_ref<const std::string&>() == s.account_id, s.account_id);
    }
    FUZZ_CHECK(root.at("sdkKey") == json(s.sdk_key), "sdk_key differs from the document");
    FUZZ_CHECK(root.at("campaigns").is_array() && root.at("campaigns").size() == s.campaign_count(),
               "campaign_count differs from the document");
    const auto arch = root.find("isEventArchEnabled");
    FUZZ_CHECK(s.event_arch_enabled == (arch != root.end() && arch->is_boolean() && arch->get<bool>()),
               "event_arch_enabled differs from the document");

    // The values go into request targets: the prefix must stay one path segment and the query clean.
    const std::string prefix = s.collection_prefix.empty() ? "" : "/" + s.collection_prefix;
    const std::string settings_target =
        build_settings_target(prefix, s.account_id, s.sdk_key, 0.5, "vwo-cpp-sdk", "0.1.0");
    FUZZ_CHECK(settings_target.starts_with(prefix + "/server-side/settings?"), settings_target);
    FUZZ_CHECK(clean_query(settings_target), settings_target);

    const request_context ctx(prefix, s.account_id, s.sdk_key, "vwo-cpp-sdk", "0.1.0", usage_stats{});
    const wire_request get = build_push_get(ctx, dimension{"k", "v"}, "user-1",
                                            system_time{std::chrono::seconds{1795445028}}, 0.25);
    FUZZ_CHECK(get.target.starts_with(prefix + "/server-side/push?"), get.target);
    FUZZ_CHECK(clean_query(get.target), get.target);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    outcome<std::shared_ptr<const account>> result = fail(vwo::errc::invalid_settings, "not run");
    try {
        result = parse_account(input);
    } catch (const std::exception& e) {
        vwo_fuzz::fail(__FILE__, __LINE__, "parse_account must not throw", e.what());
    } catch (...) {
        vwo_fuzz::fail(__FILE__, __LINE__, "parse_account must not throw", "unknown exception");
    }

    if (!result) {
        const failure& f = result.error();
        FUZZ_CHECK(f.code == vwo::errc::invalid_settings, "failure with another code: " + f.code.message());
        FUZZ_CHECK(f.message.starts_with("settings file: "), "failure without a proper message: " + f.message);
        return 0;
    }
    FUZZ_CHECK(*result != nullptr, "success without an account");
    check_accepted(input, **result);
    return 0;
}
