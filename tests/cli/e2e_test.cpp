// vwo-push end to end: the real executable, run as a child process, against a real loopback
// collector in this process. Every wait is bounded: the child by run_child's deadline, the
// collector by its condition-variable waits.

#include "child_process.hpp"

#include "core/uuid.hpp"

#include <local_collector.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using vwo::test::child_options;
using vwo::test::child_process;
using vwo::test::child_result;
using vwo::test::run_child;
using vwo::tools::local_collector;
using vwo::tools::scripted_response;

namespace {

constexpr const char* account_id = "123456";
constexpr const char* sdk_key = "abcdef0123456789abcdef0123456789";
constexpr std::chrono::seconds child_deadline{90};

std::string settings_json()
{
    return std::string(R"({"accountId":)") + account_id + R"(,"sdkKey":")" + sdk_key +
           R"(","version":1,"campaigns":[]})";
}

/// A directory of its own for one test's files, removed afterwards. Thread-safety: one test thread.
class scratch_dir {
public:
    scratch_dir()
    {
        std::filesystem::create_directories(VWO_CLI_WORK_DIR);
        std::string pattern = std::string(VWO_CLI_WORK_DIR) + "/run-XXXXXX";
        if (!mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~scratch_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    std::string write(const std::string& name, const std::string& content) const
    {
        const std::string path = path_ + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

private:
    std::string path_;
};

/// One dimension as the collector saw it: the visitor UUID, the key and the value.
using event = std::tuple<std::string, std::string, std::string>;

struct row_data {
    std::string user, key, value;
};

std::string percent_decode(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

void add_tags(std::multiset<event>& out, const std::string& visitor, const std::string& tags_json)
{
    const auto tags = nlohmann::json::parse(tags_json);
    for (const auto& [key, value] : tags.at("u").items())
        out.emplace(visitor, key, value.get<std::string>());
}

/// Every dimension in every push and batch-events request the collector recorded.
std::multiset<event> received_events(const local_collector& collector)
{
    std::multiset<event> out;
    for (const auto& r : collector.requests()) {
        if (r.path == "/server-side/batch-events") {
            const auto body = nlohmann::json::parse(r.body); // named: a temporary would die before the loop
            for (const auto& ev : body.at("ev"))
                add_tags(out, ev.at("u").get<std::string>(), percent_decode(ev.at("t").get<std::string>()));
        } else if (r.path == "/server-side/push") {
            add_tags(out, r.query_value("u").value_or(""), r.query_value("tags").value_or("{}"));
        }
    }
    return out;
}

std::string show(const event& e)
{
    return "(" + std::get<0>(e) + ", " + nlohmann::json(std::get<1>(e)).dump() + ", " +
           nlohmann::json(std::get<2>(e)).dump() + ")";
}

/// "" when the two multisets are equal; otherwise counts and a few examples of each difference
/// (Catch would print thousands of unprintable tuples).
std::string event_difference(const std::multiset<event>& received, const std::multiset<event>& expected)
{
    std::vector<event> missing, unexpected;
    std::set_difference(expected.begin(), expected.end(), received.begin(), received.end(),
                        std::back_inserter(missing));
    std::set_difference(received.begin(), received.end(), expected.begin(), expected.end(),
                        std::back_inserter(unexpected));
    if (missing.empty() && unexpected.empty())
        return {};
    std::string text = std::to_string(received.size()) + " received, " + std::to_string(expected.size()) +
                       " expected; " + std::to_string(missing.size()) + " missing, " +
                       std::to_string(unexpected.size()) + " unexpected (or duplicated)";
    for (std::size_t i = 0; i < missing.size() && i < 3; ++i)
        text += "\n  missing: " + show(missing[i]);
    for (std::size_t i = 0; i < unexpected.size() && i < 3; ++i)
        text += "\n  unexpected: " + show(unexpected[i]);
    return text;
}

std::multiset<event> expected_events(const std::vector<row_data>& rows)
{
    const vwo::core::visitor_uuid_generator uuid(account_id);
    std::multiset<event> out;
    for (const auto& r : rows)
        out.emplace(uuid(r.user), r.key, r.value);
    return out;
}

std::string csv_field(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string jsonl_line(const row_data& r)
{
    return nlohmann::json{{"user_id", r.user}, {"key", r.key}, {"value", r.value}}.dump();
}

/// The number after `label` in the summary on stdout ("  delivered        5000").
long long summary_value(const std::string& out, const std::string& label)
{
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find_first_not_of(' ');
        if (at != std::string::npos && line.compare(at, label.size() + 1, label + " ") == 0)
            return std::stoll(line.substr(at + label.size()));
    }
    return -1;
}

std::vector<std::string> base_args(const local_collector& collector, const std::string& settings_path)
{
    return {VWO_PUSH_EXE, "--settings-file", settings_path, "--endpoint", collector.endpoint()};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// Rows with everything CSV quoting has to carry: commas, quotes, line breaks, non-ASCII.
std::vector<row_data> tricky_rows(std::size_t n)
{
    std::vector<row_data> rows;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string id = std::to_string(i);
        row_data r{"user-" + id, "plan", "v" + id};
        switch (i % 6) {
        case 0: r.value = "gold, silver " + id; break;
        case 1: r.key = "say \"hi\""; r.value = "\"quoted\" " + id; break;
        case 2: r.key = "région"; r.value = "ünïcødé-用户 " + id; break;
        case 3: r.value = "line one\nline two " + id; break;
        case 4: r.user = "user with spaces " + id; r.key = "a b&c=d"; break;
        default: break;
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string to_csv(const std::vector<row_data>& rows, const std::string& eol = "\r\n")
{
    std::string csv = "\xEF\xBB\xBFuser_id,key,value" + eol;
    for (const auto& r : rows)
        csv += csv_field(r.user) + "," + csv_field(r.key) + "," + csv_field(r.value) + eol;
    return csv;
}

std::string describe(const child_result& r)
{
    return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + "\n--- stdout\n" + r.out +
           "--- stderr\n" + r.err.substr(0, 4000);
}

} // namespace

TEST_CASE("vwo-push --csv backfills 5,000 rows to a loopback collector and every row arrives exactly once",
          "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto rows = tricky_rows(5000);
    const auto settings = dir.write("s.json", settings_json());
    const auto csv = dir.write("users.csv", to_csv(rows));

    const auto r = run_child(base_args(collector, settings) + std::vector<std::string>{"--csv", csv}, child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    WARN("5,000-row CSV backfill: " << r.elapsed.count() << " ms (process start to exit), "
                                    << collector.request_count() << " batch-events requests");

    CHECK(event_difference(received_events(collector), expected_events(rows)) == "");
    for (const auto& req : collector.requests()) {
        CHECK(req.method == "POST");
        CHECK(req.path == "/server-side/batch-events");
        CHECK(nlohmann::json::parse(req.body).at("ev").size() <= 100); // --events-per-request default
    }
    CHECK(collector.request_count() >= 50);
    CHECK(summary_value(r.out, "rows read") == 5000);
    CHECK(summary_value(r.out, "delivered") == 5000);
    CHECK(summary_value(r.out, "invalid") == 0);
    CHECK(summary_value(r.out, "failed") == 0);
    CHECK(summary_value(r.out, "dropped") == 0);
    // stderr is a pipe here: plain progress lines, at least the final one.
    CHECK(r.err.find("progress: 5000/5000 rows (100%)") != std::string::npos);
}

TEST_CASE("vwo-push --jsonl backfills every row, numbers and booleans as their JSON text", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    auto rows = tricky_rows(300);
    std::string jsonl = "\xEF\xBB\xBF";
    for (const auto& r : rows)
        jsonl += jsonl_line(r) + "\r\n";
    jsonl += "\n   \n";
    jsonl += R"({"user_id":42,"key":"price","value":19.5,"extra":"ignored"})" "\n";
    jsonl += R"({"user_id":"u-bool","key":"vip","value":true})"; // no final newline
    rows.push_back({"42", "price", "19.5"});
    rows.push_back({"u-bool", "vip", "true"});
    const auto path = dir.write("users.jsonl", jsonl);

    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--jsonl", path, "--events-per-request", "50"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(event_difference(received_events(collector), expected_events(rows)) == "");
    CHECK(summary_value(r.out, "delivered") == 302);
}

TEST_CASE("vwo-push reports invalid rows by line number, delivers the valid ones, and exits 1", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const std::string long_value(256, 'x');
    const std::string csv = "user_id,key,value\n"                   // 1
                            "u1,plan,gold\n"                        // 2 valid
                            "u2,,empty key\n"                       // 3 empty key
                            "u3,long," + long_value + "\n"          // 4 256 code points
                            "u4,only two\n"                         // 5 field count
                            "u5,ab\"c,x\n"                          // 6 quote in an unquoted field
                            "u6,k,\xC3\x28\n"                       // 7 invalid UTF-8
                            "u7,multi,\"first\n"                    // 8 valid, spans lines 8-9
                            "second\"\n"                            // 9
                            "u8,plan,\"after\" the quote\n"         // 10 text after the closing quote
                            ",k,no user\n"                          // 11 empty user id
                            "u9,plan,silver\n"                      // 12 valid
                            "u10,k,\"never closed\n"                // 13 unterminated
                            "u11,k,swallowed by line 13\n";
    const auto path = dir.write("bad.csv", csv);

    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    for (int line : {3, 4, 5, 6, 7, 10, 11, 13})
        CHECK(r.err.find(path + ":" + std::to_string(line) + ": invalid: ") != std::string::npos);
    for (int line : {2, 8, 9, 12})
        CHECK(r.err.find(path + ":" + std::to_string(line) + ":") == std::string::npos);
    CHECK(r.err.find("key \"\" is empty") != std::string::npos);
    CHECK(r.err.find("256 code points") != std::string::npos);
    CHECK(r.err.find("expected 3 fields") != std::string::npos);
    CHECK(r.err.find("not valid UTF-8") != std::string::npos);
    CHECK(r.err.find("user id is empty") != std::string::npos);
    CHECK(r.err.find("the quote opened on line 13 is never closed") != std::string::npos);

    const std::vector<row_data> valid = {
        {"u1", "plan", "gold"}, {"u7", "multi", "first\nsecond"}, {"u9", "plan", "silver"}};
    CHECK(event_difference(received_events(collector), expected_events(valid)) == "");
    CHECK(summary_value(r.out, "rows read") == 11);
    CHECK(summary_value(r.out, "invalid") == 8);
    CHECK(summary_value(r.out, "delivered") == 3);
    CHECK(r.out.find("lines 3-7, 10-11, 13") != std::string::npos);
}

TEST_CASE("vwo-push reports bad JSONL rows by line number and goes on", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const std::string jsonl = R"({"user_id":"a","key":"k","value":"1"})" "\n"   // 1
                              R"({"user_id":"b","key":"k"})" "\n"                // 2 no value
                              "not json\n"                                        // 3
                              R"(["user_id","c"])" "\n"                           // 4 not an object
                              R"({"user_id":"d","key":7,"value":"x"})" "\n"      // 5 numeric key
                              "\n"                                                // 6 blank
                              R"({"user_id":"e","key":"k","value":"5"})" "\n";  // 7
    const auto path = dir.write("bad.jsonl", jsonl);
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--jsonl", path},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(path + ":2: invalid: missing \"value\"") != std::string::npos);
    CHECK(r.err.find(path + ":3: invalid: not valid JSON") != std::string::npos);
    CHECK(r.err.find(path + ":4: invalid: expected a JSON object") != std::string::npos);
    CHECK(r.err.find(path + ":5: invalid: \"key\" must be a string") != std::string::npos);
    CHECK(event_difference(received_events(collector), expected_events({{"a", "k", "1"}, {"e", "k", "5"}})) == "");
}

TEST_CASE("vwo-push --dry-run validates every row and sends nothing", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto rows = tricky_rows(200);
    const std::string good = to_csv(rows);
    const auto path = dir.write("users.csv", good + "u,,bad\r\n");
    // Quoted line breaks push rows down: the bad row starts after every line break so far.
    const auto bad_line = std::count(good.begin(), good.end(), '\n') + 1;
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path, "--dry-run"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1); // the one invalid row
    CHECK(r.err.find(path + ":" + std::to_string(bad_line) + ": invalid: ") != std::string::npos);
    CHECK(r.out.find("dry run: nothing was sent") != std::string::npos);
    CHECK(summary_value(r.out, "validated") == 200);
    CHECK(collector.request_count() == 0);
    CHECK(collector.connections_accepted() == 0);
}

TEST_CASE("vwo-push --user --key --value sends one push request", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--user", "user 1", "--key", "a b&c=d", "--value",
                                                          "x/y \"z\" ü+%"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    REQUIRE(collector.request_count() == 1);
    const auto req = collector.requests().front();
    CHECK(req.method == "GET");
    CHECK(req.path == "/server-side/push");
    CHECK(event_difference(received_events(collector),
                           expected_events({{"user 1", "a b&c=d", "x/y \"z\" ü+%"}})) == "");
    CHECK(summary_value(r.out, "delivered") == 1);

    SECTION("an invalid single push is reported and exits 1 without a request")
    {
        const auto bad = run_child(base_args(collector, dir.write("s2.json", settings_json())) +
                                       std::vector<std::string>{"--user", "u", "--key", "k", "--value", ""},
                                   child_deadline);
        INFO(describe(bad));
        CHECK(bad.exit_code == 1);
        CHECK(bad.err.find("vwo-push: invalid: value of key \"k\" is empty") != std::string::npos);
        CHECK(collector.request_count() == 1);
    }
}

TEST_CASE("vwo-push fetches the settings with --account-id and --sdk-key from --endpoint", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    scripted_response settings;
    settings.body = settings_json();
    collector.push_responses({settings});
    const std::vector<row_data> rows = {{"u1", "k", "1"}, {"u2", "k", "2"}, {"u3", "k", "3"}};
    const auto path = dir.write("users.csv", to_csv(rows));
    const auto r = run_child({VWO_PUSH_EXE, "--account-id", account_id, "--sdk-key", sdk_key, "--endpoint",
                              collector.endpoint(), "--csv", path},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    const auto requests = collector.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].path == "/server-side/settings");
    CHECK(requests[0].query_value("a") == account_id);
    CHECK(requests[0].query_value("i") == sdk_key);
    CHECK(requests[1].path == "/server-side/batch-events");
    CHECK(event_difference(received_events(collector), expected_events(rows)) == "");
}

TEST_CASE("vwo-push reports rows the collector refused by line number and exits 1", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    scripted_response refused;
    refused.status = 400;
    collector.set_default_response(refused);
    std::vector<row_data> rows;
    for (int i = 0; i < 10; ++i)
        rows.push_back({"u" + std::to_string(i), "k", std::to_string(i)});
    const auto path = dir.write("users.csv", to_csv(rows, "\n"));
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path, "--events-per-request", "5", "--log-level",
                                                          "off"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    for (int line = 2; line <= 11; ++line)
        CHECK(r.err.find(path + ":" + std::to_string(line) + ": failed: ") != std::string::npos);
    CHECK(r.err.find("(HTTP 400)") != std::string::npos);
    CHECK(summary_value(r.out, "failed") == 10);
    CHECK(summary_value(r.out, "delivered") == 0);
    CHECK(r.out.find("lines 2-11") != std::string::npos);
    CHECK(collector.request_count() == 2); // two batches of 5, no retries for a 400
}

TEST_CASE("vwo-push reports rows still unanswered at the --timeout deadline as dropped", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    scripted_response silent;
    silent.never_answer = true;
    collector.set_default_response(silent);
    std::vector<row_data> rows;
    for (int i = 0; i < 10; ++i)
        rows.push_back({"u" + std::to_string(i), "k", std::to_string(i)});
    const auto path = dir.write("users.csv", to_csv(rows, "\n"));
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path, "--events-per-request", "5", "--timeout",
                                                          "0.5", "--log-level", "off"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    for (int line = 2; line <= 11; ++line)
        CHECK(r.err.find(path + ":" + std::to_string(line) +
                         ": dropped: not delivered before the --timeout deadline") != std::string::npos);
    CHECK(summary_value(r.out, "accepted") == 10);
    CHECK(summary_value(r.out, "dropped") == 10);
    CHECK(summary_value(r.out, "delivered") == 0);
    CHECK(r.elapsed < std::chrono::seconds(10)); // the SDK's own request deadline did not have to pass
}

TEST_CASE("vwo-push exit codes: 2 for usage errors, 3 for settings and launch failures", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto settings = dir.write("s.json", settings_json());
    const auto csv = dir.write("users.csv", "user_id,key,value\nu,k,v\n");
    const auto run = [](std::vector<std::string> args) {
        args.insert(args.begin(), VWO_PUSH_EXE);
        return run_child(args, child_deadline);
    };

    auto r = run({});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nothing to push") != std::string::npos);
    r = run({"--settings-file", settings, "--csv", csv, "--rate", "fast"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--rate must be a number") != std::string::npos);
    r = run({"--settings-file", settings, "--csv", dir.write("nohead.csv", "u,k,v\n"), "--endpoint",
             collector.endpoint()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown column \"u\"") != std::string::npos);
    r = run({"--settings-file", settings, "--csv", dir.write("missing-dir", "") + "/none.csv"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("cannot open") != std::string::npos);

    r = run({"--settings-file", dir.write("broken.json", "{not json"), "--csv", csv, "--endpoint",
             collector.endpoint()});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("settings") != std::string::npos);
    r = run({"--settings-file", dir.write("absent", "") + "/s.json", "--csv", csv});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cannot open the settings file") != std::string::npos);
    r = run({"--settings-file", settings, "--csv", csv, "--endpoint", "ftp://127.0.0.1"});
    CHECK(r.exit_code == 3);

    scripted_response unauthorized;
    unauthorized.status = 401;
    collector.push_responses({unauthorized});
    r = run({"--account-id", account_id, "--sdk-key", sdk_key, "--endpoint", collector.endpoint(), "--csv", csv});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("could not fetch the settings") != std::string::npos);
    CHECK(collector.request_count() == 1); // the settings request only; nothing was pushed

    r = run({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Exit codes:") != std::string::npos);
}

TEST_CASE("vwo-push --rate keeps to the limit", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    std::vector<row_data> rows;
    for (int i = 0; i < 40; ++i)
        rows.push_back({"u" + std::to_string(i), "k", std::to_string(i)});
    const auto path = dir.write("users.csv", to_csv(rows));
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path, "--rate", "100", "--no-batch"},
                             child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(event_difference(received_events(collector), expected_events(rows)) == "");
    CHECK(collector.request_count() == 40); // --no-batch: one request per row
    // A lower bound only (never flaky): 40 events at 100/s with a burst of 10 need at least 0.3 s.
    CHECK(r.elapsed >= std::chrono::milliseconds(300));
}

TEST_CASE("vwo-push prints a progress bar when stderr is a terminal", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto rows = tricky_rows(100);
    const auto path = dir.write("users.csv", to_csv(rows));
    child_options options;
    options.stderr_is_terminal = true;
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", path},
                             child_deadline, options);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("[####") != std::string::npos);
    CHECK(r.err.find("100/100  100%") != std::string::npos);
    CHECK(r.err.find("\x1b[K") != std::string::npos);
    CHECK(r.err.find("progress: ") == std::string::npos); // no plain lines on a terminal
}

TEST_CASE("vwo-push --csv - reads standard input", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    const auto rows = tricky_rows(250);
    child_options options;
    options.stdin_path = dir.write("users.csv", to_csv(rows));
    const auto r = run_child(base_args(collector, dir.write("s.json", settings_json())) +
                                 std::vector<std::string>{"--csv", "-", "--progress-interval", "0.05"},
                             child_deadline, options);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(event_difference(received_events(collector), expected_events(rows)) == "");
    CHECK(r.err.find("progress: 250 rows") != std::string::npos); // the total is unknown on a pipe
}

TEST_CASE("vwo-push on SIGINT stops reading, delivers what it handed over and exits 130", "[cli][e2e]")
{
    local_collector collector;
    scratch_dir dir;
    std::vector<row_data> rows;
    for (int i = 0; i < 2000; ++i)
        rows.push_back({"u" + std::to_string(i), "k", std::to_string(i)});
    const auto path = dir.write("users.csv", to_csv(rows));
    // 2,000 rows at 50/s would take 40 s: the interrupt surely lands mid-run.
    child_process child(base_args(collector, dir.write("s.json", settings_json())) +
                        std::vector<std::string>{"--csv", path, "--rate", "50", "--no-batch"});
    REQUIRE(collector.wait_for_requests(3, std::chrono::seconds(30)));
    child.send_signal(SIGINT);
    const auto r = child.wait(child_deadline);
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 130);
    CHECK(r.out.find("interrupted") != std::string::npos);
    const auto delivered = summary_value(r.out, "delivered");
    CHECK(delivered >= 3);
    CHECK(delivered < 2000);
    CHECK(static_cast<long long>(collector.request_count()) == delivered);
    // Each delivered event arrived once (no duplicates among what arrived).
    const auto got = received_events(collector);
    CHECK(std::set<event>(got.begin(), got.end()).size() == got.size());
}
