#include "test_certificates.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace vwo::test {

namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string q(const fs::path& p) { return shell_quote(p.string()); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("test_pki: cannot write " + p.string());
}

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "vwo-test-pki-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("test_pki: mkdtemp failed for " + templ + ": " +
                             std::generic_category().message(errno));
  }
  return fs::path(templ);
}

// Extensions for every certificate, plus a minimal `openssl ca` section (only used for the expired
// certificate: `openssl x509 -req` on OpenSSL 3.0 cannot set a start date in the past).
std::string config_text(const fs::path& dir) {
  const std::string db = (dir / "cadb").string();
  return "[ ca ]\n"
         "default_ca = test_ca\n"
         "[ test_ca ]\n"
         "database = " + db + "/index.txt\n"
         "new_certs_dir = " + db + "\n"
         "serial = " + db + "/serial\n"
         "default_md = sha256\n"
         "policy = any_policy\n"
         "unique_subject = no\n"
         "copy_extensions = none\n"
         "[ any_policy ]\n"
         "commonName = supplied\n"
         "[ req ]\n"
         "distinguished_name = req_dn\n"
         "prompt = no\n"
         "[ req_dn ]\n"
         "CN = placeholder\n"
         "[ ca_ext ]\n"
         "basicConstraints = critical, CA:TRUE\n"
         "keyUsage = critical, keyCertSign, cRLSign\n"
         "subjectKeyIdentifier = hash\n"
         "[ server_ext ]\n"
         "basicConstraints = critical, CA:FALSE\n"
         "keyUsage = critical, digitalSignature\n"
         "extendedKeyUsage = serverAuth\n"
         "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid\n"
         "[ wrong_host_ext ]\n"
         "basicConstraints = critical, CA:FALSE\n"
         "keyUsage = critical, digitalSignature\n"
         "extendedKeyUsage = serverAuth\n"
         "subjectAltName = DNS:wrong.example\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid\n"
         "[ self_ext ]\n"
         "basicConstraints = critical, CA:FALSE\n"
         "keyUsage = critical, digitalSignature\n"
         "extendedKeyUsage = serverAuth\n"
         "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
         "subjectKeyIdentifier = hash\n";
}

class generator {
public:
  explicit generator(fs::path dir) : dir_(std::move(dir)), log_(dir_ / "openssl.log") {
    const char* bin = std::getenv("VWO_OPENSSL");
    openssl_ = (bin != nullptr && *bin != '\0') ? std::string(bin) : std::string("openssl");
    config_ = dir_ / "openssl.cnf";
    fs::create_directories(dir_ / "cadb");
    write_file(dir_ / "cadb" / "index.txt", "");
    write_file(dir_ / "cadb" / "serial", "1000\n");
    write_file(config_, config_text(dir_));
  }

  fs::path file(const std::string& name) const { return dir_ / name; }
  std::string cfg() const { return " -config " + q(config_); }

  void run(const std::string& args) {
    const std::string command = shell_quote(openssl_) + " " + args;
    write_file(log_, "");
    const std::string full = command + " >" + q(log_) + " 2>&1 </dev/null";
    const int rc = std::system(full.c_str());
    if (rc != 0) {
      throw std::runtime_error("test_pki: command failed (status " + std::to_string(rc) + "): " + command +
                               "\n" + read_file(log_));
    }
  }

  static std::string new_key_args(const fs::path& key) {
    return " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + q(key);
  }

  void make_ca(const fs::path& cert, const fs::path& key, const std::string& cn) {
    run("req" + cfg() + " -x509 -new" + new_key_args(key) + " -sha256 -days 3650 -subj " +
        shell_quote("/CN=" + cn) + " -extensions ca_ext -out " + q(cert));
  }

  void make_csr(const fs::path& csr, const fs::path& key, const std::string& cn) {
    run("req" + cfg() + " -new" + new_key_args(key) + " -subj " + shell_quote("/CN=" + cn) + " -out " + q(csr));
  }

  void sign(const fs::path& csr, const fs::path& ca_cert, const fs::path& ca_key, const std::string& ext,
            const fs::path& out) {
    run("x509 -req -in " + q(csr) + " -CA " + q(ca_cert) + " -CAkey " + q(ca_key) + " -set_serial " +
        std::to_string(next_serial_++) + " -days 825 -sha256 -extfile " + q(config_) + " -extensions " + ext +
        " -out " + q(out));
  }

private:
  fs::path dir_;
  fs::path log_;
  fs::path config_;
  std::string openssl_;
  long next_serial_ = 2;
};

test_pki generate() {
  test_pki p;
  p.dir = make_temp_dir();
  try {
    generator g(p.dir);

    p.ca_cert = g.file("ca.pem");
    const fs::path ca_key = g.file("ca.key");
    g.make_ca(p.ca_cert, ca_key, "vwo-cpp-sdk test root CA");

    p.server_cert = g.file("server.pem");
    p.server_key = g.file("server.key");
    g.make_csr(g.file("server.csr"), p.server_key, "localhost");
    g.sign(g.file("server.csr"), p.ca_cert, ca_key, "server_ext", p.server_cert);

    p.wrong_host_cert = g.file("wrong_host.pem");
    p.wrong_host_key = g.file("wrong_host.key");
    g.make_csr(g.file("wrong_host.csr"), p.wrong_host_key, "wrong.example");
    g.sign(g.file("wrong_host.csr"), p.ca_cert, ca_key, "wrong_host_ext", p.wrong_host_cert);

    p.expired_cert = g.file("expired.pem");
    p.expired_key = g.file("expired.key");
    g.make_csr(g.file("expired.csr"), p.expired_key, "localhost");
    g.run("ca" + g.cfg() + " -batch -notext -cert " + q(p.ca_cert) + " -keyfile " + q(ca_key) + " -in " +
          q(g.file("expired.csr")) + " -startdate 20200101000000Z -enddate 20200201000000Z -extfile " +
          q(g.file("openssl.cnf")) + " -extensions server_ext -out " + q(p.expired_cert));

    p.self_signed_cert = g.file("self_signed.pem");
    p.self_signed_key = g.file("self_signed.key");
    g.run("req" + g.cfg() + " -x509 -new" + generator::new_key_args(p.self_signed_key) +
          " -sha256 -days 825 -subj " + shell_quote("/CN=localhost") + " -extensions self_ext -out " +
          q(p.self_signed_cert));

    p.other_ca_cert = g.file("other_ca.pem");
    const fs::path other_ca_key = g.file("other_ca.key");
    g.make_ca(p.other_ca_cert, other_ca_key, "vwo-cpp-sdk unrelated CA");

    p.unknown_ca_server_cert = g.file("unknown_ca_server.pem");
    p.unknown_ca_server_key = g.file("unknown_ca_server.key");
    g.make_csr(g.file("unknown_ca_server.csr"), p.unknown_ca_server_key, "localhost");
    g.sign(g.file("unknown_ca_server.csr"), p.other_ca_cert, other_ca_key, "server_ext", p.unknown_ca_server_cert);
  } catch (...) {
    std::error_code ec;
    if (std::getenv("VWO_KEEP_TEST_PKI") == nullptr) fs::remove_all(p.dir, ec);
    throw;
  }
  return p;
}

struct pki_holder {
  test_pki pki;
  explicit pki_holder(test_pki p) : pki(std::move(p)) {}
  pki_holder(const pki_holder&) = delete;
  pki_holder& operator=(const pki_holder&) = delete;
  ~pki_holder() {
    if (std::getenv("VWO_KEEP_TEST_PKI") != nullptr) return;
    std::error_code ec;
    fs::remove_all(pki.dir, ec);
  }
};

}  // namespace

const test_pki& make_test_pki() {
  static const pki_holder holder{generate()};
  return holder.pki;
}

}  // namespace vwo::test
