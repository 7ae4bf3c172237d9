// plugin::HttpClient over loopback: failures a user can act on are told apart in the error text
// (refused, name not resolved, timeout, TLS handshake, untrusted certificate, 404 with the URL),
// and abort() ends every wait and request within a second, even with a runtime whose sleep
// really sleeps and never wakes on its own.
#include "plugin/http_client.h"
#include "tests/integration/http_test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "tests/misp_emulator/emulator.h"

namespace misp::test {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kKey = kHttpTestKey;
const std::string kPath = "/attributes/restSearch";

// A TCP socket on 127.0.0.1 with an OS-chosen port: listening (with `backlog`) or closed again.
struct LoopbackSocket {
  int fd = -1;
  int port = 0;
  explicit LoopbackSocket(bool listening, int backlog = 16) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    if (listening) {
      EXPECT_EQ(::listen(fd, backlog), 0);
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  ~LoopbackSocket() {
    if (fd >= 0) ::close(fd);
  }
  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
  }
};

plugin::Error post_error(const plugin::Config& c) {
  plugin::HttpClient client(c, real_time(), nullptr);
  auto r = client.post_json(kPath, "{}");
  EXPECT_FALSE(r.ok());
  return r.ok() ? plugin::Error{} : r.error();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HttpErrors, ConnectionRefused) {
  LoopbackSocket closed(false);
  auto e = post_error(http_config(closed.url()));
  EXPECT_EQ(e.code, plugin::Errc::kHttpTransport);
  EXPECT_EQ(e.text(), closed.url() + kPath +
                          ": connection refused by 127.0.0.1:" + std::to_string(closed.port) +
                          " (nothing listens there, or a firewall rejects it); check `url` and "
                          "that the server is up");
}

TEST(HttpErrors, NameNotResolved) {
  auto e = post_error(http_config("http://misp.invalid:8080"));
  EXPECT_EQ(e.code, plugin::Errc::kHttpTransport);
  EXPECT_TRUE(contains(e.text(),
                       "http://misp.invalid:8080/attributes/restSearch: cannot resolve "
                       "host name misp.invalid ("))
      << e.text();
  EXPECT_TRUE(contains(e.text(), "); check `url`")) << e.text();
}

// A server that accepts the connection (the kernel does) but never answers.
TEST(HttpErrors, NoAnswerIsATimeout) {
  LoopbackSocket silent(true);
  auto start = Clock::now();
  auto e = post_error(http_config(silent.url(), "http_client_timeout: 300ms\n"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(e.text(), silent.url() + kPath +
                          ": no response from 127.0.0.1:" + std::to_string(silent.port) +
                          " within 300ms (http_client_timeout); the server accepted the "
                          "connection but did not answer");
}

// https:// to a plain-HTTP server: the handshake fails, and the message says what to check.
TEST(HttpErrors, HttpsToAPlainHttpServer) {
  emulator::Emulator emu;
  emu.start();
  std::string url = "https://127.0.0.1:" + std::to_string(emu.port());
  auto e = post_error(http_config(url, "http_client_timeout: 2s\n"));
  EXPECT_EQ(e.code, plugin::Errc::kHttpTransport);
  EXPECT_TRUE(contains(e.text(), url + kPath + ": TLS handshake with 127.0.0.1:" +
                                     std::to_string(emu.port()) + " failed"))
      << e.text();
  EXPECT_TRUE(contains(e.text(), "is it an https server? check the scheme of `url`")) << e.text();
}

class HttpTls : public ::testing::Test {
 protected:
  static std::string dir;
  static void SetUpTestSuite() {
    dir = ::testing::TempDir() + "/misp-http-tls-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=misp -addext "
        "subjectAltName=DNS:misp.example -keyout " +
        dir + "/self.key -out " + dir + "/self.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir); }
  static emulator::Options server() {
    emulator::Options o;
    o.tls_cert = dir + "/self.pem";
    o.tls_key = dir + "/self.key";
    return o;
  }
};
std::string HttpTls::dir;

// Certificate verification failures name the reason and the options that fix them.
TEST_F(HttpTls, UntrustedCertificate) {
  emulator::Emulator emu(server());
  emu.start();
  std::string target = "127.0.0.1:" + std::to_string(emu.port());
  struct {
    std::string ssl;
    std::string reason;
  } cases[] = {
      {"", "(self-signed certificate)"},
      {"ssl:\n  verification_mode: certificate\n", "(certificate verify failed)"},
      {"ssl:\n  certificate_authorities: [" + dir + "/self.pem]\n",
       "(the host name does not match the certificate)"},
  };
  for (const auto& t : cases) {
    auto e = post_error(http_config(emu.url(), t.ssl));
    EXPECT_EQ(e.text(), emu.url() + kPath + ": TLS certificate of " + target + " is not trusted " +
                            t.reason +
                            "; check ssl.certificate_authorities or ssl.verification_mode")
        << t.ssl;
  }
}

// A 404 names the URL asked for, without the credentials in `url`, and points at `url`.
TEST(HttpErrors, NotFoundNamesTheUrl) {
  emulator::Emulator emu;
  emu.inject(1, emulator::status_fault(404));
  emu.start();
  std::string port = std::to_string(emu.port());
  auto e = post_error(
      http_config("http://alice:" + std::string(kSecretProxyPassword) + "@127.0.0.1:" + port));
  EXPECT_EQ(e.code, plugin::Errc::kHttpStatus);
  EXPECT_TRUE(contains(e.text(), "http://127.0.0.1:" + port +
                                     "/attributes/restSearch: HTTP 404 (nothing at this URL: "
                                     "check `url`, MISP's base URL"))
      << e.text();
  EXPECT_FALSE(contains(e.text(), kSecretProxyPassword)) << e.text();
  EXPECT_FALSE(contains(e.text(), "alice")) << e.text();
}

// Runs post_json on a thread, aborts after `after`, and returns how long post_json took to end
// once aborted; `code` gets its error code.
milliseconds abort_during(plugin::HttpClient& client, milliseconds after, plugin::Errc& code,
                          milliseconds* abort_took = nullptr) {
  auto result = std::async(std::launch::async, [&] { return client.post_json(kPath, "{}"); });
  std::this_thread::sleep_for(after);
  auto aborted = Clock::now();
  client.abort();
  if (abort_took) *abort_took = std::chrono::duration_cast<milliseconds>(Clock::now() - aborted);
  auto r = result.get();
  code = r.ok() ? plugin::Errc::kOk : r.error().code;
  return std::chrono::duration_cast<milliseconds>(Clock::now() - aborted);
}

// The client-side rate limit's wait (one request per 20 s here) ends at abort().
TEST(HttpStop, AbortEndsTheRateLimitWait) {
  emulator::Emulator emu;
  emu.start();
  auto c = http_config(emu.url());
  c.http_request_rate_limit = 0.05;
  plugin::HttpClient client(c, real_time(), nullptr);
  ASSERT_TRUE(client.post_json(kPath, "{}").ok());
  plugin::Errc code;
  EXPECT_LT(abort_during(client, milliseconds(300), code), milliseconds(1000));
  EXPECT_EQ(code, plugin::Errc::kStopped);
  EXPECT_EQ(emu.requests(), 1);
}

// A retry backoff (30 s after a 503) ends at abort().
TEST(HttpStop, AbortEndsTheRetryBackoff) {
  emulator::Emulator emu;
  emu.inject(1, emulator::status_fault(503));
  emu.start();
  auto c =
      http_config(emu.url(), "retry_max_attempts: 3\nretry_wait_min: 30s\nretry_wait_max: 60s\n");
  plugin::HttpClient client(c, real_time(), nullptr);
  plugin::Errc code;
  EXPECT_LT(abort_during(client, milliseconds(300), code), milliseconds(1000));
  EXPECT_EQ(code, plugin::Errc::kStopped);
  EXPECT_EQ(emu.requests(), 1);
}

// A request in flight (MISP answering in 3 s) ends at abort().
TEST(HttpStop, AbortEndsARequestInFlight) {
  emulator::Emulator emu;
  emu.inject(1, emulator::delay_fault(3000));
  emu.start();
  auto c = http_config(emu.url());  // the client keeps a reference
  plugin::HttpClient client(c, real_time(), nullptr);
  plugin::Errc code;
  EXPECT_LT(abort_during(client, milliseconds(300), code), milliseconds(1000));
  EXPECT_EQ(code, plugin::Errc::kStopped);
}

// A stop that arrives between requests (http_request_rate_limit: 0) is not lost: the next
// request is never sent, instead of running to its end.
TEST(HttpStop, AbortBetweenRequestsIsNotLost) {
  emulator::Emulator emu;
  emu.inject(2, emulator::delay_fault(3000));
  emu.start();
  auto c = http_config(emu.url());  // the client keeps a reference
  plugin::HttpClient client(c, real_time(), nullptr);
  auto first = client.post_json(kPath, "{}");
  ASSERT_TRUE(first.ok()) << first.error().text();
  client.abort();
  auto start = Clock::now();
  auto r = client.post_json(kPath, "{}");
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, plugin::Errc::kStopped);
  EXPECT_EQ(emu.requests(), 1);
  EXPECT_FALSE(client.sleep_ms(60'000)) << "sleeps end at once after abort()";
}

// abort() itself never blocks, even while the client is stuck connecting (a listener whose
// accept queue is full drops the SYN, so connect() waits for http_client_timeout).
TEST(HttpStop, AbortDuringConnectDoesNotBlock) {
  LoopbackSocket full(true, 0);
  int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(full.port));
  ASSERT_EQ(::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  auto c = http_config(full.url(), "http_client_timeout: 20s\n");
  plugin::HttpClient client(c, real_time(), nullptr);
  plugin::Errc code;
  milliseconds abort_took{0};
  EXPECT_LT(abort_during(client, milliseconds(300), code, &abort_took), milliseconds(1000));
  EXPECT_LT(abort_took, milliseconds(100));
  EXPECT_EQ(code, plugin::Errc::kStopped);
  ::close(filler);
}

}  // namespace
}  // namespace misp::test
