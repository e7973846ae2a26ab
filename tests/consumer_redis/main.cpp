// Links against the installed vwo::redis component (find_package(vwo COMPONENTS redis)) and makes real
// calls with it as the client's asynchronous user store. No Redis server is needed: the store points at
// a loopback port nothing listens on, so the connection is refused (hiredis really runs), the call
// decides afresh as without storage and the client counts the store's failures.
#include <vwo/redis_user_storage.hpp>
#include <vwo/vwo.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

int main()
{
    vwo::redis_user_storage_options store_options;
    store_options.port = 1; // tcpmux: nothing listens on loopback here, the connect is refused at once
    store_options.connect_deadline = std::chrono::milliseconds(500);
    store_options.command_deadline = std::chrono::milliseconds(500);

    vwo::client_options options;
    options.settings_file =
        R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[{"id":1,"key":"AB","type":"VISUAL_AB",)"
        R"("status":"RUNNING","percentTraffic":100,"segments":{},"goals":[],"variations":[)"
        R"({"id":1,"name":"Control","weight":100,"segments":{}}]}]})";
    options.development_mode = true;
    options.logging.logger = [](vwo::log_level, std::string_view) {};
    options.async_user_storage = std::make_shared<vwo::redis_user_storage>(store_options);
    options.storage_deadline = std::chrono::seconds(2);
    vwo::client client = vwo::launch(options);

    const auto variation = client.activate("AB", "user-1").get();
    const auto stats = client.stats();
    std::printf("vwo %s redis consumer: variation=%s storage_errors=%llu storage_timeouts=%llu\n", vwo::sdk_version,
                variation ? variation->c_str() : "(none)", static_cast<unsigned long long>(stats.storage_errors),
                static_cast<unsigned long long>(stats.storage_timeouts));
    // Decided without storage (the store failed, the call did not), and the failure was counted.
    return variation == "Control" && stats.storage_errors + stats.storage_timeouts >= 1 ? 0 : 1;
}
