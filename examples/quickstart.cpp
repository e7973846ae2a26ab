// vwo-cpp-sdk quickstart: push custom dimensions in all three styles against an
// embedded collector on 127.0.0.1, so it runs anywhere with no VWO account.
//
// In production you would fetch the settings file (vwo::get_settings_file) and leave
// `endpoint` at its default; everything else stays the same.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <map>
#include <string>

namespace asio = boost::asio;

int main()
{
    // 1. A local stand-in for VWO's collector (records every request it gets).
    vwo::tools::local_collector collector;
    std::printf("embedded collector listening on %s\n\n", collector.endpoint().c_str());

    // The settings file as VWO serves it (normally: vwo::get_settings_file(account_id, sdk_key)).
    const std::string settings =
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";

    vwo::client_options options;
    options.settings_file = settings;
    options.endpoint = collector.endpoint();
    options.logging.level = vwo::log_level::warn;

    // 2. Immediate mode (default): push() returns at once; true means "accepted".
    {
        vwo::client client = vwo::launch(options);
        bool accepted = client.push("browser", "chrome", "user-1").get();
        std::printf("[immediate] push(browser=chrome)          accepted=%s\n", accepted ? "true" : "false");
        accepted = client.push({{"plan", "gold"}, {"price", "20"}, {"region", "eu"}}, "user-2").get();
        std::printf("[immediate] push(3 keys)                  accepted=%s\n", accepted ? "true" : "false");
        accepted = client.push("", "x", "user-3").get();
        std::printf("[immediate] push(empty key)               accepted=%s (see the error log line)\n",
                    accepted ? "true" : "false");
        client.shutdown(std::chrono::seconds(2)); // the destructor does this too: nothing accepted is lost
    }

    // 3. Promise mode: push() returns a future; true means "the collector answered 2xx".
    {
        vwo::client_options promise_options = options;
        promise_options.return_promise_for.push = true;
        vwo::client client = vwo::launch(promise_options);
        std::future<bool> delivered = client.push("a b&c=d", "x/y \"z\" ü+%", "user 1").to_future();
        std::printf("[promise]   push(special characters)      delivered=%s\n", delivered.get() ? "true" : "false");
        std::map<std::string, std::string> dims{{"tier", "pro"}, {"cohort", "2026-11"}};
        std::printf("[promise]   push(std::map, 2 keys)        delivered=%s\n",
                    client.push(dims, "user-4").get() ? "true" : "false");
    }

    // 4. Any Asio completion token: here a C++20 coroutine on the application's io_context.
    {
        vwo::client client = vwo::launch(options);
        asio::io_context app;
        asio::co_spawn(
            app,
            [&]() -> asio::awaitable<void> {
                auto [ec, result] =
                    co_await client.async_push("checkout", "v2", "user-5", asio::as_tuple(asio::use_awaitable));
                std::printf("[co_await]  async_push(checkout=v2)       error=\"%s\" http_status=%u\n",
                            ec ? ec.message().c_str() : "", result.http_status);
            },
            asio::detached);
        app.run();
    }

    // 5. What the collector received.
    std::printf("\nthe collector received %zu requests over %zu connection(s):\n", collector.request_count(),
                collector.connections_accepted());
    for (const auto& r : collector.requests()) {
        std::printf("  %s %s\n", r.method.c_str(), r.path.c_str());
        if (auto tags = r.query_value("tags"))
            std::printf("      tags=%s\n", tags->c_str());
        if (!r.body.empty())
            std::printf("      body=%.160s%s\n", r.body.c_str(), r.body.size() > 160 ? "..." : "");
    }
    const bool ok = collector.request_count() == 5;
    std::printf("\n%s\n", ok ? "quickstart OK" : "quickstart FAILED: expected 5 requests");
    return ok ? 0 : 1;
}
