#include <vwo/error.hpp>

#include <string>

namespace vwo {
namespace {

// Thread-safety: stateless; message() may be called from any thread.
class vwo_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "vwo"; }

    std::string message(int value) const override
    {
        switch (static_cast<errc>(value)) {
        case errc::invalid_argument: return "invalid argument";
        case errc::invalid_options: return "invalid client options";
        case errc::invalid_settings: return "invalid settings file";
        case errc::opted_out: return "client opted out";
        case errc::queue_full: return "send queue full";
        case errc::shutting_down: return "client shut down before delivery";
        case errc::timeout: return "deadline exceeded";
        case errc::resolve_failed: return "host name resolution failed";
        case errc::connect_failed: return "connection failed";
        case errc::tls_handshake_failed: return "TLS handshake failed";
        case errc::certificate_verification_failed: return "server certificate verification failed";
        case errc::connection_lost: return "connection lost before a complete response";
        case errc::bad_response: return "malformed HTTP response";
        case errc::http_unauthorized: return "collector refused the SDK key (401/403)";
        case errc::payload_too_large: return "collector refused the event as too large (413)";
        case errc::http_rejected: return "collector rejected the request";
        case errc::retries_exhausted: return "retries exhausted";
        case errc::nothing_to_flush: return "no batch events queued";
        case errc::not_launched: return "client not launched";
        case errc::certificate_untrusted: return "server certificate not trusted (unknown CA)";
        case errc::certificate_expired: return "server certificate expired or not yet valid";
        case errc::certificate_hostname_mismatch:
            return "server certificate does not match the host name or IP address";
        case errc::certificate_self_signed: return "server certificate is self-signed";
        case errc::proxy_auth_required: return "proxy authentication required (407)";
        case errc::proxy_failed: return "proxy could not open the tunnel";
        case errc::proxy_rejected: return "proxy refused the tunnel";
        case errc::campaign_not_found: return "no campaign with this key";
        case errc::campaign_not_running: return "campaign not running";
        case errc::campaign_type_mismatch: return "API not applicable to this campaign type";
        case errc::user_storage_required: return "MAB campaign needs user storage";
        case errc::variable_not_found: return "feature variable not found";
        case errc::variable_type_mismatch: return "feature variable value does not fit its type";
        case errc::goal_not_found: return "goal not found in the campaign";
        case errc::goal_type_mismatch: return "goal type not selected by goal_type_to_track";
        case errc::revenue_required: return "revenue goal tracked without a revenue value";
        case errc::no_variation: return "user has no variation in the campaign";
        case errc::already_tracked: return "goal already converted by this user";
        case errc::response_too_large: return "the response passed a size limit";
        case errc::request_not_sendable: return "the request cannot be sent (a header or line is too long)";
        }
        return "unknown vwo error " + std::to_string(value);
    }
};

} // namespace

const boost::system::error_category& error_category() noexcept
{
    static const vwo_error_category category;
    return category;
}

} // namespace vwo
