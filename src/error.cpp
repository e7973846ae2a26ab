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
        case errc::settings_of_another_account: return "the settings are for another account";
        }
        return "unknown vwo error " + std::to_string(value);
    }
};

// The one place that sorts every errc into its condition (docs/troubleshooting.md "Error conditions").
// No default: a new errc without a condition is a compile warning (an error with VWO_WARNINGS_AS_ERRORS).
condition condition_of(errc e) noexcept
{
    switch (e) {
    case errc::timeout:
    case errc::resolve_failed:
    case errc::connect_failed:
    case errc::connection_lost:
    case errc::bad_response:
    case errc::tls_handshake_failed:
    case errc::proxy_failed: return condition::network;
    case errc::certificate_verification_failed:
    case errc::certificate_untrusted:
    case errc::certificate_expired:
    case errc::certificate_hostname_mismatch:
    case errc::certificate_self_signed: return condition::tls;
    case errc::proxy_auth_required:
    case errc::proxy_rejected: return condition::proxy;
    case errc::http_unauthorized:
    case errc::payload_too_large:
    case errc::http_rejected: return condition::rejected;
    case errc::response_too_large:
    case errc::request_not_sendable: return condition::limits;
    case errc::retries_exhausted: return condition::gave_up;
    case errc::queue_full:
    case errc::shutting_down: return condition::dropped;
    case errc::invalid_argument:
    case errc::invalid_options:
    case errc::invalid_settings:
    case errc::opted_out:
    case errc::nothing_to_flush:
    case errc::not_launched:
    case errc::settings_of_another_account: return condition::usage;
    case errc::campaign_not_found:
    case errc::campaign_not_running:
    case errc::campaign_type_mismatch:
    case errc::user_storage_required:
    case errc::variable_not_found:
    case errc::variable_type_mismatch:
    case errc::goal_not_found:
    case errc::goal_type_mismatch:
    case errc::revenue_required:
    case errc::no_variation:
    case errc::already_tracked: return condition::not_decided;
    }
    return condition{}; // a value outside the enum: no condition
}

// Thread-safety: stateless; may be called from any thread.
class vwo_condition_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "vwo.condition"; }

    std::string message(int value) const override
    {
        switch (static_cast<condition>(value)) {
        case condition::network: return "network failure (transient, retried)";
        case condition::tls: return "server certificate refused";
        case condition::proxy: return "proxy refused the connection";
        case condition::rejected: return "collector rejected the request";
        case condition::limits: return "a size limit was exceeded";
        case condition::gave_up: return "gave up after retries";
        case condition::dropped: return "dropped by the client (queue full or shutting down)";
        case condition::usage: return "invalid use, options or settings";
        case condition::not_decided: return "no decision was made";
        }
        return "unknown vwo condition " + std::to_string(value);
    }

    // Only vwo::errc codes belong to a condition; codes of other categories never do.
    bool equivalent(const boost::system::error_code& code, int value) const noexcept override
    {
        return value != 0 && code.category() == vwo::error_category() &&
               static_cast<int>(condition_of(static_cast<errc>(code.value()))) == value;
    }
};

} // namespace

const boost::system::error_category& error_category() noexcept
{
    static const vwo_error_category category;
    return category;
}

const boost::system::error_category& condition_category() noexcept
{
    static const vwo_condition_category category;
    return category;
}

} // namespace vwo
