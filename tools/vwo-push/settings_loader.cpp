#include "settings_loader.hpp"

#include <vwo/client.hpp>

#include <boost/system/system_error.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vwo::cli {

settings_load_result load_settings(const cli_options& options)
{
    settings_load_result result;
    if (!options.settings_file.empty()) {
        std::ifstream in(options.settings_file, std::ios::binary);
        if (!in) {
            result.error = "cannot open the settings file " + options.settings_file + ": " + std::strerror(errno);
            return result;
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) {
            result.error = "cannot read the settings file " + options.settings_file;
            return result;
        }
        result.json = std::move(text).str();
        return result;
    }
    vwo::settings_fetch_options fetch;
    fetch.endpoint = options.endpoint;
    fetch.tls.ca_file = options.ca_file;
    fetch.tls.insecure_skip_verify = options.insecure_skip_verify;
    try {
        result.json = vwo::get_settings_file(options.account_id, options.sdk_key, fetch).get();
    } catch (const boost::system::system_error& e) {
        result.error = "could not fetch the settings for account " + options.account_id + " from " +
                       options.endpoint + ": " + e.code().message();
    }
    return result;
}

} // namespace vwo::cli
