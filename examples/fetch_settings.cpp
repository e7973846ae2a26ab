// fetch_settings: the production start-up sequence. vwo::get_settings_file fetches the settings
// JSON (GET /server-side/settings?a=<account>&i=<sdk key>...), vwo::launch parses it, then the
// client pushes. Shows the error path too: a refused SDK key is an exception from the future,
// with a vwo::errc you can branch on.
//
// Here the "VWO server" is an embedded collector on 127.0.0.1 scripted to answer the settings
// request; in production leave settings_fetch_options::endpoint and client_options::endpoint at
// their defaults (https://dev.visualwebsiteoptimizer.com). Exits non-zero unless the settings were
// fetched and the push delivered.

#include <local_collector.hpp>
#include <vwo/vwo.hpp>

#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

int main()
{
    const std::string account_id = "123456";
    const std::string sdk_key = "abcdef0123456789abcdef0123456789";

    // The stand-in server answers requests in order from a script: first a 401 (wrong key), then
    // the settings file; everything after that (the push) gets the default 200.
    vwo::tools::local_collector server;
    vwo::tools::scripted_response refused;
    refused.status = 401;
    refused.body = R"({"message":"invalid sdk key"})";
    vwo::tools::scripted_response settings;
    settings.body = R"({"accountId":123456,"sdkKey":")" + sdk_key + R"(","version":1,"campaigns":[]})";
    server.push_responses({refused, settings});

    vwo::settings_fetch_options fetch;
    fetch.endpoint = server.endpoint(); // production: leave the default
    fetch.timeouts.request = 5s;        // deadlines apply: a hung server cannot block start-up forever

    // 1. A wrong key: the future throws boost::system::system_error carrying vwo::errc::http_unauthorized.
    try {
        const std::string json = vwo::get_settings_file(account_id, "wrong-key", fetch).get();
        std::printf("unexpected: got %zu bytes of settings with a wrong key\n", json.size());
        return 1;
    } catch (const boost::system::system_error& e) {
        const bool unauthorized = e.code() == vwo::errc::http_unauthorized;
        std::printf("wrong key:   %s%s\n", e.what(), unauthorized ? " (errc::http_unauthorized)" : "");
        if (!unauthorized)
            return 1;
    }

    // 2. The right key: the settings JSON, as text, ready for client_options::settings_file.
    std::string settings_json;
    try {
        settings_json = vwo::get_settings_file(account_id, sdk_key, fetch).get();
    } catch (const boost::system::system_error& e) {
        std::printf("fetching the settings failed: %s\n", e.what()); // retry later, or start from a cached copy
        return 1;
    }
    std::printf("settings:    %zu bytes: %s\n", settings_json.size(), settings_json.c_str());

    // 3. Launch with it and push. launch() throws if the JSON is unusable.
    vwo::client_options options;
    options.settings_file = settings_json;
    options.endpoint = server.endpoint(); // production: leave the default
    options.return_promise_for.push = true;
    vwo::client client = vwo::launch(options);
    const bool delivered = client.push("plan", "gold", "user-1").get();
    std::printf("push:        delivered=%s\n", delivered ? "true" : "false");
    client.shutdown(2s);

    std::printf("\nthe server received:\n");
    for (const auto& r : server.requests())
        std::printf("  %s %s  (a=%s i=%s account_id=%s)\n", r.method.c_str(), r.path.c_str(),
                    r.query_value("a").value_or("-").c_str(), r.query_value("i").value_or("-").c_str(),
                    r.query_value("account_id").value_or("-").c_str());

    const auto requests = server.requests();
    const bool ok = delivered && requests.size() == 3 && requests[1].path == "/server-side/settings" &&
                    requests[1].query_value("i") == sdk_key && requests[2].path == "/server-side/push";
    std::printf("%s\n", ok ? "fetch_settings OK" : "fetch_settings FAILED");
    return ok ? 0 : 1;
}
