// Wire compatibility with the official VWO Node SDK (vwo-node-sdk 1.73.0).
//
// The same push calls, and the same two settings requests (the poll of launch({pollingInterval}) against our
// poll_interval, getAndUpdateSettingsFile() against get_and_update_settings_file()), are made through the Node SDK
// (run_node_sdk.js, its https module redirected to a local collector by redirect_https.js) and through this SDK
// (against a second local collector). Then the requests are compared one by one: method, path, query parameter
// names and their order, decoded values (apart from timestamps, random numbers and the SDK name/version), the
// Authorization, Content-Type and (where documented) User-Agent headers and the parsed JSON body. The differences
// documented in docs/protocol.md#where-we-differ-from-node-and-why are asserted explicitly as such; anything else
// fails.
//
// Needs node and npm, and the npm registry for the first run (the SDK is cached in the work directory).
// When they are missing the test prints why and exits with 77 (CTest SKIP_RETURN_CODE), or fails with CI=true,
// where tools/dev.sh test has installed them. Every wait has a
// deadline: npm install 150 s, the Node run 120 s (`timeout`), each C++ call 15 s, and a watchdog ends the
// process (exit 3, naming the phase) if a phase overruns, e.g. after a crash whose handler deadlocks.
//
// Configuration (compile definitions, each overridable by the environment variable of the same name):
//   VWO_NODE_COMPAT_DIR       this directory (scripts and settings/*.json)
//   VWO_NODE_COMPAT_WORK_DIR  scratch: npm/ (the installed SDK), node_result.json, logs, raw_requests.txt

#define CATCH_CONFIG_RUNNER
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#ifndef VWO_NODE_COMPAT_DIR
#error "VWO_NODE_COMPAT_DIR must name tests/node_compat"
#endif
#ifndef VWO_NODE_COMPAT_WORK_DIR
#error "VWO_NODE_COMPAT_WORK_DIR must name a scratch directory in the build tree"
#endif

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using vwo::tools::recorded_request;

namespace {

constexpr int skip_code = 77;
constexpr const char* node_sdk_version = "1.73.0";
constexpr const char* sdk_key = "abcdef0123456789abcdef0123456789";
constexpr const char* uuid_user_1 = "D8E56BFF89A75539B46C1FECD3C97D7C";   // 123456 / "user-1"
constexpr const char* uuid_user_sp = "67DBAFBF600B5C5F99DCD5CBBE8C0555";  // 123456 / "user 1"
constexpr std::chrono::seconds call_deadline{15};
constexpr std::chrono::milliseconds quiet_period{300};
// Both SDKs poll every second in the poll scenario (Node's pollingInterval, our poll_interval; 1 s is our minimum).
constexpr std::chrono::milliseconds poll_interval{1000};
// The earliest a first poll may go out after launch: Node waits one interval, ours the interval times a jitter
// factor in [0.9, 1.1). Only a lower bound is asserted; how late a loaded machine runs a timer is no contract.
constexpr std::chrono::milliseconds earliest_first_poll{900};

// ---------------------------------------------------------------------------------------------------------
// Small utilities

std::string config_path(const char* env_name, const char* compiled)
{
    const char* env = std::getenv(env_name);
    return env && *env ? std::string(env) : std::string(compiled);
}

const fs::path& compat_dir()
{
    static const fs::path p = config_path("VWO_NODE_COMPAT_DIR", VWO_NODE_COMPAT_DIR);
    return p;
}

const fs::path& work_dir()
{
    static const fs::path p = config_path("VWO_NODE_COMPAT_WORK_DIR", VWO_NODE_COMPAT_WORK_DIR);
    return p;
}

fs::path npm_prefix() { return work_dir() / "npm"; }

std::string shell_quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

// Exit status of a shell command (128 + signal when killed, -1 when it could not run).
int run_shell(const std::string& command)
{
    std::cout.flush();
    std::cerr.flush();
    const int status = std::system(command.c_str());
    if (status == -1)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

std::string read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void append_file(const fs::path& p, const std::string& text)
{
    std::ofstream out(p, std::ios::binary | std::ios::app);
    out << text;
}

// The settings routes, both answered with `json` (as application/json, which Node insists on) whatever else the
// collector is scripted to do: a poll or pull then gets valid settings, not the default body `{}`, which our client
// refuses as settings.
void serve_settings(vwo::tools::local_collector& collector, const std::string& json)
{
    vwo::tools::scripted_response settings_response;
    settings_response.body = json;
    collector.set_path_response("/server-side/settings", settings_response);
    collector.set_path_response("/server-side/pull", settings_response);
}

bool is_settings_request(const recorded_request& r)
{
    return r.path.ends_with("/server-side/settings") || r.path.ends_with("/server-side/pull");
}

std::string tail_of_file(const fs::path& p, std::size_t max_chars = 4000)
{
    try {
        std::string s = read_file(p);
        return s.size() > max_chars ? "..." + s.substr(s.size() - max_chars) : s;
    } catch (const std::exception&) {
        return "(no " + p.filename().string() + ")";
    }
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// One standard percent-decoding ('+' stays '+'); a '%' not followed by two hex digits is kept as is.
std::string percent_decode(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool all_digits(const std::string& s)
{
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

long long now_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------------------------------------------------
// Watchdog: every phase runs under a deadline. If a phase overruns it (an SDK call that never returns, or a
// crash whose signal handler deadlocks in malloc), the process says which phase and exits with status 3
// instead of hanging until CTest's timeout. The watchdog thread only calls write() and _Exit() once armed.

class watchdog {
public:
    watchdog() : thread_([this] { loop(); }) {}
    ~watchdog()
    {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void arm(const std::string& what, std::chrono::seconds limit)
    {
        {
            std::lock_guard lock(mutex_);
            message_ = "\nnode compat watchdog: " + what + " did not finish within " + std::to_string(limit.count()) +
                       " s; giving up (exit 3)\n";
            deadline_ = std::chrono::steady_clock::now() + limit;
        }
        cv_.notify_all();
    }
    void disarm()
    {
        {
            std::lock_guard lock(mutex_);
            deadline_ = std::chrono::steady_clock::time_point::max();
        }
        cv_.notify_all();
    }

private:
    void loop()
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (stop_)
                return;
            if (std::chrono::steady_clock::now() >= deadline_) {
                [[maybe_unused]] const auto n = ::write(2, message_.data(), message_.size());
                std::_Exit(3);
            }
            if (deadline_ == std::chrono::steady_clock::time_point::max())
                cv_.wait(lock);
            else
                cv_.wait_until(lock, deadline_);
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::string message_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool stop_ = false;
    std::thread thread_;  // last: starts after the other members exist
};

watchdog& dog()
{
    static watchdog w;
    return w;
}

struct watch_scope {
    watch_scope(const std::string& what, std::chrono::seconds limit) { dog().arm(what, limit); }
    ~watch_scope() { dog().disarm(); }
    watch_scope(const watch_scope&) = delete;
    watch_scope& operator=(const watch_scope&) = delete;
};

// ---------------------------------------------------------------------------------------------------------
// A request reduced to what the comparison needs, with the query split from the raw target (not decoded).

struct raw_param {
    std::string name;   // decoded (names are plain ASCII in both SDKs)
    std::string raw;    // value exactly as sent
};

std::vector<raw_param> raw_query(const std::string& target)
{
    std::vector<raw_param> out;
    const auto q = target.find('?');
    if (q == std::string::npos)
        return out;
    std::size_t pos = q + 1;
    while (pos <= target.size()) {
        auto amp = target.find('&', pos);
        if (amp == std::string::npos)
            amp = target.size();
        const std::string segment = target.substr(pos, amp - pos);
        if (!segment.empty()) {
            const auto eq = segment.find('=');
            if (eq == std::string::npos)
                out.push_back({percent_decode(segment), ""});
            else
                out.push_back({percent_decode(segment.substr(0, eq)), segment.substr(eq + 1)});
        }
        pos = amp + 1;
    }
    return out;
}

std::vector<std::string> names_of(const std::vector<raw_param>& params)
{
    std::vector<std::string> names;
    for (const auto& p : params)
        names.push_back(p.name);
    return names;
}

std::optional<std::string> raw_value(const std::vector<raw_param>& params, const std::string& name)
{
    for (const auto& p : params)
        if (p.name == name)
            return p.raw;
    return std::nullopt;
}

std::string describe(const recorded_request& r)
{
    std::string s = r.method + " " + r.target + "\n";
    for (const auto& [name, value] : r.headers)
        s += "  " + name + ": " + value + "\n";
    if (!r.body.empty())
        s += "  body: " + r.body + "\n";
    return s;
}

void log_raw(const std::string& scenario, const std::vector<recorded_request>& node,
             const std::vector<recorded_request>& ours)
{
    std::string text = "=== " + scenario + "\n--- vwo-node-sdk " + node_sdk_version + "\n";
    for (const auto& r : node)
        text += describe(r);
    text += "--- " + std::string(vwo::sdk_name) + " " + vwo::sdk_version + "\n";
    for (const auto& r : ours)
        text += describe(r);
    append_file(work_dir() / "raw_requests.txt", text + "\n");
}

// ---------------------------------------------------------------------------------------------------------
// The Node side: one run of run_node_sdk.js for every scenario, split by scenario afterwards.

struct node_scenario {
    ojson report;                          // what run_node_sdk.js wrote for it (calls, return values, requests)
    std::vector<recorded_request> requests;
};

struct node_run_result {
    bool ok = false;
    std::string failure;
    std::map<std::string, node_scenario> scenarios;
};

node_run_result run_node_once()
{
    node_run_result result;
    vwo::tools::local_collector collector;
    // One settings text for every Node scenario: what Node does with the answer is not compared, only its requests.
    serve_settings(collector, read_file(compat_dir() / "settings" / "legacy.json"));
    const fs::path out = work_dir() / "node_result.json";
    const fs::path err = work_dir() / "node_stderr.log";
    std::error_code ec;
    fs::remove(out, ec);

    const std::string command = "timeout -k 5 120 node -r " + shell_quote((compat_dir() / "redirect_https.js").string()) +
                                " " + shell_quote((compat_dir() / "run_node_sdk.js").string()) +
                                " --port " + std::to_string(collector.port()) + " --out " + shell_quote(out.string()) +
                                " --sdk-prefix " + shell_quote(npm_prefix().string()) + " --settings-dir " +
                                shell_quote((compat_dir() / "settings").string()) + " </dev/null >" +
                                shell_quote(err.string()) + " 2>&1";
    int rc = 0;
    {
        watch_scope watch("the Node SDK run (run_node_sdk.js)", std::chrono::seconds(140));
        rc = run_shell(command);
    }
    if (rc != 0) {
        result.failure = "node run_node_sdk.js exited with " + std::to_string(rc) +
                         (rc == 124 ? " (timed out after 120 s)" : "") + "\n" + tail_of_file(err) + "\n" +
                         tail_of_file(out);
        return result;
    }
    ojson report;
    try {
        report = ojson::parse(read_file(out));
    } catch (const std::exception& e) {
        result.failure = std::string("cannot parse node_result.json: ") + e.what();
        return result;
    }
    if (report.value("sdk_version", "") != node_sdk_version) {
        result.failure = "the installed vwo-node-sdk is " + report.value("sdk_version", "?") + ", not " +
                         node_sdk_version;
        return result;
    }

    // Every exchange finished before the script exited; the collector has recorded them in arrival order.
    std::size_t total = 0;
    for (const auto& s : report["scenarios"])
        total += s["requests"].size();
    collector.wait_for_requests(total, std::chrono::seconds(5));
    const auto requests = collector.requests();
    if (requests.size() != total) {
        result.failure = "the collector recorded " + std::to_string(requests.size()) +
                         " requests, the preload redirected " + std::to_string(total);
        return result;
    }
    std::size_t next = 0;
    for (const auto& s : report["scenarios"]) {
        node_scenario ns;
        ns.report = s;
        for (const auto& redirected : s["requests"]) {
            const auto& r = requests[next++];
            // The preload saw the same request the collector recorded (order, method, target).
            if (r.method != redirected["method"].get<std::string>() ||
                r.target != redirected["path"].get<std::string>()) {
                result.failure = "request order mismatch: collector saw " + r.method + " " + r.target +
                                 ", the preload sent " + redirected["method"].get<std::string>() + " " +
                                 redirected["path"].get<std::string>();
                return result;
            }
            ns.requests.push_back(r);
        }
        result.scenarios.emplace(s["name"].get<std::string>(), std::move(ns));
    }
    result.ok = true;
    return result;
}

const node_run_result& node_run()
{
    static const node_run_result result = [] {
        try {
            return run_node_once();
        } catch (const std::exception& e) {
            node_run_result r;
            r.failure = std::string("running the Node SDK failed: ") + e.what();
            return r;
        }
    }();
    return result;
}

const node_scenario& node_requests_for(const std::string& scenario)
{
    const auto& run = node_run();
    if (!run.ok)
        FAIL("the Node SDK run failed:\n" << run.failure);
    const auto it = run.scenarios.find(scenario);
    if (it == run.scenarios.end())
        FAIL("run_node_sdk.js produced no scenario " << scenario);
    INFO("Node scenario report: " << it->second.report.dump());
    for (const auto& call : it->second.report["calls"])
        CHECK(call["delivered"].get<bool>());
    return it->second;
}

// ---------------------------------------------------------------------------------------------------------
// The C++ side

std::string settings(const std::string& file) { return read_file(compat_dir() / "settings" / file); }

struct cpp_step {
    std::string call;
    std::function<vwo::api_result<bool>(vwo::client&)> run;
};

struct cpp_call_result {
    std::string call;
    bool ready = false;
    bool value = false;
};

struct cpp_run_result {
    std::vector<recorded_request> requests;
    std::vector<cpp_call_result> calls;
    // From just before launch() until the collector had all expected requests (an upper bound of when they came).
    std::chrono::milliseconds requests_seen_after{0};
    vwo::client_stats stats;  // after every settings refresh that started had finished (or the deadline passed)
};

// Options beyond the common ones (poll_interval, sdk_key, return_promise_for...).
using adjust_options = std::function<void(vwo::client_options&)>;

cpp_run_result run_cpp(const std::string& scenario, const std::string& settings_file,
                       std::optional<vwo::batch_events_options> batch, const std::vector<cpp_step>& steps,
                       std::size_t expected_requests, const adjust_options& adjust = {})
{
    // Worst case of the bounded waits below: 15 s per step + 15 s (requests) + 15 s (refreshes) + shutdown and
    // teardown.
    watch_scope watch("the C++ SDK, scenario " + scenario, std::chrono::seconds(45 + 15 * steps.size()));
    cpp_run_result result;
    vwo::tools::local_collector collector;  // outlives the client
    // A poll or pull is answered with the settings the client launched with, so it must end "unchanged".
    serve_settings(collector, settings(settings_file));
    {
        vwo::client_options o;
        o.proxy.use_environment = false; // loopback only, whatever the machine exports
        o.settings_file = settings(settings_file);
        o.endpoint = collector.endpoint();
        o.return_promise_for.push = true;
        o.batch_events = std::move(batch);
        // Mirrors the Node run (custom logger, level ERROR): the usage stats are then cl=1&ll=4 on both sides.
        o.logging.level = vwo::log_level::error;
        o.logging.logger = [](vwo::log_level, std::string_view message) {
            std::cerr << "[cpp-sdk] " << message << '\n';
        };
        o.shutdown_timeout = std::chrono::seconds(3);
        if (adjust)
            adjust(o);
        const auto launched = std::chrono::steady_clock::now();
        vwo::client client = vwo::launch(o);
        for (const auto& step : steps) {
            auto future = step.run(client).to_future();
            cpp_call_result call{step.call, false, false};
            if (future.wait_for(call_deadline) == std::future_status::ready) {
                call.ready = true;
                call.value = future.get();
            }
            result.calls.push_back(call);
        }
        collector.wait_for_requests(expected_requests, call_deadline);
        result.requests_seen_after =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - launched);
        // A poll has no future to wait on: its outcome is counted once the answer was applied. Wait (bounded)
        // until no refresh that started is still running, so the counters below are final for this scenario.
        const auto refresh_deadline = std::chrono::steady_clock::now() + call_deadline;
        for (;;) {
            const auto st = client.stats();
            if (st.settings_refreshes_attempted ==
                    st.settings_updated + st.settings_unchanged + st.settings_failed ||
                std::chrono::steady_clock::now() >= refresh_deadline)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::this_thread::sleep_for(quiet_period);
        result.stats = client.stats();
        // Everything was delivered (or timed out) above; nothing should be left to wait for.
        client.shutdown(std::chrono::seconds(1));
    }
    result.requests = collector.requests();
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// Comparison

// Values not compared: timestamps, random numbers, SDK name/version (checked separately) and usage stats.
// `r` is the settings requests' random number (cache busting), `random` the push's.
const std::set<std::string> unstable_params = {"sId", "random", "r", "eTime", "sdk", "sdk-v"};
const std::set<std::string> usage_stat_params = {"eb", "ig", "ss", "cl", "ll", "gt", "pi", "tr", "_l"};

// Node's raw tags is JSON whose key and value are encodeURIComponent-encoded inside.
ojson node_tags(const std::string& raw)
{
    const ojson parsed = ojson::parse(raw);
    ojson out = ojson::object();
    ojson inner = ojson::object();
    for (const auto& [k, v] : parsed.at("u").items())
        inner[percent_decode(k)] = percent_decode(v.get<std::string>());
    out["u"] = inner;
    return out;
}

// Ours decodes once to real JSON.
ojson our_tags(const std::string& raw) { return ojson::parse(percent_decode(raw)); }

void check_sdk_identity(const std::string& name, const std::string& node_value, const std::string& our_value)
{
    INFO("parameter " << name);
    if (name == "sdk") {
        CHECK(node_value == "vwo-node-sdk");
        CHECK(our_value == vwo::sdk_name);  // documented: sdk=vwo-cpp-sdk
    } else if (name == "sdk-v") {
        CHECK(node_value == node_sdk_version);
        CHECK(our_value == vwo::sdk_version);
    }
}

void check_unstable_value(const std::string& name, const std::string& node_value, const std::string& our_value)
{
    INFO("parameter " << name << ": node " << node_value << ", ours " << our_value);
    if (name == "sId") {
        REQUIRE(all_digits(node_value));
        REQUIRE(all_digits(our_value));
        CHECK(std::llabs(std::stoll(our_value) - now_seconds()) < 600);
        CHECK(std::llabs(std::stoll(node_value) - now_seconds()) < 600);
    } else if (name == "eTime") {
        CHECK(all_digits(node_value));
        CHECK(all_digits(our_value));
        CHECK(our_value.size() == 13);  // epoch milliseconds
    } else if (name == "random" || name == "r") {
        // A whole decimal number in [0, 1) on both sides (stod would accept "0.5junk": check it used every char).
        for (const std::string* v : {&node_value, &our_value}) {
            std::size_t used = 0;
            double d = -1.0;
            REQUIRE_NOTHROW(d = std::stod(*v, &used));
            CHECK(used == v->size());
            CHECK(d >= 0.0);
            CHECK(d < 1.0);
        }
    }
}

void compare_query(const recorded_request& node, const recorded_request& ours)
{
    const auto node_params = raw_query(node.target);
    const auto our_params = raw_query(ours.target);

    // Node ends GET (and events/t) queries with '&': an empty segment, which carries no parameter.
    // Names and their order must match exactly.
    CHECK(names_of(node_params) == names_of(our_params));

    for (const auto& p : node_params) {
        const auto ours_raw = raw_value(our_params, p.name);
        if (!ours_raw) {
            FAIL_CHECK("our request has no parameter " << p.name);
            continue;
        }
        const std::string node_value = percent_decode(p.raw);
        const std::string our_value = percent_decode(*ours_raw);
        // Ours is valid RFC 3986: the collector's once-decoded value equals ours decoded here.
        CHECK(ours.query_value(p.name) == std::optional<std::string>(our_value));
        if (p.name == "sdk" || p.name == "sdk-v") {
            check_sdk_identity(p.name, node_value, our_value);
        } else if (unstable_params.count(p.name)) {
            check_unstable_value(p.name, node_value, our_value);
        } else if (usage_stat_params.count(p.name)) {
            // Usage stats: names compared above, values not part of the contract.
        } else if (p.name == "tags") {
            INFO("tags: node raw " << p.raw << ", ours raw " << *ours_raw);
            ojson n, o;
            REQUIRE_NOTHROW(n = node_tags(p.raw));
            REQUIRE_NOTHROW(o = our_tags(*ours_raw));
            CHECK(n.dump() == o.dump());
        } else {
            INFO("parameter " << p.name);
            CHECK(node_value == our_value);
        }
    }
}

void check_headers(const recorded_request& node, const recorded_request& ours)
{
    CHECK(node.header("authorization") == ours.header("authorization"));
    if (is_settings_request(node)) {
        // The key travels in the query (`i`) only. Documented: Node sends no User-Agent on /server-side/
        // requests, ours names SDK and version.
        CHECK_FALSE(node.header("authorization").has_value());
        CHECK_FALSE(node.header("user-agent").has_value());
        CHECK(ours.header("user-agent") == std::optional<std::string>(std::string(vwo::sdk_name) + "/" +
                                                                      vwo::sdk_version));
    }
    if (node.method == "POST") {
        // Documented: Node sends no Content-Type, we send application/json.
        CHECK_FALSE(node.header("content-type").has_value());
        CHECK(ours.header("content-type") == std::optional<std::string>("application/json"));
    } else {
        CHECK_FALSE(node.header("content-type").has_value());
        CHECK_FALSE(ours.header("content-type").has_value());
    }
}

// Batch-events body: {"ev":[{"sId","u","eT":3,"t":enc(JSON)}]} with `t` decoded and parsed, sId blanked.
ojson normalised_batch_body(const std::string& body)
{
    ojson b = ojson::parse(body);
    for (auto& e : b.at("ev")) {
        REQUIRE(e.at("sId").is_number_integer());
        CHECK(std::llabs(e["sId"].get<long long>() - now_seconds()) < 600);
        e["sId"] = "<ceil-s>";
        e["t"] = ojson::parse(percent_decode(e.at("t").get<std::string>()));
    }
    return b;
}

// events/t body with msgId, sessionId, event.time and the SDK identity blanked (after checking their form).
ojson normalised_event_body(const std::string& body, const std::string& expected_sdk, const std::string& expected_ver)
{
    ojson b = ojson::parse(body);
    auto& d = b.at("d");
    const std::string vis = d.at("visId").get<std::string>();
    const std::string msg = d.at("msgId").get<std::string>();
    CHECK(msg.rfind(vis + "-", 0) == 0);
    CHECK(all_digits(msg.substr(std::min(msg.size(), vis.size() + 1))));
    d["msgId"] = "<visId>-<ms>";
    CHECK(d.at("sessionId").is_number_integer());
    d["sessionId"] = "<ceil-s>";
    CHECK(d.at("event").at("time").is_number_integer());
    d["event"]["time"] = "<ms>";
    auto& props = d["event"].at("props");
    CHECK(props.at("vwo_sdkName") == expected_sdk);
    CHECK(props.at("vwo_sdkVersion") == expected_ver);
    props["vwo_sdkName"] = "<sdk>";
    props["vwo_sdkVersion"] = "<ver>";
    return b;
}

void compare_bodies(const recorded_request& node, const recorded_request& ours)
{
    if (node.method == "GET") {
        CHECK(node.body.empty());
        CHECK(ours.body.empty());
        return;
    }
    ojson n, o;
    if (node.path.ends_with("/server-side/batch-events")) {
        REQUIRE_NOTHROW(n = normalised_batch_body(node.body));
        REQUIRE_NOTHROW(o = normalised_batch_body(ours.body));
    } else if (node.path.ends_with("/events/t")) {
        REQUIRE_NOTHROW(n = normalised_event_body(node.body, "vwo-node-sdk", node_sdk_version));
        REQUIRE_NOTHROW(o = normalised_event_body(ours.body, vwo::sdk_name, vwo::sdk_version));
        // User-Agent is the SDK name on events/t (docs/protocol.md#headers).
        CHECK(node.header("user-agent") == std::optional<std::string>("vwo-node-sdk"));
        CHECK(ours.header("user-agent") == std::optional<std::string>(vwo::sdk_name));
    } else {
        FAIL("unexpected POST path " << node.path);
    }
    INFO("node body (normalised): " << n.dump());
    INFO("our body (normalised):  " << o.dump());
    // ordered_json: key order counts (map order is kept, Node's object order is insertion order).
    CHECK(n == o);
    if (n != o && nlohmann::json::parse(n.dump()) == nlohmann::json::parse(o.dump()))
        WARN("the bodies differ only in the order of object keys");
}

void compare_request(const recorded_request& node, const recorded_request& ours)
{
    INFO("node: " << describe(node));
    INFO("ours: " << describe(ours));
    CHECK(node.method == ours.method);
    CHECK(node.path == ours.path);
    compare_query(node, ours);
    check_headers(node, ours);
    compare_bodies(node, ours);
}

void compare_scenario(const std::string& scenario, const std::vector<recorded_request>& node,
                      const cpp_run_result& ours, std::size_t expected_requests)
{
    log_raw(scenario, node, ours.requests);
    for (const auto& call : ours.calls) {
        INFO("C++ call " << call.call);
        CHECK(call.ready);
    }
    REQUIRE(node.size() == expected_requests);
    REQUIRE(ours.requests.size() == expected_requests);
    for (std::size_t i = 0; i < expected_requests; ++i) {
        INFO("request #" << i + 1 << " of " << scenario);
        compare_request(node[i], ours.requests[i]);
    }
}

// The settings requests. Besides the common comparison (method, path, names and order, values except `r` and
// the SDK identity, headers, empty bodies) each case pins the values themselves, so that two requests which
// both lost a parameter cannot pass as equal.
void check_settings_request(const recorded_request& node, const recorded_request& ours, const std::string& path)
{
    for (const auto* r : {&node, &ours}) {
        INFO((r == &node ? "node: " : "ours: ") << describe(*r));
        CHECK(r->method == "GET");
        CHECK(r->path == path);
        CHECK(names_of(raw_query(r->target)) ==
              std::vector<std::string>{"a", "i", "r", "platform", "sdk", "sdk-v"});
        CHECK(r->query_value("a") == std::optional<std::string>("123456"));
        CHECK(r->query_value("i") == std::optional<std::string>(sdk_key));
        CHECK(r->query_value("platform") == std::optional<std::string>("server"));
        CHECK(r->body.empty());
        CHECK_FALSE(r->target.ends_with("&"));  // unlike Node's event requests, its settings query has no trailing '&'
    }
}

std::vector<std::pair<std::string, std::string>> map3()
{
    return {{"browser", "chrome"}, {"price", "20"}, {"plan", "gold"}};
}

} // namespace

// -------------------------------------------------------------------------------------------------------------
// Scenarios (the same calls as run_node_sdk.js, scenario names shared with it)

TEST_CASE("node compat: single key push is Node's GET /server-side/push", "[node_compat]")
{
    const auto& node = node_requests_for("legacy_single");
    const auto ours = run_cpp("legacy_single", "legacy.json", std::nullopt,
        {{"push('browser','chrome','user-1')", [](vwo::client& c) { return c.push("browser", "chrome", "user-1"); }}}, 1);
    compare_scenario("legacy_single", node.requests, ours, 1);
    REQUIRE(ours.requests.size() == 1);
    CHECK(ours.calls.at(0).value);
    CHECK(ours.requests[0].path == "/server-side/push");
    CHECK(ours.requests[0].query_value("u") == std::optional<std::string>(uuid_user_1));
    CHECK(node.requests.at(0).target.ends_with("&"));       // documented: Node ends the query with '&'
    CHECK_FALSE(ours.requests[0].target.ends_with("&"));
}

TEST_CASE("node compat: special characters in key, value and user id", "[node_compat]")
{
    const auto& node = node_requests_for("legacy_special_characters");
    const auto ours = run_cpp("legacy_special_characters", "legacy.json", std::nullopt,
        {{"push('a b&c=d','x/y \"z\" ü+%','user 1')",
          [](vwo::client& c) { return c.push("a b&c=d", "x/y \"z\" \xC3\xBC+%", "user 1"); }}}, 1);
    compare_scenario("legacy_special_characters", node.requests, ours, 1);
    REQUIRE(ours.requests.size() == 1);
    REQUIRE(node.requests.size() == 1);
    CHECK(ours.requests[0].query_value("u") == std::optional<std::string>(uuid_user_sp));

    // Documented difference (docs/protocol.md#where-we-differ-from-node-and-why): ours decodes once to the real
    // JSON; Node's decodes to text that is not JSON for this value (its inner encoding is undone by the same single
    // decoding).
    const auto ours_tags = ours.requests[0].query_value("tags");
    REQUIRE(ours_tags.has_value());
    CHECK(nlohmann::json::parse(*ours_tags) ==
          nlohmann::json({{"u", {{"a b&c=d", "x/y \"z\" \xC3\xBC+%"}}}}));
    const auto node_raw = raw_value(raw_query(node.requests[0].target), "tags");
    REQUIRE(node_raw.has_value());
    CHECK(*node_raw == R"({"u":{"a%20b%26c%3Dd":"x%2Fy%20%22z%22%20%C3%BC%2B%25"}})");
    CHECK_FALSE(nlohmann::json::accept(percent_decode(*node_raw)));
}

TEST_CASE("node compat: a 3-key map is one POST /server-side/batch-events", "[node_compat]")
{
    const auto& node = node_requests_for("legacy_map3");
    const auto ours = run_cpp("legacy_map3", "legacy.json", std::nullopt,
        {{"push({browser,price,plan},'user-1')", [](vwo::client& c) { return c.push(map3(), "user-1"); }}}, 1);
    compare_scenario("legacy_map3", node.requests, ours, 1);
    REQUIRE(ours.requests.size() == 1);
    CHECK(ours.calls.at(0).value);
    CHECK(ours.requests[0].header("authorization") == std::optional<std::string>(sdk_key));
    CHECK_FALSE(ours.requests[0].query_value("eb").has_value());
}

TEST_CASE("node compat: event architecture, single key and 2-key map", "[node_compat]")
{
    SECTION("single key")
    {
        const auto& node = node_requests_for("event_arch_single");
        const auto ours = run_cpp("event_arch_single", "event_arch.json", std::nullopt,
            {{"push('browser','chrome','user-1')", [](vwo::client& c) { return c.push("browser", "chrome", "user-1"); }}},
            1);
        compare_scenario("event_arch_single", node.requests, ours, 1);
        REQUIRE(ours.requests.size() == 1);
        CHECK(ours.calls.at(0).value);
        CHECK(ours.requests[0].path == "/events/t");
    }
    SECTION("2-key map")
    {
        const auto& node = node_requests_for("event_arch_map2");
        const auto ours = run_cpp("event_arch_map2", "event_arch.json", std::nullopt,
            {{"push({browser,price},'user-1')", [](vwo::client& c) {
                  return c.push({{"browser", "chrome"}, {"price", "20"}}, "user-1");
              }}},
            1);
        compare_scenario("event_arch_map2", node.requests, ours, 1);
        REQUIRE(ours.requests.size() == 1);
        CHECK(ours.calls.at(0).value);
        const auto body = nlohmann::json::parse(ours.requests[0].body);
        CHECK(body["d"]["visitor"]["props"] ==
              nlohmann::json({{"vwo_fs_environment", sdk_key}, {"browser", "chrome"}, {"price", "20"}}));
    }
}

TEST_CASE("node compat: collectionPrefix inserts /eu01 after the host", "[node_compat]")
{
    const auto& node = node_requests_for("collection_prefix");
    const auto ours = run_cpp("collection_prefix", "collection_prefix.json", std::nullopt,
        {{"push('browser','chrome','user-1')", [](vwo::client& c) { return c.push("browser", "chrome", "user-1"); }}}, 1);
    compare_scenario("collection_prefix", node.requests, ours, 1);
    REQUIRE(ours.requests.size() == 1);
    CHECK(ours.requests[0].path == "/eu01/server-side/push");
}

TEST_CASE("node compat: batch events (eventsPerRequest 3) then flushEvents", "[node_compat][batch]")
{
    const auto& node = node_requests_for("batch_events");
    const auto ours = run_cpp("batch_events", "legacy.json", vwo::batch_events_options{3, std::chrono::seconds(600), {}},
        {{"push({browser,price,plan},'user-1')", [](vwo::client& c) { return c.push(map3(), "user-1"); }},
         {"flush_events()", [](vwo::client& c) { return c.flush_events(); }}},
        1);
    compare_scenario("batch_events", node.requests, ours, 1);
    REQUIRE(ours.calls.size() == 2);
    CHECK(ours.calls[0].value);       // delivered in the size-triggered batch
    CHECK_FALSE(ours.calls[1].value); // nothing left to flush (Node: {status:false})
    REQUIRE(ours.requests.size() == 1);
    CHECK(ours.requests[0].query_value("eb") == std::optional<std::string>("1"));
    const auto& node_flush = node.report["calls"].at(1);
    CHECK(node_flush["value"]["status"] == false);
}

TEST_CASE("node compat: poll_interval polls like Node's pollingInterval, GET /server-side/settings",
          "[node_compat][settings]")
{
    const auto& node = node_requests_for("poll");
    // No call to make: the client's own timer sends the request; run_cpp waits (bounded) for it.
    const auto ours = run_cpp("poll", "legacy.json", std::nullopt, {}, 1, [](vwo::client_options& o) {
        o.sdk_key = sdk_key;  // as Node's launch({sdkKey}), which polls only when given one
        o.poll_interval = poll_interval;
    });
    compare_scenario("poll", node.requests, ours, 1);
    REQUIRE(node.requests.size() == 1);
    REQUIRE(ours.requests.size() == 1);
    check_settings_request(node.requests[0], ours.requests[0], "/server-side/settings");

    // Node registered one interval, of the pollingInterval given (run_node_sdk.js stopped it after that tick).
    CHECK(node.report.at("intervals") == ojson::array({poll_interval.count()}));
    // Neither polls at launch: the first poll waits about one interval.
    INFO("node's first poll " << node.report.value("first_request_after_ms", -1) << " ms after launch, ours within "
                              << ours.requests_seen_after.count() << " ms");
    CHECK(node.report.at("first_request_after_ms").get<long long>() >= earliest_first_poll.count());
    CHECK(ours.requests_seen_after >= earliest_first_poll);
    // Our poll was answered with the settings in use, accepted, and counted as such (one poll, no failure).
    CHECK(ours.stats.settings_refreshes_attempted == 1);
    CHECK(ours.stats.settings_unchanged == 1);
    CHECK(ours.stats.settings_updated == 0);
    CHECK(ours.stats.settings_failed == 0);
}

TEST_CASE("node compat: get_and_update_settings_file is Node's getAndUpdateSettingsFile, GET /server-side/pull",
          "[node_compat][settings]")
{
    // Both take account and key from the settings file here (Node's defaults; our sdk_key option is left empty).
    const auto pull = [](const std::string& scenario, const std::string& settings_file) {
        const auto& node = node_requests_for(scenario);
        const auto ours = run_cpp(scenario, settings_file, std::nullopt,
            {{"get_and_update_settings_file()", [](vwo::client& c) { return c.get_and_update_settings_file(); }}}, 1,
            [](vwo::client_options& o) { o.return_promise_for.get_and_update_settings_file = true; });
        compare_scenario(scenario, node.requests, ours, 1);
        REQUIRE(node.requests.size() == 1);
        REQUIRE(ours.requests.size() == 1);
        // The collection prefix is for event data: neither SDK puts it before the settings path.
        check_settings_request(node.requests[0], ours.requests[0], "/server-side/pull");

        // Node's promise settled with the settings served; ours is true: the client uses them.
        const auto& node_call = node.report["calls"].at(0);
        CHECK(node_call["settled"] == true);
        CHECK(node_call["value"]["accountId"] == 123456);
        REQUIRE(ours.calls.size() == 1);
        CHECK(ours.calls[0].value);
        CHECK(ours.stats.settings_refreshes_attempted == 1);
        CHECK(ours.stats.settings_unchanged == 1);  // the collector served the settings the client launched with
        CHECK(ours.stats.settings_failed == 0);
    };
    SECTION("legacy settings") { pull("pull", "legacy.json"); }
    SECTION("settings with a collectionPrefix") { pull("pull_collection_prefix", "collection_prefix.json"); }
}

// -------------------------------------------------------------------------------------------------------------

namespace {

bool have_command(const std::string& name)
{
    return run_shell("command -v " + name + " >/dev/null 2>&1") == 0;
}

bool node_sdk_installed()
{
    try {
        const auto pkg = nlohmann::json::parse(read_file(npm_prefix() / "node_modules" / "vwo-node-sdk" / "package.json"));
        return pkg.value("version", "") == node_sdk_version;
    } catch (const std::exception&) {
        return false;
    }
}

// Returns an empty string when ready, else the reason to skip.
std::string prepare_node_sdk()
{
    for (const char* tool : {"node", "npm", "timeout"})
        if (!have_command(tool))
            return std::string("'") + tool + "' is not on PATH";
    if (run_shell("timeout 30 node -e 'process.exit(0)' >/dev/null 2>&1") != 0)
        return "node does not run";
    std::error_code ec;
    fs::create_directories(npm_prefix(), ec);
    if (ec)
        return "cannot create " + npm_prefix().string() + ": " + ec.message();
    if (node_sdk_installed())
        return {};
    const fs::path log = work_dir() / "npm_install.log";
    std::cout << "node compat: installing vwo-node-sdk@" << node_sdk_version << " into " << npm_prefix() << '\n';
    watch_scope watch("npm install", std::chrono::seconds(170));
    const int rc = run_shell("timeout -k 5 150 npm install --no-audit --no-fund --no-save --fetch-retries=1 "
                             "--fetch-timeout=30000 --prefix " +
                             shell_quote(npm_prefix().string()) + " vwo-node-sdk@" + node_sdk_version + " </dev/null >" +
                             shell_quote(log.string()) + " 2>&1");
    if (rc != 0 || !node_sdk_installed())
        return "npm install vwo-node-sdk@" + std::string(node_sdk_version) + " failed (exit " + std::to_string(rc) +
               (rc == 124 ? ", timed out" : "") + "):\n" + tail_of_file(log, 2000);
    return {};
}

} // namespace

int main(int argc, char* argv[])
{
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0)
        return rc;
    const auto& config = session.configData();
    const bool listing = config.listTests || config.listTestNamesOnly || config.listTags || config.listReporters ||
                         config.showHelp;
    if (!listing) {
        std::error_code ec;
        fs::create_directories(work_dir(), ec);
        const std::string reason = prepare_node_sdk();
        if (!reason.empty()) {
            // In CI the comparison must run: a skip there would hide a missing install step (issue 13).
            const char* ci = std::getenv("CI");
            const bool in_ci = ci != nullptr && std::string_view(ci) == "true";
            std::cout << (in_ci ? "FAILED (CI=true, no skip allowed)" : "SKIPPED")
                      << ": the Node SDK comparison needs node, npm and vwo-node-sdk@" << node_sdk_version << ": "
                      << reason << '\n';
            return in_ci ? 1 : skip_code;
        }
        fs::remove(work_dir() / "raw_requests.txt", ec);
    }
    const int failed = session.run();
    if (!listing)
        std::cout << "node compat: raw requests of both SDKs in " << (work_dir() / "raw_requests.txt") << '\n';
    // Never let a failure count collide with the skip code.
    return failed == 0 ? 0 : 1;
}
