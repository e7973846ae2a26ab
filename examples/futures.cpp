// futures: promise mode (return_promise_for.all). Every push returns a std::future<bool> that becomes
// true once the collector answered 2xx, false once delivery failed for good. This example fans out
// several pushes, chains one push after another's confirmation, and waits for all of them together
// under a single deadline, as a batch job or a request with a time budget would.
//
// Runs against an embedded collector on 127.0.0.1 (no VWO account needed). Exits non-zero unless
// every push was delivered before the deadline.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <vector>

using namespace std::chrono_literals;

int main()
{
    vwo::tools::local_collector collector; // stands in for VWO's collector

    vwo::client_options options;
    options.settings_file =
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";
    options.endpoint = collector.endpoint();
    options.return_promise_for.all = true; // push() and flush_events() now return futures
    vwo::client client = vwo::launch(options);

    struct pending {
        std::string what;
        std::future<bool> delivered;
    };
    std::vector<pending> pushes;

    // 1. Fan out: each call returns at once; the SDK thread sends them concurrently over its
    //    keep-alive connections. No call waits for another.
    for (int i = 1; i <= 4; ++i) {
        const std::string user = "user-" + std::to_string(i);
        pushes.push_back({"plan for " + user, client.push("plan", i % 2 ? "gold" : "free", user).to_future()});
    }
    pushes.push_back({"2 keys for user-5", client.push({{"browser", "chrome"}, {"price", "20"}}, "user-5").to_future()});

    // 2. Chain: "onboarding" may only be recorded once "signup" was confirmed. std::future has no
    //    then(); a std::async continuation that owns the first future does the job.
    std::future<bool> signup = client.push("signup", "yes", "user-6").to_future();
    pushes.push_back({"signup, then onboarding, for user-6",
                      std::async(std::launch::async, [&client, first = std::move(signup)]() mutable {
                          return first.get() && client.push("onboarding", "done", "user-6").get();
                      })});

    // 3. Invalid input never throws: the future is simply false, at once (the reason is logged).
    std::future<bool> invalid = client.push("", "no key", "user-7").to_future();

    // 4. Await everything under ONE deadline, not a timeout per future.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    int delivered = 0;
    for (auto& p : pushes) {
        const bool ready = p.delivered.wait_until(deadline) == std::future_status::ready;
        const bool ok = ready && p.delivered.get();
        delivered += ok ? 1 : 0;
        std::printf("  %-38s %s\n", p.what.c_str(), !ready ? "still pending at the deadline" : ok ? "delivered" : "failed");
    }
    const bool invalid_refused = !invalid.get();
    std::printf("  %-38s %s\n", "empty key", invalid_refused ? "refused (false, no exception)" : "unexpectedly accepted");

    client.shutdown(2s);
    const vwo::client_stats s = client.stats();
    std::printf("\n%d/%zu pushes delivered; stats: accepted=%llu delivered=%llu failed=%llu; collector saw %zu requests\n",
                delivered, pushes.size(), static_cast<unsigned long long>(s.accepted),
                static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.failed()),
                collector.request_count());

    // 4 single-key GETs + 1 two-key POST batch-events + signup + onboarding = 7 requests.
    const bool ok = delivered == static_cast<int>(pushes.size()) && invalid_refused && collector.request_count() == 7;
    std::printf("%s\n", ok ? "futures OK" : "futures FAILED");
    return ok ? 0 : 1;
}
