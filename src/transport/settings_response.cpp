#include "transport/settings_response.hpp"

#include <vwo/error.hpp>

namespace vwo::transport {

boost::system::error_code classify_settings_response(const exchange_result& result) noexcept
{
    if (result.error)
        return result.error;
    if (result.body_too_large)
        return make_error_code(errc::response_too_large);
    if (result.status == 401 || result.status == 403)
        return make_error_code(errc::http_unauthorized);
    if (result.status < 200 || result.status > 299)
        return make_error_code(errc::http_rejected);
    return {};
}

} // namespace vwo::transport
