// plugin::HttpClient against servers that break HTTP on purpose: every one of them fails one
// request with an error that says what happened, within its bounds of time and memory, and
// nothing a server sends escapes into our messages unescaped or unredacted.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "plugin/http_client.h"
#include "tests/integration/hostile_server.h"
#include "tests/integration/http_test_support.h"

namespace misp::test {
namespace {

using std::chrono::milliseconds;
constexpr const char* kKey = kHttpTestKey;
const std::string kPath = "/attributes/restSearch";

TEST(HostileHttp, ContentLengthThatIsNotANumberFailsTheRequestNotTheProcess) {
  for (const char* length : {"abc", "99999999999999999999", "-5"}) {
    HostileServer s([&](int fd) {
      std::string r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ";
      s.send_all(fd, r + length + "\r\n\r\n{}");
    });
    auto c = http_config(s.url());
    plugin::HttpClient client(c, real_time(), nullptr);
    auto r = client.post_json(kPath, "{}");
    ASSERT_FALSE(r.ok()) << length;
    EXPECT_NE(r.error().message.find("malformed response"), std::string::npos) << r.error().message;
  }
}

TEST(HostileHttp, ADrippingServerIsCutAtTheRequestDeadline) {
  HostileServer s([&](int fd) {
    std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
    for (char ch : answer + std::string(100, ' ')) {  // a byte every 100 ms: no read times out
      if (!s.send_all(fd, std::string(1, ch))) return;
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  auto c = http_config(s.url(), "http_client_timeout: 1s\n");
  plugin::HttpClient client(c, real_time(), nullptr);
  auto started = std::chrono::steady_clock::now();
  auto r = client.post_json(kPath, "{}");
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no complete response within 1s"), std::string::npos)
      << r.error().message;
  EXPECT_LT(took, milliseconds(2000));
}

TEST(HostileHttp, EndlessHeadersAreCutAtMaxResponseBytes) {
  HostileServer s([&](int fd) {
    if (!s.send_all(fd, "HTTP/1.1 200 OK\r\n")) return;
    const std::string line = "X-Filler: " + std::string(1000, 'x') + "\r\n";
    std::string chunk;
    for (int i = 0; i < 64; ++i) chunk += line;
    for (int i = 0; i < 40'000 && s.send_all(fd, chunk); ++i) {  // up to 2.5 GB
    }
  });
  auto c = http_config(s.url(), "max_response_bytes: 1048576\n");
  plugin::HttpClient client(c, real_time(), nullptr);
  auto started = std::chrono::steady_clock::now();
  auto r = client.post_json(kPath, "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, plugin::Errc::kHttpBodyTooLarge) << r.error().text();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(5000));
  // The guard cuts within a tick of crossing 1 MiB + 1/16 + 1 MiB; loopback is fast, so allow
  // a generous margin, far below what the server would have sent.
  EXPECT_LT(s.bytes_sent(), 512LL << 20) << "bytes the server got out before the cut";
}

TEST(HostileHttp, RateLimitResetAtTheLimitsOfAnInteger) {
  for (const char* reset : {"9223372036854775807", "-5", "abc"}) {
    int n = 0;
    HostileServer s([&](int fd) {
      ++n;
      std::string body = n == 1 ? R"({"name":"Rate limit exceeded."})" : R"({"response":{}})";
      std::string status = n == 1 ? "429 Too Many Requests" : "200 OK";
      s.send_all(fd, "HTTP/1.1 " + status + "\r\nX-Rate-Limit-Reset: " + reset +
                         "\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    });
    auto c =
        http_config(s.url(), "retry_max_attempts: 2\nretry_wait_min: 10ms\nretry_wait_max: 1s\n");
    plugin::HttpClient client(c, real_time(), nullptr);
    auto started = std::chrono::steady_clock::now();
    auto r = client.post_json(kPath, "{}");
    EXPECT_TRUE(r.ok()) << reset << ": " << r.error().text();
    EXPECT_LE(std::chrono::steady_clock::now() - started, milliseconds(1500)) << reset;
  }
}

TEST(HostileHttp, ServerTextIsEscapedCutAndRedactedInErrors) {
  HostileServer s([&](int fd) {
    std::string body =
        "line one\n\x1b[31mFAKE LOG LINE\x1b[0m echo of your key: " + std::string(kKey) +
        std::string(5000, 'z');
    s.send_all(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  });
  auto c = http_config(s.url());
  plugin::HttpClient client(c, real_time(), nullptr);
  auto r = client.post_json(kPath, "{}");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_EQ(m.find('\x1b'), std::string::npos);
  EXPECT_NE(m.find("\\x1b[31mFAKE"), std::string::npos) << m;
  EXPECT_EQ(m.find(kKey), std::string::npos);
  EXPECT_NE(m.find("<redacted>"), std::string::npos);
  EXPECT_LT(m.size(), 800u);
}

}  // namespace
}  // namespace misp::test
