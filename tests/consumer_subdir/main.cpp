// Built together with the SDK through add_subdirectory; makes one real call (development
// mode: validated, nothing sent) and checks the version header generated into the SDK's build tree.
#include <vwo/vwo.hpp>

#include <cstdio>
#include <string_view>

int main()
{
    vwo::client_options options;
    options.settings_file = R"({"accountId":1,"sdkKey":"k","version":1,"campaigns":[]})";
    options.development_mode = true;
    options.logging.logger = [](vwo::log_level, std::string_view) {};
    vwo::client client = vwo::launch(options);
    const bool accepted = client.push("consumer", "subdir", "user-1").get();
    const bool versioned = !std::string_view(vwo::sdk_version).empty();
    std::printf("vwo %s add_subdirectory consumer: push accepted=%d\n", vwo::sdk_version, accepted ? 1 : 0);
    return accepted && versioned ? 0 : 1;
}
