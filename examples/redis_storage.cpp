// vwo::redis_user_storage (target vwo::redis): user storage in Redis, shared by every instance of a
// service (and by Node services using vwo-node-sdk-redis-helper: same keys, same JSON).
//
// Usage: redis_storage              starts a throwaway redis-server (Debian's) on a free port and uses it
//        redis_storage HOST PORT    uses your server (records are written under the key prefix "example:")
// Exits 77 (skipped) when no server is given and redis-server is not installed.

#include <local_redis_server.hpp>
#include <vwo/redis_user_storage.hpp>
#include <vwo/vwo.hpp>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>

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

    // 3. Plugged into a client: decisions become sticky across instances of the service.
    vwo::client_options client_options;
    client_options.user_storage = store;
    std::puts("ok");
    return 0;
}
