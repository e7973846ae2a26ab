#pragma once

// An engine on a fake transport and a manual clock, run on the test's own io_context: every step is
// explicit (run(), advance(), answer()) and every count exact.

#include "../support/fake_transport.hpp"
#include "../support/manual_clock.hpp"
#include "engine/client_impl.hpp"

#include <vwo/detail/dimension.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace vwo::test {

inline std::string engine_settings(bool event_arch = false)
{
    return std::string(R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,)") +
           (event_arch ? R"("isEventArchEnabled":true,)" : "") + R"("campaigns":[]})";
}

/// Thread-safety: the test thread only.
struct engine_fixture {
    std::vector<std::string> lines; // first: outlives the io_context, whose handlers may still log
    boost::asio::io_context ioc;
    std::shared_ptr<fake_network> net = std::make_shared<fake_network>();
    std::shared_ptr<manual_time> time = std::make_shared<manual_time>();
    client_options options;
    std::shared_ptr<client_impl> impl;

    engine_fixture()
    {
        options.settings_file = engine_settings();
        options.endpoint = "http://127.0.0.1:9";
        options.executor = ioc.get_executor();
        options.retry.max_elapsed_time = std::chrono::milliseconds(0); // the retry count alone
        options.logging.level = log_level::debug;
        options.logging.logger = [this](log_level, std::string_view line) { lines.emplace_back(line); };
    }

    ~engine_fixture()
    {
        if (!impl)
            return;
        // Shut down for real, so nothing is left holding the client.
        shutdown(std::chrono::milliseconds(0));
        time->advance(std::chrono::hours(1));
        run();
        net->waiting.clear();
        time->waits.clear();
    }

    void launch()
    {
        engine::seams seams;
        seams.make_transport = [net = net](boost::asio::any_io_executor ex, transport::transport_config) {
            return std::make_unique<fake_transport>(std::move(ex), net);
        };
        seams.make_clock = [time = time](boost::asio::any_io_executor ex) {
            return std::make_unique<manual_clock>(std::move(ex), time);
        };
        boost::system::error_code ec;
        std::string error;
        impl = client_impl::create(options, ec, error, seams);
        REQUIRE(impl);
        run();
    }

    /// Runs everything ready on the engine (and what that makes ready), never waiting.
    void run()
    {
        ioc.restart();
        ioc.poll();
    }

    /// The engine's 1 ms inbox poll: lets the SDK thread pick up what callers queued.
    void tick()
    {
        run();
        time->advance(std::chrono::milliseconds(1));
        run();
    }

    /// Lets the inbox poll go to sleep (five empty 1 ms looks), so that the clock holds only the waits
    /// a test is about (retries, the batch interval, the shutdown deadline).
    void settle()
    {
        for (int i = 0; i < 6; ++i)
            tick();
    }

    /// shutdown() from the SDK thread (it does not wait there).
    void shutdown(std::chrono::milliseconds deadline)
    {
        boost::asio::post(impl->get_executor(), [i = impl, deadline] { i->shutdown(deadline); });
        run();
    }

    bool push(std::string key, std::string value = "v", std::string user = "u1")
    {
        return impl->push(detail::single_dimension(key, value), user).get();
    }

    client_stats stats() const { return impl->stats(); }

    /// accepted == delivered + failed + dropped + queued + in_flight, in every snapshot.
    static void require_invariant(const client_stats& s)
    {
        REQUIRE(s.accepted == s.delivered + s.failed() + s.dropped() + s.queued + s.in_flight);
    }

    bool logged(std::string_view part) const
    {
        for (const auto& l : lines)
            if (l.find(part) != std::string::npos)
                return true;
        return false;
    }
};

} // namespace vwo::test
