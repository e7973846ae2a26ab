// The end-of-run summary and exit codes.

#include "cli_options.hpp"
#include "summary.hpp"

#include <catch2/catch.hpp>

using namespace vwo::cli;

TEST_CASE("summary: line numbers are folded into ranges and capped", "[cli][summary]")
{
    CHECK(format_line_ranges({}) == "");
    CHECK(format_line_ranges({4}) == "4");
    CHECK(format_line_ranges({4, 17, 30, 31, 32, 45}) == "4, 17, 30-32, 45");
    CHECK(format_line_ranges({1, 2, 3, 10, 12, 14, 15}, 2) == "1-3, 10, ... (3 more)");
}

TEST_CASE("summary: a clean run", "[cli][summary]")
{
    run_summary s;
    s.rows_read = 5000;
    s.accepted = 5000;
    s.delivered = 5000;
    s.elapsed_seconds = 2.0;
    const auto text = format_summary(s);
    CHECK(text.rfind("summary:\n", 0) == 0);
    CHECK(text.find("  rows read         5000\n") != std::string::npos);
    CHECK(text.find("  delivered         5000\n") != std::string::npos);
    CHECK(text.find("  failed               0\n") != std::string::npos);
    CHECK(text.find("2.00 s") != std::string::npos);
    CHECK(text.find("2500 events/s") != std::string::npos);
    CHECK(exit_code_for(s) == exit_code::ok);
}

TEST_CASE("summary: bad rows are listed by line and make the exit code 1", "[cli][summary]")
{
    run_summary s;
    s.rows_read = 10;
    s.invalid_lines = {3, 4, 9};
    s.accepted = 7;
    s.delivered = 5;
    s.failed = 2;
    s.failed_lines = {5, 6};
    s.refusals_retried = 4;
    const auto text = format_summary(s);
    CHECK(text.find("invalid" + std::string(14, ' ') + "3   lines 3-4, 9") != std::string::npos);
    CHECK(text.find("failed" + std::string(15, ' ') + "2   lines 5-6") != std::string::npos);
    CHECK(text.find("4 queue-full refusals were sent again") != std::string::npos);
    CHECK(exit_code_for(s) == exit_code::rows_failed);

    run_summary only_invalid;
    only_invalid.invalid_lines = {2};
    CHECK(format_summary(only_invalid).find("invalid" + std::string(14, ' ') + "1   line 2\n") != std::string::npos);
    CHECK(exit_code_for(only_invalid) == exit_code::rows_failed);

    run_summary dropped;
    dropped.dropped = 1;
    CHECK(exit_code_for(dropped) == exit_code::rows_failed);
}

TEST_CASE("summary: dry run and interruption", "[cli][summary]")
{
    run_summary s;
    s.dry_run = true;
    s.rows_read = 3;
    s.validated = 3;
    const auto text = format_summary(s);
    CHECK(text.find("dry run: nothing was sent") != std::string::npos);
    CHECK(text.find("validated" + std::string(12, ' ') + "3") != std::string::npos);
    CHECK(text.find("delivered") == std::string::npos);
    CHECK(exit_code_for(s) == exit_code::ok);

    s.interrupted = true;
    s.input_complete = false;
    CHECK(format_summary(s).find("interrupted: the rest of the input was not read") != std::string::npos);
    CHECK(exit_code_for(s) == exit_code::interrupted);
}
