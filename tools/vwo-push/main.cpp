// vwo-push: the command-line face of the SDK's push. Parsing and the run live in their own files
// (cli_options, push_run); this only maps the parse result to an action and an exit code.

#include "cli_options.hpp"
#include "push_run.hpp"

#include <vwo/version.hpp>

#include <openssl/crypto.h>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv)
{
    using namespace vwo::cli;
    // vwo::get_settings_file runs its exchange on a detached thread of the SDK, whose OpenSSL
    // thread-exit clean-up may still be running when a failed fetch makes us exit at once. OpenSSL's
    // atexit clean-up would free the global locks that thread still takes (ThreadSanitizer reports
    // it). The process ends anyway, so that clean-up is skipped; it must be asked for before any
    // other OpenSSL use.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    const parse_result parsed = parse_arguments(argc, argv);
    switch (parsed.action) {
    case cli_action::help:
        std::fputs(usage_text().c_str(), stdout);
        return exit_code::ok;
    case cli_action::version:
        std::printf("vwo-push %s (%s)\n", vwo::sdk_version, vwo::sdk_name);
        return exit_code::ok;
    case cli_action::usage_error:
        std::fprintf(stderr, "vwo-push: %s\nTry 'vwo-push --help' for the options.\n", parsed.error.c_str());
        return exit_code::usage;
    case cli_action::run:
        break;
    }
    try {
        return run_push(parsed.options);
    } catch (const std::exception& e) {
        // Nothing in the run throws by design; an allocation failure is the realistic case. Rows
        // may be undelivered, which is what exit code 1 says.
        std::fprintf(stderr, "vwo-push: unexpected error: %s\n", e.what());
        return exit_code::rows_failed;
    }
}
