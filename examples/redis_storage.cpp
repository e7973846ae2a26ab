// vwo::redis_user_storage (target vwo::redis): user storage in Redis, shared by every instance of a
// service (and by Node services using vwo-node-sdk-redis-helper: same keys, same JSON).
//
// Usage: redis_storage              starts a throwaway redis-server (Debian's) on a free port and uses it
//        redis_storage HOST PORT    uses your server (records are written under the key prefix "example:")
// Exits 77 (skipped) when no server is given and redis-server is not installed.

#include <local_redis_server.hpp>
#include <vwo/redis_user_storage.hpp>
#include <vwo/vwo.hpp>

#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace {

/// A one-campaign account: CHECKOUT_CTA, all users in it, `control_weight` percent of them to Control.
std::string settings_with_weights(int control_weight)
{
    return R"({"accountId":123456,"sdkKey":"abcdef0123456789abcdef0123456789","version":1,"campaigns":[)"
           R"({"id":101,"key":"CHECKOUT_CTA","type":"VISUAL_AB","status":"RUNNING","percentTraffic":100,)"
           R"("segments":{},"goals":[],"variations":[{"id":1,"name":"Control","weight":)" +
           std::to_string(control_weight) + R"(,"segments":{}},{"id":2,"name":"Variation-1","weight":)" +
           std::to_string(100 - control_weight) + R"(,"segments":{}}]}]})";
}

} // namespace

int main(int argc, char** argv)
{
    std::optional<vwo::testing::local_redis_server> server;
    vwo::redis_user_storage_options options;
    if (argc == 3) {
        options.host = argv[1];
        options.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    } else {
        if (!vwo::testing::local_redis_server::available()) {
            std::puts("redis-server not installed (Debian package redis-server): skipped");
            return 77;
        }
        server.emplace();
        options.port = server->port();
    }
    options.key_prefix = "example:";
    options.ttl = std::chrono::hours(24 * 90); // forget users unseen for 90 days
    options.command_deadline = std::chrono::milliseconds(500);
    auto store = std::make_shared<vwo::redis_user_storage>(options);

    // 1. Blocking (vwo::user_storage): what the SDK calls on the API's thread. Failures throw.
    vwo::user_storage_record record{"user-1", "CHECKOUT_CTA", "Variation-1", "", {{"plan", "gold"}}};
    store->set(record);
    auto stored = store->get("user-1", "CHECKOUT_CTA");
    if (!stored || stored->variation_name != "Variation-1" || stored->meta_data["plan"] != "gold") {
        std::puts("redis_storage: the record did not round-trip");
        return 1;
    }
    std::printf("sync:  %s -> %s (meta plan=%s)\n", store->key_of("user-1", "CHECKOUT_CTA").c_str(),
                stored->variation_name.c_str(), stored->meta_data["plan"].c_str());

    // 2. Non-blocking (vwo::async_user_storage): the handler runs on the store's thread.
    std::promise<bool> done;
    store->async_get("user-2", "CHECKOUT_CTA",
                     [&](boost::system::error_code ec, std::optional<vwo::user_storage_record> r) {
                         std::printf("async: user-2 -> %s\n", ec ? ec.message().c_str() : r ? "stored" : "nothing stored");
                         done.set_value(!ec && !r);
                     });
    if (!done.get_future().get())
        return 1;

    // 3. Plugged into clients as their asynchronous store: a decision waits for Redis without blocking
    //    any thread, and stays sticky across instances of the service and across traffic changes. Two
    //    clients stand for two instances; the second runs after the account moved all traffic to Control.
    auto launch_instance = [&](int control_weight) {
        vwo::client_options client_options;
        client_options.settings_file = settings_with_weights(control_weight);
        client_options.development_mode = true; // decisions only: no impressions leave this example
        client_options.async_user_storage = store;
        client_options.storage_deadline = std::chrono::milliseconds(200); // Redis late: decide afresh
        return vwo::launch(client_options);
    };
    vwo::client first = launch_instance(0);   // everyone gets Variation-1
    vwo::client second = launch_instance(100); // everyone new gets Control
    const auto decided = first.async_activate("CHECKOUT_CTA", "user-3", boost::asio::use_future).get();
    const auto kept = second.async_activate("CHECKOUT_CTA", "user-3", boost::asio::use_future).get();
    const auto fresh = second.async_activate("CHECKOUT_CTA", "user-4", boost::asio::use_future).get();
    std::printf("client: user-3 -> %s on the first instance, %s on the second (sticky); user-4 -> %s\n",
                decided.value_or("(none)").c_str(), kept.value_or("(none)").c_str(), fresh.value_or("(none)").c_str());
    const auto failures = first.stats().storage_errors + first.stats().storage_timeouts +
                          second.stats().storage_errors + second.stats().storage_timeouts;
    if (decided != "Variation-1" || kept != "Variation-1" || fresh != "Control" || failures != 0) {
        std::puts("redis_storage: the decision was not kept in Redis");
        return 1;
    }
    std::puts("ok");
    return 0;
}
