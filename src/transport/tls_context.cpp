// OpenSSL specifics of the transport, kept out of connection.cpp so that the X509 headers and the
// verify-result table are compiled once, away from the Beast templates.

#include "transport/tls_context.hpp"
#include "transport/http_client.hpp" // transport_setup_error, release_thread_state

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace vwo::transport {
namespace {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

// Maps OpenSSL's verify result (SSL_get_verify_result) to the distinct R10 error codes.
errc certificate_error(long verify_result) noexcept
{
    switch (verify_result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        return errc::certificate_untrusted;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return errc::certificate_expired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return errc::certificate_hostname_mismatch;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return errc::certificate_self_signed;
    default:
        return errc::certificate_verification_failed;
    }
}

} // namespace

ssl::context make_tls_context(const tls_options& options)
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    error_code ec;
    ctx.set_default_verify_paths(ec); // a machine without a CA store still works with ca_file
    if (!options.ca_file.empty()) {
        ctx.load_verify_file(options.ca_file, ec);
        if (ec)
            throw transport_setup_error("tls.ca_file \"" + options.ca_file + "\" cannot be loaded: " + ec.message());
    }
    if (!options.ca_dir.empty()) {
        ctx.add_verify_path(options.ca_dir, ec);
        if (ec)
            throw transport_setup_error("tls.ca_dir \"" + options.ca_dir + "\" cannot be used: " + ec.message());
    }
    ctx.set_verify_mode(options.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
    return ctx;
}

void expect_peer(SSL* native, const std::string& host, bool host_is_ip, bool verify)
{
    // RFC 6066: SNI carries host names only, never address literals.
    if (!host_is_ip)
        SSL_set_tlsext_host_name(native, host.c_str());
    // OpenSSL's own host check, not Asio's callback: a mismatch then reports the specific
    // X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH instead of a generic failure.
    if (verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(native);
        if (host_is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
        else
            SSL_set1_host(native, host.c_str());
    }
}

std::optional<certificate_failure> certificate_failure_of(SSL* native, bool verifying)
{
    const long verify = verifying ? SSL_get_verify_result(native) : X509_V_OK;
    if (verify == X509_V_OK)
        return std::nullopt;
    return certificate_failure{certificate_error(verify), std::string(X509_verify_cert_error_string(verify)) +
                                                              " (X509 error " + std::to_string(verify) + ")"};
}

void release_thread_state() noexcept
{
    OPENSSL_thread_stop();
}

} // namespace vwo::transport
