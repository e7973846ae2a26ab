#include "cli_options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

namespace vwo::cli {

namespace {

enum class kind { value, flag };

struct flag_spec {
    std::string_view name;
    kind type;
};

constexpr flag_spec flags[] = {
    {"--user", kind::value},          {"--key", kind::value},
    {"--value", kind::value},         {"--csv", kind::value},
    {"--jsonl", kind::value},         {"--settings-file", kind::value},
    {"--account-id", kind::value},    {"--sdk-key", kind::value},
    {"--endpoint", kind::value},      {"--ca-file", kind::value},
    {"--events-per-request", kind::value}, {"--rate", kind::value},
    {"--timeout", kind::value},       {"--progress-interval", kind::value},
    {"--max-pending", kind::value},   {"--connections", kind::value},
    {"--log-level", kind::value},     {"--no-batch", kind::flag},
    {"--dry-run", kind::flag},        {"--quiet", kind::flag},
    {"--insecure-skip-verify", kind::flag},
};

const flag_spec* find_flag(std::string_view name)
{
    for (const auto& f : flags)
        if (f.name == name)
            return &f;
    return nullptr;
}

// Thrown inside the parser only, caught in parse_arguments: keeps each check a single line.
struct usage_error {
    std::string message;
};

std::size_t parse_count(std::string_view flag, std::string_view text, std::size_t low, std::size_t high)
{
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high)
        throw usage_error{std::string(flag) + " must be a whole number in " + std::to_string(low) + ".." +
                          std::to_string(high) + ", got '" + std::string(text) + "'"};
    return value;
}

double parse_positive(std::string_view flag, std::string_view text, double high)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value <= 0 || value > high)
        throw usage_error{std::string(flag) + " must be a number greater than 0 (at most " +
                          std::to_string(static_cast<long long>(high)) + "), got '" + std::string(text) + "'"};
    return value;
}

std::chrono::milliseconds parse_seconds(std::string_view flag, std::string_view text)
{
    const double seconds = parse_positive(flag, text, 7 * 24 * 3600.0);
    return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

sdk_log_level parse_level(std::string_view text)
{
    if (text == "debug")
        return sdk_log_level::debug;
    if (text == "info")
        return sdk_log_level::info;
    if (text == "warn")
        return sdk_log_level::warn;
    if (text == "error")
        return sdk_log_level::error;
    if (text == "off")
        return sdk_log_level::off;
    throw usage_error{"--log-level must be one of debug, info, warn, error, off; got '" + std::string(text) + "'"};
}

void require_non_empty(std::string_view flag, std::string_view value)
{
    if (value.empty())
        throw usage_error{std::string(flag) + " needs a non-empty value"};
}

cli_options parse_or_throw(std::span<const std::string_view> args)
{
    cli_options o;
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!arg.starts_with("--"))
            throw usage_error{"unexpected argument '" + std::string(arg) + "' (every argument is a --flag)"};
        const auto eq = arg.find('=');
        const std::string_view name = arg.substr(0, eq);
        const flag_spec* spec = find_flag(name);
        if (!spec)
            throw usage_error{"unknown option '" + std::string(name) + "'"};
        if (!seen.insert(spec->name).second)
            throw usage_error{std::string(name) + " given more than once"};

        std::string_view value;
        if (spec->type == kind::flag) {
            if (eq != std::string_view::npos)
                throw usage_error{std::string(name) + " takes no value"};
        } else if (eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            throw usage_error{std::string(name) + " needs a value"};
        }

        // Strings are data for --user/--key/--value (an empty one is an invalid row, reported like
        // any other); everywhere else an empty value is a mistake on the command line.
        if (name == "--user")
            o.user_id = value;
        else if (name == "--key")
            o.key = value;
        else if (name == "--value")
            o.value = value;
        else if (name == "--csv" || name == "--jsonl") {
            require_non_empty(name, value);
            o.file_format = name == "--csv" ? input_format::csv : input_format::jsonl;
            o.input_path = value;
        } else if (name == "--settings-file") {
            require_non_empty(name, value);
            o.settings_file = value;
        } else if (name == "--account-id") {
            require_non_empty(name, value);
            o.account_id = value;
        } else if (name == "--sdk-key") {
            require_non_empty(name, value);
            o.sdk_key = value;
        } else if (name == "--endpoint") {
            require_non_empty(name, value);
            o.endpoint = value;
        } else if (name == "--ca-file") {
            require_non_empty(name, value);
            o.ca_file = value;
        } else if (name == "--events-per-request")
            o.events_per_request = parse_count(name, value, 1, 5000);
        else if (name == "--rate")
            o.rate = parse_positive(name, value, 1e9);
        else if (name == "--timeout")
            o.timeout = parse_seconds(name, value);
        else if (name == "--progress-interval")
            o.progress_interval = parse_seconds(name, value);
        else if (name == "--max-pending")
            o.max_pending = parse_count(name, value, 1, 10'000'000);
        else if (name == "--connections")
            o.connections = parse_count(name, value, 1, 64);
        else if (name == "--log-level")
            o.log_level = parse_level(value);
        else if (name == "--no-batch")
            o.batch = false;
        else if (name == "--dry-run")
            o.dry_run = true;
        else if (name == "--quiet")
            o.quiet = true;
        else if (name == "--insecure-skip-verify")
            o.insecure_skip_verify = true;
    }

    // What to push.
    const bool csv = seen.contains("--csv");
    const bool jsonl = seen.contains("--jsonl");
    const bool any_single = seen.contains("--user") || seen.contains("--key") || seen.contains("--value");
    if (csv && jsonl)
        throw usage_error{"give only one of --csv and --jsonl"};
    if ((csv || jsonl) && any_single)
        throw usage_error{"--user/--key/--value push one dimension and cannot be combined with --csv or --jsonl"};
    if (!csv && !jsonl) {
        if (!any_single)
            throw usage_error{"nothing to push: give --user, --key and --value, or --csv FILE, or --jsonl FILE"};
        for (const char* needed : {"--user", "--key", "--value"})
            if (!seen.contains(needed))
                throw usage_error{std::string("a single push needs --user, --key and --value (missing ") + needed +
                                  ")"};
        if (seen.contains("--events-per-request") || seen.contains("--no-batch") || seen.contains("--max-pending"))
            throw usage_error{"--events-per-request, --no-batch and --max-pending apply to --csv and --jsonl only"};
        o.batch = false;
    }

    // Where the settings come from.
    const bool file = seen.contains("--settings-file");
    const bool account = seen.contains("--account-id");
    const bool key = seen.contains("--sdk-key");
    if (file && (account || key))
        throw usage_error{"give either --settings-file or --account-id with --sdk-key, not both"};
    if (!file && !account && !key)
        throw usage_error{"no settings: give --settings-file FILE, or --account-id ID and --sdk-key KEY"};
    if (!file && account != key)
        throw usage_error{account ? "--account-id needs --sdk-key" : "--sdk-key needs --account-id"};

    if (!o.batch && seen.contains("--events-per-request"))
        throw usage_error{"--events-per-request has no effect with --no-batch"};
    if (o.batch && o.effective_max_pending() < o.events_per_request)
        throw usage_error{"--max-pending (" + std::to_string(o.max_pending) + ") must be at least " +
                          "--events-per-request (" + std::to_string(o.events_per_request) +
                          "), or a batch could never fill"};
    return o;
}

} // namespace

parse_result parse_arguments(std::span<const std::string_view> args)
{
    parse_result result;
    for (const auto arg : args) {
        if (arg == "--help" || arg == "-h") {
            result.action = cli_action::help;
            return result;
        }
    }
    for (const auto arg : args) {
        if (arg == "--version") {
            result.action = cli_action::version;
            return result;
        }
    }
    try {
        result.options = parse_or_throw(args);
    } catch (const usage_error& e) {
        result.action = cli_action::usage_error;
        result.error = e.message;
    }
    return result;
}

parse_result parse_arguments(int argc, const char* const* argv)
{
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);
    return parse_arguments(std::span<const std::string_view>(args));
}

std::string usage_text()
{
    return R"(vwo-push: attach VWO custom dimensions to users, one at a time or in bulk.

Usage:
  vwo-push (--settings-file FILE | --account-id ID --sdk-key KEY) --user ID --key KEY --value VALUE [options]
  vwo-push (--settings-file FILE | --account-id ID --sdk-key KEY) (--csv FILE | --jsonl FILE) [options]

What to push (exactly one):
  --user ID --key KEY --value VALUE
                           push one dimension (sent at once, no batching)
  --csv FILE               backfill from CSV with the header user_id,key,value (RFC 4180 quoting);
                           FILE "-" reads standard input
  --jsonl FILE             backfill from JSON Lines: {"user_id":...,"key":...,"value":...} per line

Settings (exactly one):
  --settings-file FILE     the settings JSON as served by VWO
  --account-id ID --sdk-key KEY
                           fetch the settings from --endpoint

Options:
  --endpoint URL           collector base URL (default https://dev.visualwebsiteoptimizer.com)
  --events-per-request N   files: events per batch-events request, 1..5000 (default 100)
  --no-batch               files: one request per row instead of batches
  --rate N                 at most N events per second (decimals allowed; default unlimited)
  --dry-run                development mode: validate every row, send nothing
  --timeout SECONDS        deadline for delivering what is still queued once the input is read
                           (default 30); what is left after it is reported as dropped
  --max-pending N          files: rows handed over but not yet finished, at most N (default the
                           larger of 1000 and 4 x --events-per-request); bounds memory
  --connections N          keep-alive connections to the collector, 1..64 (default 2)
  --ca-file FILE           PEM bundle to trust in addition to the system store
  --insecure-skip-verify   do not verify the collector's certificate (development only)
  --progress-interval SECONDS
                           seconds between progress lines when stderr is not a terminal (default 5)
  --quiet                  no progress output (bad rows and the summary are still printed)
  --log-level LEVEL        SDK messages on stderr: debug, info, warn (default), error, off
  --help, -h               this text
  --version                the SDK version

Bad rows never stop the run: each is reported on stderr as "FILE:LINE: invalid|failed|dropped: reason",
and the summary on stdout lists their line numbers.

Exit codes:
  0  every row was delivered (or, with --dry-run, validated)
  1  some rows were invalid, failed or not delivered before the deadline
  2  usage error: bad arguments, unreadable input file, unusable CSV header
  3  the settings could not be read or fetched, or the client could not start
  130 interrupted (SIGINT or SIGTERM); what was handed over was still delivered within --timeout
)";
}

} // namespace vwo::cli
