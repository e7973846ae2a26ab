// Compares the C++ decision core with the official Node SDK (vwo-node-sdk 1.73.0), decision by
// decision, over the committed tables in tables/ (made by generate_tables.js from settings/).
//
// For every settings file, user and campaign it replays what the Node driver called — activate,
// getVariationName, isFeatureEnabled and getFeatureVariableValue for every variable key, with the
// user's profile of customVariables / variationTargetingVariables — through the core plus the API
// gates of docs/decisions.md#order-of-checks (status, campaign type), in both bucketing modes:
//   bucketing_compat::node     must equal Node for every user;
//   bucketing_compat::standard must equal Node for every ASCII user, and for non-ASCII users must equal
//                              Node run with murmurhash fed UTF-8 bytes (the tables' "utf8" column),
//                              which is what docs/decisions.md#non-ascii-user-ids-bucketing_compat
//                              gives the default mode.
// The only allowed difference is our fix of a Node bug, each named below
// (docs/decisions.md#differences-from-node-1730-in-the-decisions). It also checks that Node sent exactly
// one (stubbed) track-user impression per activate with a variation and per isFeatureEnabled with a
// variation (docs/decisions.md#what-each-api-accepts-and-returns), as the C++ decisions predict (except
// where a named exception gives a variation that Node's exception denied: Node sent nothing there).

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "core/account.hpp"
#include "core/decision/api_gate.hpp"
#include "core/decision/campaign_settings.hpp"
#include "core/decision/decide.hpp"
#include "core/decision/feature.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace vwo::core::decision;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool is_ascii(std::string_view text)
{
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

attribute_map to_attributes(const json& object)
{
    attribute_map out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const json& v = it.value();
        if (v.is_string()) out[it.key()] = v.get<std::string>();
        else if (v.is_boolean()) out[it.key()] = v.get<bool>();
        else if (v.is_number_integer()) out[it.key()] = v.get<std::int64_t>();
        else if (v.is_number_float()) out[it.key()] = v.get<double>();
        else FAIL("profile value of unsupported type: " << it.key());
    }
    return out;
}

// A table value (see generate_tables.js FORMAT) against what the core returns.
bool same_value(const json& node, const std::optional<variable_value>& ours)
{
    if (node.is_null()) return !ours.has_value();
    if (!ours) return false;
    if (node.is_boolean()) {
        const auto* b = std::get_if<bool>(&*ours);
        return b != nullptr && *b == node.get<bool>();
    }
    const auto number_of = [&](double& out) {
        if (const auto* i = std::get_if<std::int64_t>(&*ours)) {
            out = static_cast<double>(*i);
            return true;
        }
        if (const auto* d = std::get_if<double>(&*ours)) {
            out = *d;
            return true;
        }
        return false;
    };
    double number = 0;
    if (node.is_number()) return number_of(number) && number == node.get<double>();
    if (node.is_string()) {
        const auto* s = std::get_if<std::string>(&*ours);
        return s != nullptr && *s == node.get<std::string>();
    }
    if (node.is_object() && node.contains("json")) {
        const auto* s = std::get_if<std::string>(&*ours);
        return s != nullptr && *s == node["json"].get<std::string>();
    }
    if (node.is_object() && node.contains("number")) {
        const std::string text = node["number"].get<std::string>();
        if (!number_of(number)) return false;
        if (text == "Infinity") return number == INFINITY;
        if (text == "-Infinity") return number == -INFINITY;
        return number != number;
    }
    return false;
}

std::string describe(const std::optional<variable_value>& v)
{
    if (!v) return "null";
    return std::visit(
        [](const auto& x) {
            std::ostringstream out;
            out << std::boolalpha << x;
            return out.str();
        },
        *v);
}

struct counters {
    std::size_t calls = 0;      // API values compared
    std::size_t equal = 0;      // equal to Node
    std::size_t exceptions = 0; // differing by a named fix of ours
    std::size_t mismatches = 0; // anything else (fails the test)
    std::size_t track_user = 0; // impressions the C++ decisions predict
};

// Our fixes that make the C++ core differ from Node 1.73.0, by name
// (docs/decisions.md#differences-from-node-1730-in-the-decisions).
enum class named_exception {
    none,
    // docs/decisions.md#feature-variables: a feature test whose ids are strings has no `id === 1` control, Node
    // throws "Cannot read properties of undefined (reading 'length')" and returns null for every user in a disabled
    // variation; we take the variation with id "1" as the control (FT_STRING_IDS).
    control_by_string_id,
    // docs/decisions.md#how-a-group-decides: the MEG random algorithm gives each of n eligible members floor(100/n)
    // %, so for n = 3 (7, ...) the ranges end at 9900 (9800, ...); a group bucket above them finds no winner and
    // Node throws TypeError "Cannot read properties of null (reading 'key')" → null / false. We extend the last
    // range to 10000, so the last eligible member gets a variation there (decision_result::group_range_extended).
    meg_random_gap,
};

const char* name_of(named_exception e)
{
    switch (e) {
    case named_exception::control_by_string_id: return "deliberate difference from Node: feature-test control found by string id \"1\"";
    case named_exception::meg_random_gap: return "deliberate difference from Node: MEG random-algorithm gap given to the last member";
    case named_exception::none: break;
    }
    return "";
}

struct report {
    std::map<std::string, std::size_t> exceptions; // name → count
    std::vector<std::string> first_mismatches;
    std::set<std::string> meg_gap_users; // "<settings> <mode> user <id>" where the gap fix gave a variation
};

// Replays one user's calls on one campaign, as the API layer will wire them.
void replay(const campaign_settings& settings, const json& table_campaign, std::string_view user_id,
            const attribute_map& custom, const attribute_map& targeting, bucketing_compat compat,
            std::string_view expected_token, counters& count, report& rep, const std::string& context)
{
    const std::string key = table_campaign["key"].get<std::string>();
    const json& values = table_campaign["values"];
    const auto& names = table_campaign["variations"];
    const campaign* c = settings.find_campaign(key);
    REQUIRE(c != nullptr);

    const bool running = c->is_running; // docs/decisions.md#order-of-checks, step 5
    decision_result d;
    if (running) d = decide(settings, *c, decision_input{user_id, &custom, &targeting, compat});

    const auto variation_char = [&](decision_api api) {
        if (!running || !api_accepts(api, c->type) || d.chosen == nullptr) return '-';
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i].get<std::string>() == d.chosen->name) return digits[i];
        }
        return '?';
    };

    // The MEG gap exception holds only where C++ has a variation and Node the null of its TypeError.
    const bool meg_gap = d.group_range_extended && d.chosen != nullptr;
    if (meg_gap && !context.empty()) rep.meg_gap_users.insert(context);
    const auto check = [&](std::size_t pos, char ours, const std::string& what, const std::string& detail,
                           named_exception allowed, char node_null = '-') {
        ++count.calls;
        const char theirs = pos < expected_token.size() ? expected_token[pos] : '!';
        if (allowed == named_exception::none && meg_gap && theirs == node_null) allowed = named_exception::meg_random_gap;
        if (theirs == ours) {
            ++count.equal;
        } else if (allowed != named_exception::none) {
            ++count.exceptions;
            ++rep.exceptions[name_of(allowed)];
        } else {
            ++count.mismatches;
            if (rep.first_mismatches.size() < 40) {
                rep.first_mismatches.push_back(context + " " + key + " " + what + ": node '" + theirs + "', c++ '" +
                                               ours + "'" + detail + " (" + std::string(to_string(d.status)) + ")");
            }
        }
    };

    const char a = variation_char(decision_api::activate);
    check(0, a, "activate", "", named_exception::none);
    check(1, variation_char(decision_api::get_variation_name), "getVariationName", "", named_exception::none);
    const bool enabled = running && api_accepts(decision_api::is_feature_enabled, c->type) && is_feature_enabled(*c, d);
    check(2, enabled ? '1' : '0', "isFeatureEnabled", "", named_exception::none, '0');

    // Impressions (docs/decisions.md#what-each-api-accepts-and-returns): activate with a variation, and
    // isFeatureEnabled whenever a variation was assigned (whatever its isFeatureEnabled). Not in a MEG gap: Node
    // threw before tracking.
    if (!meg_gap && a != '-') ++count.track_user;
    if (!meg_gap && running && api_accepts(decision_api::is_feature_enabled, c->type) && d.chosen != nullptr) {
        ++count.track_user;
    }

    const auto& keys = table_campaign["variables"];
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::string variable = keys[k].get<std::string>();
        std::optional<variable_value> value;
        named_exception allowed = named_exception::none;
        if (running && api_accepts(decision_api::get_feature_variable_value, c->type)) {
            const variable_lookup lookup = feature_variable_value(*c, d, variable);
            value = lookup.value;
            if (lookup.control_by_string_id) allowed = named_exception::control_by_string_id;
        }
        char ours = '?';
        char node_null = '?';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (ours == '?' && same_value(values[i], value)) ours = digits[i];
            if (node_null == '?' && values[i].is_null()) node_null = digits[i];
        }
        // The exception applies only where Node's value is the null of its TypeError.
        if (allowed != named_exception::none) {
            const char theirs = 3 + k < expected_token.size() ? expected_token[3 + k] : '!';
            const auto index = digits.find(theirs);
            if (index == std::string::npos || index >= values.size() || !values[index].is_null()) {
                allowed = named_exception::none;
            }
        }
        check(3 + k, ours, "getFeatureVariableValue(" + variable + ")", " = " + describe(value), allowed, node_null);
    }
}

std::vector<std::string_view> split_tokens(std::string_view text)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t space = text.find(' ', start);
        out.push_back(text.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return out;
}

} // namespace

TEST_CASE("C++ decisions equal vwo-node-sdk 1.73.0 on every committed table", "[decision][node]")
{
    const fs::path tables = VWO_NODE_DECISIONS_DIR "/tables";
    const fs::path settings_dir = VWO_NODE_DECISIONS_DIR "/settings";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(tables)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 5);

    counters total_node;
    counters total_standard;
    report rep;
    std::size_t users_total = 0;
    std::size_t non_ascii_total = 0;
    for (const fs::path& file : files) {
        const json table = json::parse(read_file(file));
        const std::string settings_name = table["settings"].get<std::string>();
        INFO("table " << file.filename().string());
        CHECK(table["sdk"] == "vwo-node-sdk@1.73.0");
        const auto parsed = vwo::core::parse_account(read_file(settings_dir / settings_name));
        INFO((parsed ? std::string() : parsed.error().message));
        REQUIRE(parsed.has_value());
        const campaign_settings& settings = (*parsed)->campaigns;

        std::vector<std::pair<attribute_map, attribute_map>> profiles;
        for (const auto& p : table["profiles"]) {
            profiles.emplace_back(to_attributes(p["customVariables"]), to_attributes(p["variationTargetingVariables"]));
        }
        const json& campaigns = table["campaigns"];
        REQUIRE(campaigns.size() == settings.campaigns().size());

        counters file_node;
        counters file_standard;
        std::size_t users = 0;
        std::size_t non_ascii = 0;
        for (const auto& row : table["users"]) {
            const std::string user = row[0].get<std::string>();
            const auto& [custom, targeting] = profiles.at(row[1].get<std::size_t>());
            const bool ascii = is_ascii(user);
            ++users;
            if (!ascii) ++non_ascii;
            const std::string node_tokens = row[2].get<std::string>();
            const auto node_split = split_tokens(node_tokens);
            REQUIRE(node_split.size() == campaigns.size());
            // Standard mode: Node's own answers for ASCII ids, the UTF-8-hash run for the others.
            std::string standard_tokens = node_tokens;
            if (!ascii) {
                REQUIRE(row.size() == 4);
                standard_tokens = row[3].get<std::string>();
            }
            const auto standard_split = split_tokens(standard_tokens);
            REQUIRE(standard_split.size() == campaigns.size());
            for (std::size_t i = 0; i < campaigns.size(); ++i) {
                replay(settings, campaigns[i], user, custom, targeting, bucketing_compat::node, node_split[i], file_node,
                       rep, settings_name + " node-mode user '" + user + "'");
                if (ascii) {
                    // Identical inputs in both modes: still compared, so that the standard mode is
                    // seen to equal Node for every ASCII id.
                    replay(settings, campaigns[i], user, custom, targeting, bucketing_compat::standard, node_split[i],
                           file_standard, rep, settings_name + " standard-mode user '" + user + "'");
                } else {
                    replay(settings, campaigns[i], user, custom, targeting, bucketing_compat::standard,
                           standard_split[i], file_standard, rep,
                           settings_name + " standard-mode (utf8 column) user '" + user + "'");
                }
            }
        }
        CHECK(users >= 300 + non_ascii);

        // Impressions: node run = every user in node mode; utf8 run = the non-ASCII users in standard mode.
        std::size_t standard_non_ascii_track = 0;
        {
            counters scratch;
            report ignored;
            for (const auto& row : table["users"]) {
                const std::string user = row[0].get<std::string>();
                if (is_ascii(user)) continue;
                const auto& [custom, targeting] = profiles.at(row[1].get<std::size_t>());
                const std::string tokens = row[3].get<std::string>(); // split_tokens views into it
                const auto split = split_tokens(tokens);
                for (std::size_t i = 0; i < campaigns.size(); ++i) {
                    replay(settings, campaigns[i], user, custom, targeting, bucketing_compat::standard, split[i],
                           scratch, ignored, "");
                }
            }
            standard_non_ascii_track = scratch.track_user;
        }
        CHECK(table["trackUserRequests"]["node"].get<std::size_t>() == file_node.track_user);
        CHECK(table["trackUserRequests"]["utf8"].get<std::size_t>() == standard_non_ascii_track);

        std::printf("%-22s %3zu users (%zu non-ASCII) x %2zu campaigns: node mode %zu/%zu equal, %zu named "
                    "exceptions; standard mode %zu/%zu equal, %zu named exceptions\n",
                    settings_name.c_str(), users, non_ascii, campaigns.size(), file_node.equal, file_node.calls,
                    file_node.exceptions, file_standard.equal, file_standard.calls, file_standard.exceptions);
        const auto add = [](counters& to, const counters& from) {
            to.calls += from.calls;
            to.equal += from.equal;
            to.exceptions += from.exceptions;
            to.mismatches += from.mismatches;
        };
        add(total_node, file_node);
        add(total_standard, file_standard);
        users_total += users;
        non_ascii_total += non_ascii;
    }

    std::printf("TOTAL: node mode %zu calls, %zu equal, %zu named exceptions, %zu mismatches; standard mode %zu "
                "calls, %zu equal, %zu named exceptions, %zu mismatches (%zu user rows, %zu non-ASCII)\n",
                total_node.calls, total_node.equal, total_node.exceptions, total_node.mismatches, total_standard.calls,
                total_standard.equal, total_standard.exceptions, total_standard.mismatches, users_total,
                non_ascii_total);
    for (const auto& [name, n] : rep.exceptions) std::printf("  named exception: %s: %zu calls\n", name.c_str(), n);
    std::printf("  MEG random-algorithm gap: %zu (settings, mode, user) rows where the fix gave a variation\n",
                rep.meg_gap_users.size());
    for (const auto& row : rep.meg_gap_users) std::printf("    %s\n", row.c_str());
    for (const auto& m : rep.first_mismatches) UNSCOPED_INFO(m);
    CHECK(total_node.mismatches == 0);
    CHECK(total_standard.mismatches == 0);
    CHECK(total_node.equal + total_node.exceptions == total_node.calls);
    // Each named exception must actually occur (otherwise the table no longer covers it).
    CHECK(rep.exceptions.count(name_of(named_exception::control_by_string_id)) == 1);
    CHECK(rep.exceptions.count(name_of(named_exception::meg_random_gap)) == 1);
}
