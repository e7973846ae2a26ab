#include "push_run.hpp"

#include "delivery_tracker.hpp"
#include "interrupt_watch.hpp"
#include "progress.hpp"
#include "rate_limiter.hpp"
#include "row_reader.hpp"
#include "settings_loader.hpp"
#include "summary.hpp"

// vwo/push_rules.hpp (through vwo.hpp): the SDK's own validation rule, so a row is judged exactly as
// push() would judge it, with the exact reason, before it costs a rate-limit token or a place in the
// queue; and the SDK's charge of an event against max_queue_bytes.
#include <vwo/vwo.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vwo::cli {

namespace {

using clock = std::chrono::steady_clock;

// A partial batch goes out this long after its first event at the latest (the SDK's minimum), so
// a slow --rate or a trickle on standard input is still delivered promptly.
constexpr std::chrono::seconds batch_interval{1};
// After shutdown() every pending push has been completed; its handler may still be on its way.
constexpr std::chrono::seconds handler_grace{5};
constexpr std::size_t min_queue_bytes = 16 * 1024 * 1024;

// A bound on the SDK's queue in bytes large enough that --max-pending rows always fit: what the SDK
// charges the largest valid row (each string max_push_code_points code points of 4 bytes).
std::size_t queue_bytes_per_row()
{
    const std::string longest(4 * vwo::max_push_code_points, 'x');
    return vwo::queued_event_bytes(longest, longest, longest);
}

double seconds_since(clock::time_point start)
{
    return std::chrono::duration<double>(clock::now() - start).count();
}

const char* outcome_word(row_outcome outcome)
{
    switch (outcome) {
    case row_outcome::delivered:
        return "delivered";
    case row_outcome::invalid:
        return "invalid";
    case row_outcome::failed:
        return "failed";
    case row_outcome::dropped:
        return "dropped";
    }
    return "?";
}

const char* level_word(vwo::log_level level)
{
    switch (level) {
    case vwo::log_level::debug:
        return "debug";
    case vwo::log_level::info:
        return "info";
    case vwo::log_level::warn:
        return "warning";
    case vwo::log_level::error:
        return "error";
    case vwo::log_level::notset:
        break;
    }
    return "log";
}

/// Routes the SDK's log lines to stderr through the progress reporter. Lines are held back while
/// the client launches: a failed launch is then reported once, as vwo-push's own error.
/// Thread-safety: the callback may run on any thread (the SDK's, or the caller's); state is under a mutex.
class sdk_log_router {
public:
    sdk_log_router(sdk_log_level shown, progress_reporter& out) : shown_(shown), out_(out) {}

    /// The SDK's level: what the user asked for, but never above error, so a launch failure is
    /// always seen here even with --log-level off.
    vwo::log_level sdk_level() const
    {
        switch (shown_) {
        case sdk_log_level::debug:
            return vwo::log_level::debug;
        case sdk_log_level::info:
            return vwo::log_level::info;
        case sdk_log_level::warn:
            return vwo::log_level::warn;
        case sdk_log_level::error:
        case sdk_log_level::off:
            break;
        }
        return vwo::log_level::error;
    }

    vwo::log_callback callback()
    {
        return [this](vwo::log_level level, std::string_view message) {
            {
                std::lock_guard lock(mutex_);
                if (holding_) {
                    held_.emplace_back(level, std::string(message));
                    return;
                }
            }
            write(level, message);
        };
    }

    /// Launch succeeded: what was held goes out (if its level is shown), later lines go straight out.
    void release()
    {
        std::vector<std::pair<vwo::log_level, std::string>> held;
        {
            std::lock_guard lock(mutex_);
            holding_ = false;
            held.swap(held_);
        }
        for (const auto& [level, message] : held)
            write(level, message);
    }

    /// Launch failed: the error lines that explain why.
    std::vector<std::string> held_errors() const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> errors;
        for (const auto& [level, message] : held_)
            if (level == vwo::log_level::error)
                errors.push_back(message);
        return errors;
    }

private:
    void write(vwo::log_level level, std::string_view message)
    {
        if (shown_ == sdk_log_level::off || static_cast<int>(level) < static_cast<int>(sdk_level()))
            return;
        out_.message(std::string("vwo-push: SDK ") + level_word(level) + ": " + std::string(message));
    }

    const sdk_log_level shown_;
    progress_reporter& out_;
    mutable std::mutex mutex_;
    bool holding_ = true;
    std::vector<std::pair<vwo::log_level, std::string>> held_;
};

/// The completion of one row's async_push. Thread-safety: runs on the SDK's thread and touches
/// only the tracker, which is thread-safe; each object is invoked once.
struct push_completion {
    delivery_tracker* tracker;
    submission s;

    void operator()(boost::system::error_code ec, vwo::push_result result)
    {
        const std::uint64_t line = s.data.line;
        if (!ec)
            return tracker->finished(line, row_outcome::delivered);
        if (ec == vwo::errc::queue_full) // backpressure, not a loss: the row is sent again
            return tracker->refused(std::move(s));
        if (ec == vwo::errc::invalid_argument) // pre-validation makes this unreachable; kept truthful
            return tracker->finished(line, row_outcome::invalid, "rejected by the SDK's validation");
        if (ec == vwo::errc::shutting_down)
            return tracker->finished(line, row_outcome::dropped, "not delivered before the --timeout deadline");
        std::string reason = ec.message();
        if (result.http_status != 0)
            reason += " (HTTP " + std::to_string(result.http_status) + ")";
        if (result.attempts > 1)
            reason += " after " + std::to_string(result.attempts) + " attempts";
        tracker->finished(line, row_outcome::failed, std::move(reason));
    }
};

std::string validation_problem(const row& r)
{
    auto problem = vwo::push_validation_error(r.key, r.value, r.user_id);
    if (!problem)
        return {};
    constexpr std::string_view prefix = "push rejected: ";
    if (problem->starts_with(prefix))
        problem->erase(0, prefix.size());
    return *problem;
}

} // namespace

int run_push(const cli_options& o)
{
    const auto started = clock::now();
    const bool from_file = o.file_format.has_value();
    const std::string input_name = !from_file ? "" : o.input_path == "-" ? "<stdin>" : o.input_path;

    // Output first, so every message below goes through the one place that owns stderr. The
    // tracker reports bad rows through the reporter, and the reporter shows the tracker's counts.
    std::optional<std::uint64_t> total; // written before reporter.start(), read by its thread after
    progress_reporter* out = nullptr;
    delivery_tracker tracker([&out, &input_name, from_file](const bad_row& b) {
        const std::string where = from_file ? input_name + ":" + std::to_string(b.line) : std::string("vwo-push");
        out->message(where + ": " + outcome_word(b.outcome) + ": " + b.reason);
    });
    progress_reporter reporter(
        detect_progress_style(o.quiet || !from_file), o.progress_interval,
        [&tracker, &total, started] {
            const auto c = tracker.counts();
            return progress_snapshot{c.done(), total, c.failures(), seconds_since(started)};
        },
        {}, terminal_width());
    out = &reporter;
    auto say = [&reporter](const std::string& text) { reporter.message("vwo-push: " + text); };

    // Before any thread exists, so every thread inherits the blocked signals.
    interrupt_watch watch([&tracker] { tracker.interrupt(); });

    // Input: opened (and counted, for the progress total) before anything is sent, so an
    // unreadable file or an unusable CSV header costs nothing.
    std::ifstream file;
    std::unique_ptr<row_reader> reader;
    if (from_file) {
        std::istream* in = &std::cin;
        if (o.input_path != "-") {
            file.open(o.input_path, std::ios::binary);
            if (!file) {
                say("cannot open " + o.input_path + ": " + std::strerror(errno));
                return exit_code::usage;
            }
            in = &file;
            struct stat info{};
            if (::stat(o.input_path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) { // a pipe cannot be read twice
                std::ifstream counting(o.input_path, std::ios::binary);
                auto counter = make_reader(*o.file_format, counting);
                total = count_rows(*counter);
                if (!total) {
                    say(input_name + ": " + counter->fatal_error());
                    return exit_code::usage;
                }
            }
        }
        reader = make_reader(*o.file_format, *in);
        if (!reader->fatal_error().empty()) {
            say(input_name + ": " + reader->fatal_error());
            return exit_code::usage;
        }
    } else {
        reader = std::make_unique<one_row_reader>(row{1, o.user_id, o.key, o.value, {}});
        total = 1;
    }

    auto settings = load_settings(o);
    if (!settings.error.empty()) {
        say(settings.error);
        return exit_code::setup;
    }

    const bool batch = from_file && o.batch;
    const std::size_t max_pending = from_file ? o.effective_max_pending() : 1;
    vwo::client_options options;
    options.settings_file = std::move(settings.json);
    options.endpoint = o.endpoint;
    options.development_mode = o.dry_run;
    options.tls.ca_file = o.ca_file;
    options.tls.insecure_skip_verify = o.insecure_skip_verify;
    options.max_connections = o.connections;
    // The CLI never has more than max_pending rows in the SDK, so with these bounds the queue is
    // never full; if it is anyway, the row comes back and is sent again (push_completion).
    options.max_queue_events = max_pending;
    options.max_queue_bytes = std::max(min_queue_bytes, max_pending * queue_bytes_per_row());
    options.shutdown_timeout = o.timeout;
    if (batch) {
        vwo::batch_events_options b;
        b.events_per_request = o.events_per_request;
        b.request_time_interval = batch_interval;
        options.batch_events = std::move(b);
    }
    sdk_log_router sdk_logs(o.log_level, reporter);
    options.logging.level = sdk_logs.sdk_level();
    options.logging.logger = sdk_logs.callback();

    // Declared after the tracker and the reporter: destroyed first, so no completion handler can
    // outlive what it reports to.
    boost::system::error_code launch_error;
    vwo::client client = vwo::launch(options, launch_error);
    if (launch_error) {
        const auto reasons = sdk_logs.held_errors();
        if (reasons.empty())
            say("could not start the client: " + launch_error.message());
        for (const auto& reason : reasons)
            say(reason);
        return exit_code::setup;
    }
    sdk_logs.release();
    reporter.start();

    auto submit = [&client, &tracker](submission s) {
        tracker.submitted(s.refusals == 0);
        // Copies: the handler owns the row (it may come back for a retry) and argument evaluation
        // order must not matter.
        const std::string user = s.data.user_id, key = s.data.key, value = s.data.value;
        client.async_push(key, value, user, push_completion{&tracker, std::move(s)});
    };

    // The reading loop: refused rows first, then new rows; each waits for room (bounded rows in
    // flight) and then for the rate limit. The next row is read before waiting, so the end of the
    // input is seen at once and --timeout starts when the last row was handed over.
    std::optional<rate_limiter> limiter;
    if (o.rate)
        limiter.emplace(*o.rate, rate_limiter::default_burst(*o.rate));
    const auto no_deadline = clock::now() + std::chrono::hours(24 * 365);
    bool input_complete = false;
    for (;;) {
        if (tracker.interrupted()) // e.g. during the settings fetch: read nothing more
            break;
        std::optional<submission> next = tracker.take_retry();
        if (!next) {
            auto r = reader->next();
            if (!r) {
                input_complete = reader->fatal_error().empty();
                if (!input_complete)
                    say(input_name + ": " + reader->fatal_error() + "; the rest of the input was not read");
                break;
            }
            tracker.row_read();
            if (!r->ok()) {
                tracker.record_invalid(r->line, std::move(r->error));
                continue;
            }
            if (auto problem = validation_problem(*r); !problem.empty()) {
                tracker.record_invalid(r->line, std::move(problem));
                continue;
            }
            next = submission{std::move(*r)};
        }
        const bool room = tracker.wait_for_room(max_pending, no_deadline) == delivery_tracker::wait_status::ready;
        // Rate tokens go to first attempts only: a refused row was never sent.
        if (!room || (limiter && next->refusals == 0 && !tracker.sleep_until(limiter->acquire(clock::now())))) {
            tracker.not_sent(next->data.line, "interrupted before it was sent");
            break;
        }
        submit(std::move(*next));
    }

    // Delivery of what was handed over, within --timeout: flush the partial batch, and hand
    // refused rows over again as room appears.
    const auto drain_deadline = clock::now() + o.timeout;
    for (;;) {
        if (batch)
            (void)client.flush_events().get(); // immediate mode: returns at once
        if (tracker.wait_until_settled(drain_deadline) != delivery_tracker::wait_status::ready)
            break;
        auto retry = tracker.take_retry();
        if (!retry)
            break; // nothing pending, nothing to retry: done
        submit(std::move(*retry));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(drain_deadline - clock::now());
    client.shutdown(std::max(left, std::chrono::milliseconds(0))); // completes the rest as shutting_down
    tracker.drop_waiting("not handed over again before the --timeout deadline");
    (void)tracker.wait_until_settled(clock::now() + handler_grace);

    const auto stats = client.stats();
    const auto counts = tracker.counts();
    reporter.finish();

    run_summary summary;
    summary.dry_run = o.dry_run;
    summary.interrupted = tracker.interrupted();
    summary.input_complete = input_complete;
    summary.rows_read = counts.rows_read;
    summary.validated = o.dry_run ? counts.delivered : 0;
    // The SDK counts a queue-full refusal as accepted and dropped; a refusal the CLI sent again
    // was neither, so it is taken out of both.
    summary.refusals_retried = counts.refusals;
    summary.accepted = stats.accepted - std::min(stats.accepted, counts.refusals);
    summary.delivered = stats.delivered;
    summary.failed = stats.failed();
    summary.dropped = stats.dropped() - std::min(stats.dropped(), counts.refusals);
    summary.not_sent = counts.not_sent;
    summary.invalid_lines = tracker.lines_with(row_outcome::invalid);
    summary.failed_lines = tracker.lines_with(row_outcome::failed);
    summary.dropped_lines = tracker.lines_with(row_outcome::dropped);
    summary.elapsed_seconds = seconds_since(started);
    if (!o.dry_run && (stats.delivered != counts.delivered || counts.pending != 0))
        say("warning: the SDK counted " + std::to_string(stats.delivered) + " delivered, the rows say " +
            std::to_string(counts.delivered) + " (" + std::to_string(counts.pending) + " without an answer)");

    const std::string text = format_summary(summary);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    int code = exit_code_for(summary);
    if (code == exit_code::ok && !input_complete)
        code = exit_code::rows_failed;
    return code;
}

} // namespace vwo::cli
