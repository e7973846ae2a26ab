#pragma once

// Error codes reported by the SDK, as a boost::system error category so they
// travel through Asio completion handlers unchanged.

#include <vwo/export.hpp>

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace vwo {

/// Why an operation failed. Zero is never used: a default error_code means success.
enum class errc {
    invalid_argument = 1,        ///< a key, value or user id broke the validation rule
    invalid_options,             ///< client_options out of range
    invalid_settings,            ///< settings file missing, malformed or incomplete
    opted_out,                   ///< set_opt_out() was called
    queue_full,                  ///< the bounded send queue had no room
    shutting_down,               ///< the client was shut down before delivery finished
    timeout,                     ///< a phase of the exchange passed its deadline
    resolve_failed,              ///< the collector's host name could not be resolved
    connect_failed,              ///< TCP connection refused or unreachable
    tls_handshake_failed,        ///< TLS handshake failed for a reason other than verification
    certificate_verification_failed, ///< the server certificate failed verification for another reason
    connection_lost,             ///< reset or end of stream before a complete response
    bad_response,                ///< the response was not valid HTTP/1.1
    http_unauthorized,           ///< 401 or 403: the SDK key was refused
    payload_too_large,           ///< 413 for a single event (a batch is split instead)
    http_rejected,               ///< any other non-retryable status (4xx)
    retries_exhausted,           ///< a retryable failure persisted through every retry
    nothing_to_flush,            ///< flush_events() outside batch mode or with an empty queue
    not_launched,                ///< the client handle is empty (moved-from or failed launch)
    // Certificate verification failures with a known reason (R10). Appended so every value above
    // keeps its number; certificate_verification_failed remains for any other verify failure.
    // None of them is retried, and none ever falls back to plain HTTP.
    certificate_untrusted,       ///< the chain does not lead to a trusted CA (unknown CA, issuer not found)
    certificate_expired,         ///< the server certificate has expired or is not yet valid
    certificate_hostname_mismatch, ///< the certificate does not name the host (or IP address) connected to
    certificate_self_signed,     ///< the server certificate (or a CA in its chain) is self-signed and untrusted
    // Proxy failures (R11), appended for the same reason. A refused or unreachable proxy reports
    // connect_failed / resolve_failed / timeout like the collector itself (and is retried).
    proxy_auth_required,         ///< the proxy answered 407: credentials missing or refused (not retried)
    proxy_failed,                ///< the proxy could not open the tunnel (5xx, 408, 429, closed, malformed answer); retried
    proxy_rejected,              ///< the proxy refused the tunnel with another status (403, ...); not retried
    // Decision and tracking APIs (docs/decisions.md): why a call made no decision. A decision that
    // gives no variation (segments, traffic) is not an error.
    campaign_not_found,          ///< no campaign with this key in the settings file
    campaign_not_running,        ///< the campaign's status is not RUNNING
    campaign_type_mismatch,      ///< the API does not apply to this campaign type (e.g. activate on a feature test)
    user_storage_required,       ///< a MAB campaign needs client_options::user_storage
    variable_not_found,          ///< get_feature_variable_value: no variable with this key
    variable_type_mismatch,      ///< the variable's value does not fit its declared type
    goal_not_found,              ///< track: the campaign has no goal with this identifier (or no campaign has it)
    goal_type_mismatch,          ///< track: the goal's type is not the one goal_type_to_track selects
    revenue_required,            ///< track: a revenue goal needs revenue_value (or its revenue property)
    no_variation,                ///< the user has no variation in the campaign (segments, traffic, not activated)
    already_tracked,             ///< track: this user already converted this goal (user storage)
    // Hostile peers and input (docs/reliability.md "Limits"), appended for the same reason.
    response_too_large,          ///< a response passed a read bound (headers, a chunk line, trailers, the body); not retried
    request_not_sendable,        ///< the request could not be built (e.g. a header past the size HTTP allows); not retried
    // Live settings (docs/settings.md), appended for the same reason.
    settings_of_another_account, ///< the new settings are for another account id than the client's
};

/// The category of vwo::errc. Thread-safe: a function-local static, immutable once built.
VWO_API const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// What kind of failure an error is, for code that reacts to kinds rather than to single codes:
/// `if (ec == vwo::condition::network) ...`. Every vwo::errc belongs to exactly one condition
/// (docs/troubleshooting.md "Error conditions"); codes of other categories belong to none.
enum class condition {
    network = 1, ///< transient: no complete answer (timeout, resolve/connect failed, connection lost, bad
                 ///< response, TLS handshake, proxy_failed); deliveries retry these
    tls,         ///< the server certificate was refused (certificate_*); never retried
    proxy,       ///< the proxy refused for good (proxy_auth_required, proxy_rejected); never retried
    rejected,    ///< the collector answered and refused (http_unauthorized, payload_too_large, http_rejected)
    limits,      ///< a size bound was hit (response_too_large, request_not_sendable); never retried
    gave_up,     ///< retries_exhausted: a transient failure outlasted every retry
    dropped,     ///< accepted work not delivered by the client itself (queue_full, shutting_down)
    usage,       ///< the call, options, settings file or handle state ruled it out (invalid_*, opted_out,
                 ///< not_launched, nothing_to_flush, settings_of_another_account)
    not_decided, ///< a decision or track call made no decision (campaign_*, variable_*, goal_*, no_variation, ...)
};

/// The category of vwo::condition. Thread-safe, as error_category().
const boost::system::error_category& condition_category() noexcept;

inline boost::system::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

} // namespace vwo

template <>
struct boost::system::is_error_code_enum<vwo::errc> : std::true_type {};

template <>
struct boost::system::is_error_condition_enum<vwo::condition> : std::true_type {};
