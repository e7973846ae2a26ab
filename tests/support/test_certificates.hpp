// Certificates for TLS tests, generated once per process with the `openssl` command-line tool.
#pragma once

#include <filesystem>

namespace vwo::test {

// All files are PEM. Keys are EC P-256 (PKCS#8, unencrypted).
struct test_pki {
  std::filesystem::path dir;  // fresh temporary directory holding everything below

  std::filesystem::path ca_cert;  // test root CA (the CA the tests trust)

  // Signed by ca_cert; SAN DNS:localhost, IP:127.0.0.1; valid from now for 825 days.
  std::filesystem::path server_cert, server_key;
  // Signed by ca_cert; SAN DNS:wrong.example only (hostname mismatch for localhost / 127.0.0.1).
  std::filesystem::path wrong_host_cert, wrong_host_key;
  // Signed by ca_cert; SAN ok; valid 2020-01-01 .. 2020-02-01 only (expired).
  std::filesystem::path expired_cert, expired_key;
  // Self-signed leaf (CA:FALSE); SAN ok.
  std::filesystem::path self_signed_cert, self_signed_key;
  // An unrelated CA that the tests do not trust.
  std::filesystem::path other_ca_cert;
  // Signed by other_ca_cert; SAN ok (for "unknown CA" tests).
  std::filesystem::path unknown_ca_server_cert, unknown_ca_server_key;
};

// Thread-safe; generates the files on first use and returns the same object afterwards.
// Throws std::runtime_error naming the failing command (and its output) if generation fails; a later call
// tries again. The `openssl` binary is taken from PATH, or from the VWO_OPENSSL environment variable.
// The directory is removed at process exit unless VWO_KEEP_TEST_PKI is set.
const test_pki& make_test_pki();

}  // namespace vwo::test
