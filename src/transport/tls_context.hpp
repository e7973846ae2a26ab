#pragma once

// TLS for the transport: the OpenSSL client context made from tls_options, the per-connection peer
// check, and what a failed handshake means. A private header: only connection.cpp and tls_context.cpp
// include it, because Asio's SSL context drags in OpenSSL's headers, and the translation units that
// see Beast or SSL are kept few (src/CMakeLists.txt).

#include <vwo/client_options.hpp>
#include <vwo/error.hpp>

#include <boost/asio/ssl/context.hpp>

#include <optional>
#include <string>

namespace vwo::transport {

/// The client context, made once per http_client and shared by its connections: TLS 1.2 or newer,
/// the system trust store (OpenSSL honours SSL_CERT_FILE / SSL_CERT_DIR there) plus the configured
/// CAs. Throws transport_setup_error (http_client.hpp) when a configured CA file or directory is
/// unusable, so a bad setting fails at construction and not at the first request.
/// Thread-safety: call from any thread; the returned context is then used by one executor.
boost::asio::ssl::context make_tls_context(const tls_options& options);

/// Sets what the handshake on `native` (a fresh SSL of one connection) checks: SNI with the host
/// name (never an address literal, RFC 6066), and unless `verify` is off OpenSSL's own host or IP
/// check, so that a mismatch reports the specific X509 error rather than a generic failure.
void expect_peer(SSL* native, const std::string& host, bool host_is_ip, bool verify);

/// Why the handshake on `native` failed, when our certificate check was the cause: the distinct
/// errc of docs/reliability.md R10 and OpenSSL's text with its X509 error number. nullopt when the
/// failure was something else (or `verifying` is false: with verify_none OpenSSL still records a
/// verify result, but it did not cause the failure).
struct certificate_failure {
    errc reason;
    std::string text;
};
std::optional<certificate_failure> certificate_failure_of(SSL* native, bool verifying);

} // namespace vwo::transport
