// vwo-push's argument parsing: every flag, the combinations, and a clear error for each mistake.

#include "cli_options.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

using namespace vwo::cli;

namespace {

parse_result parse(std::initializer_list<std::string_view> args)
{
    const std::vector<std::string_view> list(args);
    return parse_arguments(std::span<const std::string_view>(list));
}

std::string error_of(std::initializer_list<std::string_view> args)
{
    const auto r = parse(args);
    CHECK(r.action == cli_action::usage_error);
    return r.error;
}

} // namespace

TEST_CASE("options: a CSV backfill with defaults", "[cli][options]")
{
    const auto r = parse({"--settings-file", "s.json", "--csv", "users.csv"});
    REQUIRE(r.action == cli_action::run);
    const auto& o = r.options;
    CHECK(o.file_format == input_format::csv);
    CHECK(o.input_path == "users.csv");
    CHECK(o.settings_file == "s.json");
    CHECK(o.endpoint == default_endpoint);
    CHECK(o.batch);
    CHECK(o.events_per_request == 100);
    CHECK_FALSE(o.rate);
    CHECK_FALSE(o.dry_run);
    CHECK(o.timeout == std::chrono::seconds(30));
    CHECK(o.progress_interval == std::chrono::seconds(5));
    CHECK(o.effective_max_pending() == 1000);
    CHECK(o.connections == 2);
    CHECK(o.log_level == sdk_log_level::warn);
}

TEST_CASE("options: every flag, in both spellings", "[cli][options]")
{
    const auto r = parse({"--account-id=123", "--sdk-key", "key", "--jsonl=-", "--endpoint", "http://127.0.0.1:9",
                          "--events-per-request=500", "--rate", "12.5", "--dry-run", "--timeout=1.5",
                          "--progress-interval", "0.25", "--quiet", "--max-pending", "3000", "--connections=4",
                          "--log-level", "debug", "--ca-file", "ca.pem", "--insecure-skip-verify"});
    REQUIRE(r.action == cli_action::run);
    const auto& o = r.options;
    CHECK(o.account_id == "123");
    CHECK(o.sdk_key == "key");
    CHECK(o.file_format == input_format::jsonl);
    CHECK(o.input_path == "-");
    CHECK(o.endpoint == "http://127.0.0.1:9");
    CHECK(o.events_per_request == 500);
    CHECK(o.rate == 12.5);
    CHECK(o.dry_run);
    CHECK(o.timeout == std::chrono::milliseconds(1500));
    CHECK(o.progress_interval == std::chrono::milliseconds(250));
    CHECK(o.quiet);
    CHECK(o.effective_max_pending() == 3000);
    CHECK(o.connections == 4);
    CHECK(o.log_level == sdk_log_level::debug);
    CHECK(o.ca_file == "ca.pem");
    CHECK(o.insecure_skip_verify);
}

TEST_CASE("options: a single push never batches and keeps its strings verbatim", "[cli][options]")
{
    const auto r = parse({"--settings-file", "s.json", "--user", "user 1", "--key", "--odd", "--value", ""});
    REQUIRE(r.action == cli_action::run);
    CHECK_FALSE(r.options.file_format);
    CHECK(r.options.user_id == "user 1");
    CHECK(r.options.key == "--odd"); // a value may look like a flag
    CHECK(r.options.value.empty());  // empty is data: validation reports it as an invalid row
    CHECK_FALSE(r.options.batch);
}

TEST_CASE("options: the default pending bound grows with the batch size", "[cli][options]")
{
    auto r = parse({"--settings-file", "s", "--csv", "f", "--events-per-request", "5000"});
    CHECK(r.options.effective_max_pending() == 20000);
    r = parse({"--settings-file", "s", "--csv", "f", "--no-batch"});
    REQUIRE(r.action == cli_action::run);
    CHECK_FALSE(r.options.batch);
}

TEST_CASE("options: --help and --version win over anything else", "[cli][options]")
{
    CHECK(parse({"--help"}).action == cli_action::help);
    CHECK(parse({"--bogus", "-h"}).action == cli_action::help);
    CHECK(parse({"--csv", "--version"}).action == cli_action::version);
    CHECK(usage_text().find("--events-per-request") != std::string::npos);
}

TEST_CASE("options: mistakes get one clear line each", "[cli][options]")
{
    CHECK(error_of({}) == "nothing to push: give --user, --key and --value, or --csv FILE, or --jsonl FILE");
    CHECK(error_of({"--settings-file", "s", "--csv", "f", "--frobnicate"}) == "unknown option '--frobnicate'");
    CHECK(error_of({"users.csv"}) == "unexpected argument 'users.csv' (every argument is a --flag)");
    CHECK(error_of({"--settings-file", "s", "--csv"}) == "--csv needs a value");
    CHECK(error_of({"--settings-file", "s", "--csv", "a", "--csv", "b"}) == "--csv given more than once");
    CHECK(error_of({"--settings-file", "s", "--csv", ""}) == "--csv needs a non-empty value");
    CHECK(error_of({"--settings-file", "s", "--csv", "f", "--dry-run=yes"}) == "--dry-run takes no value");
    CHECK(error_of({"--settings-file", "s", "--csv", "a", "--jsonl", "b"}) == "give only one of --csv and --jsonl");
    CHECK(error_of({"--settings-file", "s", "--csv", "a", "--user", "u"}).find("cannot be combined") !=
          std::string::npos);
    CHECK(error_of({"--settings-file", "s", "--user", "u", "--value", "v"}) ==
          "a single push needs --user, --key and --value (missing --key)");
    CHECK(error_of({"--settings-file", "s", "--user", "u", "--key", "k", "--value", "v", "--no-batch"}) ==
          "--events-per-request, --no-batch and --max-pending apply to --csv and --jsonl only");
    CHECK(error_of({"--csv", "f"}) == "no settings: give --settings-file FILE, or --account-id ID and --sdk-key KEY");
    CHECK(error_of({"--csv", "f", "--account-id", "1"}) == "--account-id needs --sdk-key");
    CHECK(error_of({"--csv", "f", "--sdk-key", "k"}) == "--sdk-key needs --account-id");
    CHECK(error_of({"--csv", "f", "--settings-file", "s", "--account-id", "1", "--sdk-key", "k"}) ==
          "give either --settings-file or --account-id with --sdk-key, not both");
    CHECK(error_of({"--settings-file", "s", "--csv", "f", "--no-batch", "--events-per-request", "10"}) ==
          "--events-per-request has no effect with --no-batch");
    CHECK(error_of({"--settings-file", "s", "--csv", "f", "--events-per-request", "500", "--max-pending", "100"})
              .find("must be at least --events-per-request (500)") != std::string::npos);
}

TEST_CASE("options: numbers are checked against their ranges", "[cli][options]")
{
    const auto with = [](std::string_view flag, std::string_view value) {
        return error_of({"--settings-file", "s", "--csv", "f", flag, value});
    };
    CHECK(with("--events-per-request", "0") == "--events-per-request must be a whole number in 1..5000, got '0'");
    CHECK(with("--events-per-request", "5001").find("1..5000") != std::string::npos);
    CHECK(with("--events-per-request", "10x").find("got '10x'") != std::string::npos);
    CHECK(with("--events-per-request", "-1").find("got '-1'") != std::string::npos);
    CHECK(with("--rate", "0").find("--rate must be a number greater than 0") == 0);
    CHECK(with("--rate", "-5").find("--rate must be") == 0);
    CHECK(with("--rate", "nan").find("--rate must be") == 0);
    CHECK(with("--rate", "inf").find("--rate must be") == 0);
    CHECK(with("--timeout", "0").find("--timeout must be") == 0);
    CHECK(with("--timeout", "soon").find("--timeout must be") == 0);
    CHECK(with("--progress-interval", "-1").find("--progress-interval must be") == 0);
    CHECK(with("--connections", "65").find("1..64") != std::string::npos);
    CHECK(with("--max-pending", "0").find("--max-pending must be") == 0);
    CHECK(with("--log-level", "loud") == "--log-level must be one of debug, info, warn, error, off; got 'loud'");
}
