// batch_events: queue pushes and send them as one POST /server-side/batch-events per batch, like the
// official SDKs' batchEvents option. A batch goes out when `events_per_request` events are queued,
// when `request_time_interval` has passed since the first queued event, on flush_events(), on
// set_opt_out(), and at shutdown() / destruction (nothing accepted is lost at exit, unlike Node).
// flush_callback reports each batch request once it finished.
//
// Use it for high-volume pushes where a few seconds of delay do not matter: far fewer requests.
//
// Runs against an embedded collector on 127.0.0.1 (no VWO account needed). Exits non-zero unless
// every event was delivered in the expected batches.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;

namespace {

// What flush_callback reported. The callback runs on the SDK thread, so it is guarded.
class batch_report {
public:
    void on_flush(boost::system::error_code ec, std::string_view payload)
    {
        std::size_t events = 0; // one "eT":3 element per pushed key
        for (auto at = payload.find("\"eT\":3"); at != std::string_view::npos; at = payload.find("\"eT\":3", at + 1))
            ++events;
        std::printf("  flush_callback: batch of %zu events, %s\n", events, ec ? ec.message().c_str() : "delivered");
        std::lock_guard lock(mutex_);
        batches_.push_back(ec ? 0 : events);
        changed_.notify_all();
    }
    bool wait_for_batches(std::size_t n, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return batches_.size() >= n; });
    }
    std::vector<std::size_t> batches()
    {
        std::lock_guard lock(mutex_);
        return batches_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::size_t> batches_; ///< events per batch; 0 for a failed batch
};

} // namespace

int main()
{
    vwo::tools::local_collector collector; // stands in for VWO's collector
    batch_report report;

    vwo::client_options options;
    options.settings_file =
        R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[]})";
    options.endpoint = collector.endpoint();
    options.batch_events = vwo::batch_events_options{
        .events_per_request = 10,        // send as soon as 10 events are queued ...
        .request_time_interval = 60s,    // ... or 60 s after the first one, whichever comes first
        .flush_callback = [&report](boost::system::error_code ec, std::string_view payload) {
            report.on_flush(ec, payload); // keep it short: it runs on the SDK thread
        }};
    vwo::client client = vwo::launch(options);

    // 25 pushes: two full batches of 10 go out on their own; 5 stay queued.
    std::printf("25 pushes:\n");
    for (int i = 0; i < 25; ++i)
        if (!client.push("cohort", "2026-w" + std::to_string(i % 4), "user-" + std::to_string(i)).get())
            std::printf("  push %d refused\n", i);
    report.wait_for_batches(2, 5s);

    // flush_events(): send what is queued now. In immediate mode true means "handed over".
    const bool handed_over = client.flush_events().get();
    std::printf("flush_events() -> %s\n", handed_over ? "true (5 events handed over)" : "false");
    report.wait_for_batches(3, 5s);
    std::printf("flush_events() again -> %s (nothing queued)\n", client.flush_events().get() ? "true" : "false");

    // 3 more, then shut down: shutdown() sends the partial batch and waits for it.
    std::printf("3 more pushes, then shutdown():\n");
    client.push({{"plan", "gold"}, {"seats", "3"}}, "user-99").get(); // a map: one event per key
    client.push("plan", "free", "user-100").get();
    client.shutdown(2s);

    const vwo::client_stats s = client.stats();
    const std::vector<std::size_t> batches = report.batches();
    std::printf("\n%zu batch requests; stats: accepted=%llu delivered=%llu failed=%llu; collector saw %zu requests\n",
                batches.size(), static_cast<unsigned long long>(s.accepted),
                static_cast<unsigned long long>(s.delivered), static_cast<unsigned long long>(s.failed()),
                collector.request_count());
    for (const auto& r : collector.requests())
        std::printf("  %s %s (eb=%s)\n", r.method.c_str(), r.path.c_str(), r.query_value("eb").value_or("-").c_str());

    const bool ok = batches == std::vector<std::size_t>{10, 10, 5, 3} && s.delivered == 28 &&
                    collector.request_count() == 4;
    std::printf("%s\n", ok ? "batch_events OK" : "batch_events FAILED");
    return ok ? 0 : 1;
}
