// TLS to MISP: verification succeeds with the right CA and fails with a wrong one, `none` skips
// it, `certificate` checks the chain but not the host name, and client certificates work.
// Certificates are made fresh by the openssl command for each run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/integration/harness.h"

namespace misp::test {
namespace {

using mapping::Dataset;

class Tls : public ::testing::Test {
 protected:
  static std::string dir;

  static void run(const std::string& cmd) {
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }
  // A CA, and a certificate it signs for the given subjectAltName.
  static void make_ca(const std::string& name) {
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " + dir +
        "/" + name + ".key -out " + dir + "/" + name + ".pem");
  }
  static void make_cert(const std::string& name, const std::string& ca, const std::string& san) {
    std::string base = dir + "/" + name;
    run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + base +
        ".key -out " + base + ".csr");
    std::ofstream(base + ".ext") << "subjectAltName=" << san << "\n";
    run("openssl x509 -req -days 2 -in " + base + ".csr -CA " + dir + "/" + ca + ".pem -CAkey " +
        dir + "/" + ca + ".key -CAcreateserial -extfile " + base + ".ext -out " + base + ".pem");
  }
  static void SetUpTestSuite() {
    dir = ::testing::TempDir() + "/misp-tls-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    make_ca("ca");
    make_ca("wrong_ca");
    make_ca("client_ca");
    make_cert("server", "ca", "IP:127.0.0.1,DNS:localhost");
    make_cert("othername", "ca", "DNS:misp.example");
    make_cert("client", "client_ca", "DNS:client");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir); }

  static emulator::Options server(const std::string& cert, bool client_auth = false) {
    emulator::Options o;
    o.tls_cert = dir + "/" + cert + ".pem";
    o.tls_key = dir + "/" + cert + ".key";
    if (client_auth) o.client_ca = dir + "/client_ca.pem";
    return o;
  }

  static plugin::PollStats poll_with(Harness& h, const std::string& ssl_yaml) {
    h.emu.generate(1, 3, kNow - 600, 60);
    h.emu.start();
    auto c = plugin::parse_config(
        h.yaml(Dataset::kThreatAttributes, "retry_max_attempts: 1\nssl:\n" + ssl_yaml),
        Dataset::kThreatAttributes);
    EXPECT_TRUE(c.ok()) << c.error().text();
    auto p = h.poller(c.value());
    return p.poll();
  }
};
std::string Tls::dir;

TEST_F(Tls, VerifiedWithTheRightCa) {
  Harness h(server("server"));
  auto s = poll_with(h, "  certificate_authorities: [" + dir + "/ca.pem]\n");
  EXPECT_TRUE(s.completed) << s.error.text();
  EXPECT_EQ(h.delivered.size(), 3u);
  EXPECT_EQ(h.emu.url().rfind("https://", 0), 0u);
}

TEST_F(Tls, RefusedWithAWrongCa) {
  Harness h(server("server"));
  auto s = poll_with(h, "  certificate_authorities: [" + dir + "/wrong_ca.pem]\n");
  EXPECT_FALSE(s.completed);
  EXPECT_EQ(s.error.code, plugin::Errc::kHttpTransport) << s.error.text();
  EXPECT_TRUE(h.delivered.empty());
}

TEST_F(Tls, VerificationModeNoneAcceptsAnything) {
  Harness h(server("server"));
  auto s = poll_with(
      h, "  verification_mode: none\n  certificate_authorities: [" + dir + "/wrong_ca.pem]\n");
  EXPECT_TRUE(s.completed) << s.error.text();
}

TEST_F(Tls, CertificateModeChecksTheChainNotTheName) {
  {
    Harness h(server("othername"));
    auto s = poll_with(h, "  certificate_authorities: [" + dir + "/ca.pem]\n");
    EXPECT_FALSE(s.completed) << "full verification checks the host name";
  }
  {
    Harness h(server("othername"));
    auto s = poll_with(
        h, "  verification_mode: certificate\n  certificate_authorities: [" + dir + "/ca.pem]\n");
    EXPECT_TRUE(s.completed) << s.error.text();
  }
  {
    Harness h(server("othername"));
    auto s = poll_with(h, "  verification_mode: certificate\n  certificate_authorities: [" + dir +
                              "/wrong_ca.pem]\n");
    EXPECT_FALSE(s.completed) << "certificate mode still checks the chain";
  }
}

TEST_F(Tls, ClientCertificates) {
  {
    Harness h(server("server", true));
    auto s = poll_with(h, "  certificate_authorities: [" + dir + "/ca.pem]\n");
    EXPECT_FALSE(s.completed) << "the server asks for a client certificate";
  }
  {
    Harness h(server("server", true));
    auto s = poll_with(h, "  certificate_authorities: [" + dir + "/ca.pem]\n  certificate: " + dir +
                              "/client.pem\n  key: " + dir + "/client.key\n");
    EXPECT_TRUE(s.completed) << s.error.text();
    EXPECT_EQ(h.delivered.size(), 3u);
  }
}

TEST_F(Tls, SupportedProtocolsAreHonoured) {
  Harness h(server("server"));
  auto s = poll_with(
      h, "  certificate_authorities: [" + dir + "/ca.pem]\n  supported_protocols: [TLSv1.3]\n");
  EXPECT_TRUE(s.completed) << s.error.text();
}

}  // namespace
}  // namespace misp::test
