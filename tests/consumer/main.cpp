// Links against the installed vwo package and makes one real call (development mode:
// validated, nothing sent), proving headers, library and dependencies all resolve.
#include <vwo/vwo.hpp>

#include <cstdio>

int main()
{
    vwo::client_options options;
    options.settings_file = R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[]})";
    options.development_mode = true;
    options.logging.logger = [](vwo::log_level, std::string_view) {};
    vwo::client client = vwo::launch(options);
    const bool accepted = client.push("consumer", "ok", "user-1").get();
    std::printf("vwo %s consumer: push accepted=%d\n", vwo::sdk_version, accepted ? 1 : 0);
    return accepted ? 0 : 1;
}
