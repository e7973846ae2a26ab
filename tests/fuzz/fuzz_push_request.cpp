// libFuzzer target: push arguments → validation → every request shape that carries them.
//
// Input: NUL-separated parts "key\0value[\0key\0value[\0key\0value]]\0user_id". The last part is
// the user id; the parts before it are key/value pairs in order (at most 3; a dangling key gets
// an empty value, extra parts are ignored). "browser\0chrome\0user-1" is push('browser',
// 'chrome', 'user-1').
//
// Properties (docs/protocol.md#validation-both-call-forms-one-rule, docs/reliability.md R9):
//  - check_push accepts exactly what an independent reference implementation of the rule
//    accepts; its rejection has code invalid_argument and a message that starts with
//    "push rejected: " and is valid UTF-8;
//  - utf8_code_points agrees with an independent decoder on every part;
//  - append_json_string round-trips every valid UTF-8 part through a real JSON parser;
//  - percent_decode inverts append_query_value and encode_uri_component for arbitrary bytes;
//  - for a valid call, the push GET, batch-events and events/t requests have RFC 3986
//    queries (unreserved, %XX, '=', '&'), the expected parameter names in order, values that
//    percent-decode, tags / t that decode to the JSON {"u":{key:value}}, and bodies that parse
//    as JSON carrying every key and value.

#include "core/json_writer.hpp"
#include "core/request_builder.hpp"
#include "core/url_encoding.hpp"
#include "core/validation.hpp"
#include "fuzz_check.hpp"

#include <vwo/error.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using nlohmann::json;
using namespace vwo::core;

constexpr std::string_view sdk_key = "abcdef0123456789abcdef0123456789";
constexpr std::string_view account_id = "123456";
constexpr std::string_view path_prefix = "/eu01";
constexpr double random_value = 0.1777751051170493;
constexpr std::string_view random_text = "0.1777751051170493";

const request_context& context()
{
    static const request_context ctx = [] {
        usage_stats usage;
        usage.batch_events = true;
        usage.custom_logger = true;
        usage.log_level = 4;
        return request_context(std::string(path_prefix), std::string(account_id), std::string(sdk_key),
                               "vwo-cpp-sdk", "0.1.0", usage);
    }();
    return ctx;
}

// A fixed instant with a sub-second part, so ceil-s and ms differ visibly.
const system_time fixed_now = system_time{std::chrono::milliseconds{1795445028500LL}};

// ---- independent reference for the validation rule ------------------------------------------

// Decodes code point by code point (instead of validation.cpp's lead-byte ranges).
std::optional<std::size_t> reference_code_points(std::string_view text)
{
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t cp = 0;
        std::uint32_t minimum = 0;
        if (b0 < 0x80) {
            length = 1;
            cp = b0;
        } else if ((b0 & 0xE0) == 0xC0) {
            length = 2;
            cp = b0 & 0x1F;
            minimum = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            length = 3;
            cp = b0 & 0x0F;
            minimum = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            length = 4;
            cp = b0 & 0x07;
            minimum = 0x10000;
        } else {
            return std::nullopt;
        }
        if (text.size() - i < length) return std::nullopt;
        for (std::size_t k = 1; k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if ((b & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        i += length;
        ++count;
    }
    return count;
}

bool reference_valid_text(std::string_view text)
{
    const auto points = reference_code_points(text);
    return !text.empty() && points && *points <= 255;
}

bool reference_valid_push(const dimensions& dims, std::string_view user_id)
{
    if (user_id.empty() || dims.empty()) return false;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (!reference_valid_text(dims[i].key) || !reference_valid_text(dims[i].value)) return false;
        for (std::size_t j = 0; j < i; ++j) {
            if (dims[i].key == dims[j].key) return false;
        }
    }
    return true;
}

// ---- helpers ------------------------------------------------------------------------------------

bool is_unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

/// Only unreserved characters and %XX (upper-case hex), plus the extra characters allowed.
bool only_encoded(std::string_view text, std::string_view extra)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (is_unreserved(c) || extra.find(c) != std::string_view::npos) continue;
        if (c == '%' && i + 2 < text.size() && is_upper_hex(text[i + 1]) && is_upper_hex(text[i + 2])) {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

bool is_uuid_text(std::string_view text)
{
    if (text.size() != 32) return false;
    for (const char c : text) {
        if (!is_upper_hex(c)) return false;
    }
    return true;
}

json dimension_json(const dimension& dim)
{
    json expected = json::object();
    expected["u"] = json::object();
    expected["u"][dim.key] = dim.value;
    return expected;
}

using query_params = std::vector<std::pair<std::string, std::string>>;

/// Checks `target` = expected_path '?' query, the query's alphabet, its parameter names in order,
/// and that every value percent-decodes. Returns the decoded parameters.
query_params check_target(std::string_view target, std::string_view expected_path,
                          const std::vector<std::string_view>& expected_names)
{
    const auto question = target.find('?');
    FUZZ_CHECK(question != std::string_view::npos, "target has no query");
    FUZZ_CHECK(target.substr(0, question) == expected_path, target);
    const std::string_view query = target.substr(question + 1);
    FUZZ_CHECK(only_encoded(query, "=&"), target);

    query_params params;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const std::string_view param = query.substr(start, end - start);
        const auto equals = param.find('=');
        FUZZ_CHECK(equals != std::string_view::npos, target);
        FUZZ_CHECK(param.find('=', equals + 1) == std::string_view::npos, target);
        const auto decoded = percent_decode(param.substr(equals + 1));
        FUZZ_CHECK(decoded.has_value(), target);
        params.emplace_back(std::string(param.substr(0, equals)), *decoded);
        start = end + 1;
    }
    FUZZ_CHECK(params.size() == expected_names.size(), target);
    for (std::size_t i = 0; i < params.size(); ++i) FUZZ_CHECK(params[i].first == expected_names[i], target);
    return params;
}

const std::string& param(const query_params& params, std::string_view name)
{
    for (const auto& [key, value] : params) {
        if (key == name) return value;
    }
    vwo_fuzz::fail(__FILE__, __LINE__, "param(name)", name);
}

json parse_json(std::string_view text, std::string_view what)
{
    json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(!parsed.is_discarded(), std::string(what) + " is not JSON: " + std::string(text));
    return parsed;
}

// ---- properties that hold for any bytes -------------------------------------------------------

void check_text_properties(std::string_view part)
{
    const auto ours = utf8_code_points(part);
    const auto reference = reference_code_points(part);
    FUZZ_CHECK(ours == reference, "utf8_code_points disagrees with the reference decoder");

    if (ours) {
        std::string literal;
        append_json_string(literal, part);
        const json parsed = parse_json(literal, "append_json_string output");
        FUZZ_CHECK(parsed.is_string() && parsed.get_ref<const std::string&>() == part,
                   "append_json_string does not round-trip");
    }

    std::string query_value;
    append_query_value(query_value, part);
    FUZZ_CHECK(only_encoded(query_value, ""), "append_query_value left a reserved character");
    FUZZ_CHECK(percent_decode(query_value) == std::string(part),
               "percent_decode(append_query_value(x)) != x");

    const std::string component = encode_uri_component(part);
    FUZZ_CHECK(only_encoded(component, "!*'()"), "encode_uri_component left a reserved character");
    FUZZ_CHECK(percent_decode(component) == std::string(part),
               "percent_decode(encode_uri_component(x)) != x");

    (void)percent_decode(part); // arbitrary text: may fail, must not crash
}

// ---- properties of the requests of a valid push ------------------------------------------------

void check_requests(const dimensions& dims, const std::string& user_id)
{
    const request_context& ctx = context();
    const std::string uuid = ctx.uuids(user_id);
    FUZZ_CHECK(is_uuid_text(uuid), uuid);
    const long long ceil_s = ceil_seconds(fixed_now);
    const long long ms = unix_millis(fixed_now);

    for (const dimension& dim : dims) {
        std::string literal;
        append_json_string(literal, dim.key);
        const json parsed = parse_json(literal, "append_json_string(key)");
        FUZZ_CHECK(parsed == json(dim.key), "append_json_string(key) does not parse back to the key");
    }

    // GET push, one key (docs/protocol.md#get-server-sidepush).
    {
        const wire_request get = build_push_get(ctx, dims.front(), user_id, fixed_now, random_value);
        FUZZ_CHECK(get.method == http_method::get && get.body.empty(), "B1 must be a GET without body");
        const auto params = check_target(get.target, std::string(path_prefix) + "/server-side/push",
                                         {"sId", "u", "sdk", "sdk-v", "env", "account_id", "random", "ap", "tags"});
        FUZZ_CHECK(param(params, "sId") == std::to_string(ceil_s), get.target);
        FUZZ_CHECK(param(params, "u") == uuid, get.target);
        FUZZ_CHECK(param(params, "sdk") == "vwo-cpp-sdk", get.target);
        FUZZ_CHECK(param(params, "env") == sdk_key, get.target);
        FUZZ_CHECK(param(params, "account_id") == account_id, get.target);
        FUZZ_CHECK(param(params, "random") == random_text, get.target);
        FUZZ_CHECK(param(params, "ap") == "server", get.target);
        const json tags = parse_json(param(params, "tags"), "decoded tags");
        FUZZ_CHECK(tags == dimension_json(dims.front()), "decoded tags != {\"u\":{key:value}}: " + tags.dump());
    }

    // POST batch-events with every key (docs/protocol.md#post-server-sidebatch-events).
    {
        std::vector<std::string> events;
        for (const dimension& dim : dims) events.push_back(build_batch_event(ctx, dim, user_id, fixed_now));
        const wire_request post = build_batch_events_request(ctx, events);
        FUZZ_CHECK(post.method == http_method::post, "B2 must be a POST");
        FUZZ_CHECK(post.authorization == sdk_key && post.content_type == "application/json", "B2 headers");
        const auto params = check_target(post.target, std::string(path_prefix) + "/server-side/batch-events",
                                         {"a", "eb", "cl", "ll", "_l", "sdk", "sdk-v", "env"});
        FUZZ_CHECK(param(params, "a") == account_id && param(params, "env") == sdk_key, post.target);

        const json body = parse_json(post.body, "B2 body");
        FUZZ_CHECK(body.is_object() && body.size() == 1 && body.contains("ev") && body["ev"].is_array(), post.body);
        const json& ev = body["ev"];
        FUZZ_CHECK(ev.size() == dims.size(), post.body);
        for (std::size_t i = 0; i < dims.size(); ++i) {
            const json& event = ev[i];
            FUZZ_CHECK(event.is_object() && event.size() == 4, post.body);
            FUZZ_CHECK(event.value("sId", json()) == json(ceil_s), post.body);
            FUZZ_CHECK(event.value("u", json()) == json(uuid), post.body);
            FUZZ_CHECK(event.value("eT", json()) == json(3), post.body);
            const json t = event.value("t", json());
            FUZZ_CHECK(t.is_string(), post.body);
            const auto& t_text = t.get_ref<const std::string&>();
            FUZZ_CHECK(only_encoded(t_text, "!*'()"), "t is not encodeURIComponent output: " + t_text);
            const auto decoded = percent_decode(t_text);
            FUZZ_CHECK(decoded.has_value(), t_text);
            const json payload = parse_json(*decoded, "decoded t");
            FUZZ_CHECK(payload == dimension_json(dims[i]), "decoded t != {\"u\":{key:value}}: " + payload.dump());
        }
    }

    // POST events/t with every key in visitor.props (docs/protocol.md#post-eventst).
    {
        const wire_request post = build_event_arch_request(ctx, dims, user_id, fixed_now, random_value);
        FUZZ_CHECK(post.method == http_method::post && post.content_type == "application/json", "B3 shape");
        const auto params = check_target(post.target, std::string(path_prefix) + "/events/t",
                                         {"en", "a", "env", "eTime", "random", "p", "visitor_ua", "visitor_ip"});
        FUZZ_CHECK(param(params, "en") == "vwo_syncVisitorProp", post.target);
        FUZZ_CHECK(param(params, "eTime") == std::to_string(ms), post.target);
        FUZZ_CHECK(param(params, "visitor_ua").empty() && param(params, "visitor_ip").empty(), post.target);

        const json body = parse_json(post.body, "B3 body");
        const json::json_pointer visitor_props("/d/visitor/props");
        FUZZ_CHECK(body.contains(visitor_props) && body[visitor_props].is_object(), post.body);
        const json& props = body[visitor_props];
        bool environment_overridden = false;
        for (const dimension& dim : dims) {
            if (dim.key == "vwo_fs_environment") environment_overridden = true;
            FUZZ_CHECK(props.contains(dim.key) && props[dim.key] == json(dim.value),
                       "visitor.props lacks key/value " + json(dim.key).dump());
        }
        FUZZ_CHECK(props.size() == dims.size() + (environment_overridden ? 0 : 1),
                   "visitor.props has unexpected members: " + props.dump());
        if (!environment_overridden) FUZZ_CHECK(props["vwo_fs_environment"] == json(sdk_key), props.dump());
        FUZZ_CHECK(body.value(json::json_pointer("/d/visId"), json()) == json(uuid), post.body);
        FUZZ_CHECK(body.value(json::json_pointer("/d/msgId"), json()) == json(uuid + "-" + std::to_string(ms)),
                   post.body);
        FUZZ_CHECK(body.value(json::json_pointer("/d/event/props/vwo_envKey"), json()) == json(sdk_key), post.body);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = input.find('\0', start);
        if (end == std::string_view::npos) {
            parts.push_back(input.substr(start));
            break;
        }
        parts.push_back(input.substr(start, end - start));
        start = end + 1;
    }

    const std::string user_id(parts.back());
    dimensions dims;
    for (std::size_t i = 0; i + 1 < parts.size() && dims.size() < 3; i += 2) {
        const std::string_view value = i + 2 < parts.size() ? parts[i + 1] : std::string_view();
        dims.push_back(dimension{std::string(parts[i]), std::string(value)});
    }

    for (const std::string_view part : parts) check_text_properties(part);

    const auto checked = check_push(dims, user_id);
    const bool expected_valid = reference_valid_push(dims, user_id);
    if (!checked) {
        const std::string problem = checked.error().message;
        FUZZ_CHECK(!expected_valid, "check_push rejected a valid call: " + problem);
        FUZZ_CHECK(checked.error().code == vwo::errc::invalid_argument, "rejection with another code: " + problem);
        FUZZ_CHECK(problem.starts_with("push rejected: "), problem);
        FUZZ_CHECK(utf8_code_points(problem).has_value(), "rejection message is not valid UTF-8");
        return 0;
    }
    FUZZ_CHECK(expected_valid, "check_push accepted an invalid call");
    check_requests(dims, user_id);
    return 0;
}
