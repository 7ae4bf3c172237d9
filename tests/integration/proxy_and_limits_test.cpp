// Through an HTTP proxy with credentials; the client-side rate limit; MISP's own rate limit; and
// MISP soft deletions arriving as retractions.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "tests/integration/harness.h"

namespace misp::test {
namespace {

using mapping::Dataset;

// A forward proxy on loopback: takes absolute-form requests, checks Proxy-Authorization, forwards.
class Proxy {
 public:
  Proxy(int upstream_port, std::string expected_auth) : auth_(std::move(expected_auth)) {
    server_.Post(".*", [this, upstream_port](const httplib::Request& req, httplib::Response& res) {
      seen_auth_ = req.get_header_value("Proxy-Authorization");
      if (seen_auth_ != auth_) {
        res.status = 407;
        return;
      }
      ++forwarded_;
      std::string path = req.path;
      if (auto p = path.find("://"); p != std::string::npos)
        path = path.substr(path.find('/', p + 3));
      httplib::Client up("127.0.0.1", upstream_port);
      httplib::Headers h;
      for (const auto& [k, v] : req.headers)
        if (k == "Authorization" || k == "Accept") h.emplace(k, v);
      auto r = up.Post(path, h, req.body, "application/json");
      if (!r) {
        res.status = 502;
        return;
      }
      res.status = r->status;
      for (const auto& [k, v] : r->headers)
        if (k.rfind("X-", 0) == 0) res.set_header(k, v);
      res.set_content(r->body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Proxy() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  int forwarded() const { return forwarded_; }
  const std::string& seen_auth() const { return seen_auth_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string auth_, seen_auth_;
  std::atomic<int> forwarded_{0};
};

TEST(Proxy, RequestsGoThroughTheProxyWithCredentials) {
  Harness h;
  h.emu.generate(1, 12, kNow - 600, 60);
  h.emu.start();
  Proxy proxy(h.emu.port(), "Basic Ym9iOnByb3h5VGVzdFNFQ1JFVHB3MDI=");  // bob:<proxy_password>
  auto c = h.config(Dataset::kThreatAttributes,
                    "proxy_url: http://bob:" + std::string(kSecretProxyPassword) +
                        "@127.0.0.1:" + std::to_string(proxy.port()) + "\n");
  auto p = h.poller(c);
  auto s = p.poll();
  ASSERT_TRUE(s.completed) << s.error.text();
  EXPECT_EQ(h.delivered.size(), 12u);
  EXPECT_EQ(proxy.forwarded(), h.emu.requests());
  for (const auto& line : h.logs) EXPECT_EQ(line.find(kSecretProxyPassword), std::string::npos);
}

TEST(Proxy, WrongProxyCredentialsFailThePoll) {
  Harness h;
  h.emu.generate(1, 3, kNow - 600, 60);
  h.emu.start();
  Proxy proxy(h.emu.port(), "Basic Ym9iOnByb3h5VGVzdFNFQ1JFVHB3MDI=");
  auto c = h.config(Dataset::kThreatAttributes,
                    "proxy_url: http://bob:wrong@127.0.0.1:" + std::to_string(proxy.port()) + "\n");
  auto s = h.poller(c).poll();
  EXPECT_FALSE(s.completed);
  EXPECT_NE(s.error.text().find("HTTP 407"), std::string::npos) << s.error.text();
  EXPECT_EQ(s.error.text().find("wrong"), std::string::npos) << "no credentials in the error";
}

// http_request_rate_limit: 4 requests per second means 250 ms between requests on our clock.
TEST(RateLimit, ClientSideLimitSpacesRequests) {
  Harness h;
  h.emu.generate(1, 50, kNow - 600, 300);
  h.emu.start();
  auto c = h.config(Dataset::kThreatAttributes, "limit: 10\n");
  c.http_request_rate_limit = 4;
  std::int64_t start = h.clock_ms;
  auto p = h.poller(c);
  ASSERT_TRUE(p.poll().completed);
  int n = h.emu.requests();
  EXPECT_GE(n, 5);
  EXPECT_GE(h.clock_ms - start, (n - 1) * 250);
}

// MISP's fixed-window limit: 429 with X-Rate-Limit-Reset; the client waits (capped by
// retry_wait_max) and carries on.
TEST(RateLimit, MispWindowLimitIsWaitedOut) {
  emulator::Options o;
  o.rate_limit_count = 2;
  Harness h(o);
  h.emu.generate(1, 30, kNow - 600, 300);
  h.emu.start();
  auto c = h.config(Dataset::kThreatAttributes,
                    "limit: 10\nretry_wait_max: 2s\nretry_max_attempts: 2\n");
  auto p = h.poller(c);
  auto s = p.poll();
  // The emulator's window is real time (900 s), so the third request keeps getting 429: the poll
  // fails cleanly after its retries, with MISP's message, and the cursor stays at what arrived.
  EXPECT_FALSE(s.completed);
  EXPECT_NE(s.error.text().find("Rate limit exceeded."), std::string::npos) << s.error.text();
  // Two pages got through (the second re-reads the keyset boundary row, so 11-19 new rows).
  EXPECT_GT(h.delivered.size(), 10u);
  EXPECT_LT(h.delivered.size(), 20u);
  EXPECT_EQ(p.cursor(), h.delivered.back().cursor);
  bool waited = false;
  for (const auto& l : h.logs) waited |= l.find("wait_ms=2000") != std::string::npos;
  EXPECT_TRUE(waited) << "X-Rate-Limit-Reset (about 900 s) capped at retry_wait_max";
}

// Soft-deleted attributes come back (deleted: [0,1]) and leave as retractions: decayed at once.
TEST(Deletions, SoftDeletedAttributesArriveExpired) {
  Harness h;
  auto e = h.emu.add_event(kNow - 600);
  auto keep = h.emu.add_attribute(e, kNow - 500);
  auto gone = h.emu.add_attribute(e, kNow - 400);
  h.emu.delete_attribute(gone, kNow - 300);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes));
  ASSERT_TRUE(p.poll().completed);
  ASSERT_EQ(h.delivered.size(), 2u);
  auto body = h.emu.request_bodies().front();
  EXPECT_EQ(body["deleted"], nlohmann::json::array({0, 1}));
  for (const auto& d : h.delivered) {
    auto j = nlohmann::json::parse(d.document);
    bool deleted = j["misp"]["attribute"]["deleted"];
    EXPECT_EQ(j["misp"]["attribute"]["decayed"], deleted);
  }
  (void)keep;
}

TEST(Filters, PassedThroughAndHonoured) {
  Harness h;
  auto e = h.emu.add_event(kNow - 600);
  for (int i = 0; i < 10; ++i)
    h.emu.add_attribute(e, kNow - 500 + i, {}, i % 2 ? "ip-src" : "domain");
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "filters:\n  type:\n    OR: [domain]\n"));
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 5u);
  for (const auto& d : h.delivered)
    EXPECT_EQ(nlohmann::json::parse(d.document)["threat"]["indicator"]["type"], "domain-name");
}

// MISP's tags (with NOT) and to_ids filters select rows server-side; the emulator honours them.
TEST(Filters, TagsAndToIds) {
  Harness h;
  auto e = h.emu.add_event(kNow - 600);
  for (int i = 0; i < 12; ++i) {
    auto id = h.emu.add_attribute(e, kNow - 500 + i);
    h.emu.attribute(id).tags = {i % 3 == 0 ? "tlp:red" : "tlp:green"};
    h.emu.attribute(id).to_ids = i % 2 == 0;
  }
  h.emu.start();
  auto p = h.poller(
      h.config(Dataset::kThreatAttributes, "filters:\n  tags: {NOT: ['tlp:red']}\n  to_ids: 1\n"));
  ASSERT_TRUE(p.poll().completed);
  // i even (to_ids) and not a multiple of 3 (tlp:red): 2, 4, 8, 10.
  ASSERT_EQ(h.delivered.size(), 4u);
  for (const auto& d : h.delivered) {
    auto j = nlohmann::json::parse(d.document);
    EXPECT_EQ(j["misp"]["attribute"]["to_ids"], true);
    EXPECT_EQ(j["threat"]["indicator"]["marking"]["tlp"], nlohmann::json::array({"GREEN"}));
  }
}

}  // namespace
}  // namespace misp::test
