// The poller against the MISP emulator over real HTTP on loopback: every attribute exactly once
// through backfills, concurrent edits, long runs of equal timestamps, short pages, restarts and
// faults; the cursor never moves on a failed poll.
#include <gtest/gtest.h>

#include <random>

#include "mapping/es/date.h"
#include "tests/integration/harness.h"

namespace misp::test {
namespace {

using mapping::Dataset;

std::map<std::string, int> count_uuids(const Harness& h) {
  std::map<std::string, int> n;
  for (const auto& [uuid, ts] : h.delivered_attributes()) ++n[uuid];
  return n;
}

class Backfill : public ::testing::TestWithParam<int> {};

// 10,000 attributes in 200 events, one poll: each attribute exactly once, for limit 10/100/1000.
TEST_P(Backfill, AttributesExactlyOnce) {
  Harness h;
  h.emu.generate(200, 50, kNow - 4 * 86400, 3 * 86400);
  h.emu.start();
  auto p =
      h.poller(h.config(Dataset::kThreatAttributes, "limit: " + std::to_string(GetParam()) + "\n"));
  auto s = p.poll();
  ASSERT_TRUE(s.completed) << s.error.text();
  auto n = count_uuids(h);
  EXPECT_EQ(h.delivered.size(), 10000u);
  EXPECT_EQ(n.size(), 10000u);
  for (const auto& [uuid, c] : n) ASSERT_EQ(c, 1) << uuid;
}

TEST_P(Backfill, EventsExactlyOnce) {
  Harness h;
  h.emu.generate(200, 50, kNow - 4 * 86400, 3 * 86400);
  h.emu.start();
  auto p = h.poller(
      h.config(Dataset::kThreat, "limit: " + std::to_string(std::max(1, GetParam() / 10)) + "\n"));
  auto s = p.poll();
  ASSERT_TRUE(s.completed) << s.error.text();
  auto n = count_uuids(h);
  EXPECT_EQ(n.size(), 10000u);
  for (const auto& [uuid, c] : n) ASSERT_EQ(c, 1) << uuid;
}

INSTANTIATE_TEST_SUITE_P(Limits, Backfill, ::testing::Values(10, 100, 1000));

// While the client pages, 5% of the attributes are edited and 100 added (MISP stamps both with its
// clock). After the poll and the next one, every attribute's latest version has arrived, and no
// (uuid, timestamp) version arrived twice.
TEST(Poller, EditsAndAdditionsDuringPaging) {
  Harness h;
  h.emu.generate(200, 50, kNow - 4 * 86400, 3 * 86400);
  h.emu.start();
  auto ids = h.emu.attribute_ids();
  std::mt19937 rng(7);
  std::shuffle(ids.begin(), ids.end(), rng);
  std::int64_t event = 1;
  h.emu.on_request([&](int number, const nlohmann::json&) {
    if (number < 3 || number > 12) return;
    std::int64_t misp_now = h.clock_ms / 1000;  // MISP's clock: the edits land at "now"
    for (int k = 0; k < 50; ++k)
      h.emu.edit_attribute(ids[static_cast<std::size_t>((number - 3) * 50 + k)], misp_now);
    for (int k = 0; k < 10; ++k) h.emu.add_attribute(event, misp_now);
  });
  auto config = h.config(Dataset::kThreatAttributes, "limit: 100\n");
  auto p = h.poller(config);
  auto first = p.poll();
  ASSERT_TRUE(first.completed) << first.error.text();
  h.clock_ms += 600'000;
  auto second = p.poll();
  ASSERT_TRUE(second.completed) << second.error.text();
  std::set<std::pair<std::string, std::string>> versions;
  for (const auto& v : h.delivered_attributes())
    ASSERT_TRUE(versions.insert(v).second) << v.first << " twice";
  auto n = count_uuids(h);
  EXPECT_EQ(n.size(), 10100u) << "every attribute, old and new, arrived";
  // Each edited attribute arrived in its edited version (stamped with MISP's "now").
  const std::string edited_at = mapping::es::format_millis(kNow * 1000);
  for (std::size_t k = 0; k < 500; ++k) {
    const std::string uuid = h.emu.attribute(ids[k]).uuid;
    EXPECT_TRUE(versions.count({uuid, edited_at})) << uuid << " edited version missing";
  }
}

// 2,500 attributes share one timestamp (a bulk import): offsets inside the run, nothing lost.
TEST(Poller, LongRunOfEqualTimestamps) {
  Harness h;
  auto e = h.emu.add_event(kNow - 3600);
  for (int i = 0; i < 2500; ++i) h.emu.add_attribute(e, kNow - 3600);
  for (int i = 0; i < 30; ++i) h.emu.add_attribute(e, kNow - 3000 + i);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "limit: 100\n"));
  ASSERT_TRUE(p.poll().completed);
  auto n = count_uuids(h);
  EXPECT_EQ(n.size(), 2530u);
  for (const auto& [uuid, c] : n) ASSERT_EQ(c, 1);
}

// Warninglist skips make pages short without being last: the end is len + skipped < limit.
TEST(Poller, ShortPagesFromWarninglistAreNotTheEnd) {
  emulator::Options o;
  Harness h(o);
  auto e = h.emu.add_event(kNow - 7200);
  std::set<std::string> listed;
  for (int i = 0; i < 1000; ++i) {
    auto id = h.emu.add_attribute(e, kNow - 7200 + i);
    if (i % 3 == 0) listed.insert(h.emu.attribute(id).value);
  }
  h.emu.stop();
  emulator::Options with_list;
  with_list.warninglist = listed;
  Harness h2(with_list);
  auto e2 = h2.emu.add_event(kNow - 7200);
  for (int i = 0; i < 1000; ++i) h2.emu.add_attribute(e2, kNow - 7200 + i);
  h2.emu.start();
  auto p =
      h2.poller(h2.config(Dataset::kThreatAttributes, "limit: 50\nenforce_warning_list: true\n"));
  auto s = p.poll();
  ASSERT_TRUE(s.completed);
  EXPECT_EQ(h2.delivered.size(), 1000u - listed.size());
  EXPECT_GT(s.skipped_rows, 0u);
  auto bodies = h2.emu.request_bodies();
  EXPECT_EQ(bodies.front()["enforceWarninglist"], 1);
}

// A restart from the saved cursor delivers nothing twice and misses nothing.
TEST(Poller, RestartFromSavedCursor) {
  Harness h;
  h.emu.generate(50, 40, kNow - 86400, 80000);
  h.emu.start();
  auto config = h.config(Dataset::kThreatAttributes, "limit: 100\n");
  std::string saved;
  h.gate = [&](const plugin::Delivery& d) {
    if (h.delivered.size() == 777) return false;  // the host stops here
    saved = d.cursor;
    return true;
  };
  {
    auto p = h.poller(config);
    auto s = p.poll();
    EXPECT_FALSE(s.completed);
    EXPECT_EQ(s.error.code, plugin::Errc::kStopped);
    EXPECT_EQ(p.cursor(), saved);
  }
  h.gate = nullptr;
  auto p2 = h.poller(config, saved);
  ASSERT_TRUE(p2.poll().completed);
  auto n = count_uuids(h);
  EXPECT_EQ(n.size(), 2000u);
  for (const auto& [uuid, c] : n) ASSERT_EQ(c, 1) << uuid;
}

// Events: a restart inside an event re-delivers that event's documents with the same _id.
TEST(Poller, EventRestartRedeliversWithSameIds) {
  Harness h;
  h.emu.generate(10, 20, kNow - 86400, 80000);
  h.emu.start();
  auto config = h.config(Dataset::kThreat, "limit: 3\n");
  std::string saved;
  h.gate = [&](const plugin::Delivery& d) {
    if (h.delivered.size() == 55) return false;
    saved = d.cursor;
    return true;
  };
  { h.poller(config).poll(); }
  h.gate = nullptr;
  auto p2 = h.poller(config, saved);
  ASSERT_TRUE(p2.poll().completed);
  std::map<std::string, std::set<std::string>> ids_by_uuid;
  for (const auto& d : h.delivered) {
    auto j = nlohmann::json::parse(d.document);
    ids_by_uuid[j["misp"]["attribute"]["uuid"]].insert(d.id);
  }
  EXPECT_EQ(ids_by_uuid.size(), 200u);
  for (const auto& [uuid, ids] : ids_by_uuid)
    EXPECT_EQ(ids.size(), 1u) << "duplicates share an _id";
}

TEST(Poller, RequestsLookLikeTheIntegrations) {
  Harness h;
  h.emu.generate(1, 5, kNow - 3600, 60);
  h.emu.start();
  auto p =
      h.poller(h.config(Dataset::kThreatAttributes, "filters:\n  type: [ip-dst]\n  to_ids: 1\n"));
  ASSERT_TRUE(p.poll().completed);
  auto headers = h.emu.request_headers().front();
  EXPECT_EQ(headers["Authorization"], kSecretApiToken);
  EXPECT_EQ(headers["Accept"], "application/json");
  EXPECT_EQ(headers["Content-Type"], "application/json");
  auto body = h.emu.request_bodies().front();
  EXPECT_EQ(body["returnFormat"], "json");
  EXPECT_EQ(body["page"], 1);
  EXPECT_EQ(body["limit"], 10);
  EXPECT_EQ(body["includeDecayScore"], true);
  EXPECT_EQ(body["type"], nlohmann::json::array({"ip-dst"}));
  EXPECT_EQ(body["to_ids"], 1);
  // The first request reaches a day ahead; MISP's Date closes the window settle_delay (60 s)
  // before MISP's clock, and the cursor marks that second whole.
  EXPECT_EQ(body["timestamp"], nlohmann::json::array({kNow - 120 * 3600, kNow + 86400}));
  EXPECT_EQ(p.cursor(), "v2:" + std::to_string(kNow - 60) + ":*:0");
  EXPECT_EQ(body["order"], nlohmann::json::array({"Attribute.timestamp asc", "Attribute.id asc"}));
  EXPECT_EQ(h.delivered.size(), 5u);
}

// The next poll starts after the second the last window closed, and re-emits nothing.
TEST(Poller, SecondPollStartsAtCursorAndDeliversOnlyNew) {
  Harness h;
  auto e = h.emu.add_event(kNow - 100);
  for (int i = 0; i < 20; ++i) h.emu.add_attribute(e, kNow - 100 + i);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes));
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 20u);
  h.clock_ms += 600'000;
  h.emu.add_attribute(e, kNow + 300);
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 21u);
  auto last = h.emu.request_bodies().back();
  EXPECT_EQ(last["timestamp"][0], kNow - 60 + 1) << "the first poll's window was closed";
  EXPECT_EQ(p.cursor(), "v2:" + std::to_string(kNow + 600 - 60) + ":*:0");
}

TEST(Poller, RefetchStartsOver) {
  Harness h;
  h.emu.generate(2, 10, kNow - 3600, 600);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "refetch: true\nrefetch_interval: 24h\n"));
  ASSERT_TRUE(p.poll().completed);
  h.clock_ms += 600'000;
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 20u) << "within the refetch interval: only new rows";
  h.clock_ms += 25LL * 3600 * 1000;
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 40u) << "after refetch_interval: everything again";
}

struct FaultCase {
  const char* name;
  emulator::Fault fault;
  bool completes;       // the poll still completes (retried)
  const char* message;  // in the error when it does not
};

void PrintTo(const FaultCase& c, std::ostream* os) {
  *os << c.name;
}

class Faults : public ::testing::TestWithParam<FaultCase> {};

TEST_P(Faults, RetriedOrFailedCleanlyAndNextPollCompletes) {
  const auto& c = GetParam();
  Harness h;
  h.emu.generate(3, 30, kNow - 3600, 3000);
  h.emu.start();
  // The fault hits the second request of the first poll.
  h.emu.inject(2, c.fault);
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "limit: 20\n"));
  std::string before = p.cursor();
  auto s = p.poll();
  EXPECT_EQ(s.completed, c.completes) << s.error.text();
  if (!c.completes) {
    EXPECT_NE(s.error.text().find(c.message), std::string::npos) << s.error.text();
    // What was delivered before the failure stays delivered; the cursor is at the last of it.
    EXPECT_EQ(h.delivered.size(), 20u);
    EXPECT_EQ(p.cursor(), h.delivered.back().cursor);
    EXPECT_NE(p.cursor(), before);
  }
  ASSERT_TRUE(p.poll().completed);
  auto n = count_uuids(h);
  EXPECT_EQ(n.size(), 90u);
  for (const auto& [uuid, cnt] : n) EXPECT_EQ(cnt, 1) << uuid;
}

INSTANTIATE_TEST_SUITE_P(
    Injected, Faults,
    ::testing::Values(FaultCase{"status_500", emulator::status_fault(500), true, ""},
                      FaultCase{"status_503", emulator::status_fault(503), true, ""},
                      FaultCase{"status_429", emulator::status_fault(429, "1"), true, ""},
                      FaultCase{"dropped_connection", emulator::drop_fault(), true, ""},
                      FaultCase{"html_502", emulator::html_fault(), true, ""},
                      FaultCase{"slow_answer", emulator::delay_fault(300), true, ""},
                      FaultCase{"truncated_json", emulator::truncate_fault(), false,
                                "not valid JSON"},
                      FaultCase{"status_501", emulator::status_fault(501), false, "HTTP 501"},
                      FaultCase{"status_404", emulator::status_fault(404), false, "HTTP 404"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Poller, RetriesGiveUpAfterMaxAttempts) {
  Harness h;
  h.emu.generate(1, 5, kNow - 3600, 60);
  h.emu.start();
  for (int i = 1; i <= 3; ++i) h.emu.inject(i, emulator::status_fault(500));
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "retry_max_attempts: 3\n"));
  auto s = p.poll();
  EXPECT_FALSE(s.completed);
  EXPECT_EQ(h.emu.requests(), 3);
  EXPECT_NE(s.error.text().find("HTTP 500"), std::string::npos);
  EXPECT_NE(s.error.text().find("An Internal Error Has Occurred."), std::string::npos)
      << "MISP's message";
  EXPECT_EQ(p.cursor(), "v2:0:-1:0") << "a failed poll never moves the cursor";
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 5u);
}

// 429: MISP's X-Rate-Limit-Reset is honoured (the test clock shows the wait).
TEST(Poller, RateLimitResetIsWaited) {
  Harness h;
  h.emu.generate(1, 5, kNow - 3600, 60);
  h.emu.start();
  h.emu.inject(1, emulator::status_fault(429, "7"));
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "retry_wait_max: 60s\n"));
  std::int64_t start = h.clock_ms;
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.clock_ms - start, 7000);
}

TEST(Poller, WrongKeyIsNotRetriedAndNamesMispsMessage) {
  Harness h;
  h.emu.start();
  auto c = h.config(Dataset::kThreat);
  c.api_token = plugin::Secret("wrongwrongwrongwrongwrongwrongwrongwrong");
  auto p = h.poller(c);
  auto s = p.poll();
  EXPECT_FALSE(s.completed);
  EXPECT_EQ(h.emu.requests(), 1);
  EXPECT_NE(s.error.text().find("HTTP 403"), std::string::npos);
  EXPECT_NE(s.error.text().find("Authentication failed"), std::string::npos);
  EXPECT_EQ(s.error.text().find("wrongwrong"), std::string::npos) << "no secret in errors";
}

TEST(Poller, BodyOverMaxResponseBytesIsAnError) {
  Harness h;
  h.emu.generate(1, 200, kNow - 3600, 60);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "limit: 200\nmax_response_bytes: 4096\n"));
  auto s = p.poll();
  EXPECT_FALSE(s.completed);
  EXPECT_EQ(s.error.code, plugin::Errc::kHttpBodyTooLarge);
  EXPECT_TRUE(h.delivered.empty());
  EXPECT_EQ(p.cursor(), "v2:0:-1:0");
}

TEST(Poller, TracerRecordsWithoutSecrets) {
  Harness h;
  h.emu.generate(1, 5, kNow - 3600, 60);
  h.emu.start();
  std::string path = ::testing::TempDir() + "/trace-" + std::to_string(::getpid()) + ".ndjson";
  std::remove(path.c_str());
  auto p = h.poller(h.config(Dataset::kThreatAttributes,
                             "enable_request_tracer: true\ntracer_path: " + path + "\n"));
  ASSERT_TRUE(p.poll().completed);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("http.request.body"), std::string::npos);
  EXPECT_NE(text.find("<redacted>"), std::string::npos);
  EXPECT_EQ(text.find(kSecretApiToken), std::string::npos);
  for (const auto& line : h.logs) EXPECT_EQ(line.find(kSecretApiToken), std::string::npos);
}

TEST(Poller, RawOutputIsHttpjsonsMessage) {
  Harness h;
  h.emu.generate(1, 3, kNow - 3600, 60);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "output: raw\n"));
  ASSERT_TRUE(p.poll().completed);
  ASSERT_EQ(h.delivered.size(), 3u);
  auto j = nlohmann::json::parse(h.delivered[0].document);
  EXPECT_TRUE(j.contains("decay_score"));
  EXPECT_EQ(h.delivered[0].document, j.dump()) << "compact, keys sorted (as Go writes it)";
}

}  // namespace
}  // namespace misp::test

namespace misp::test {
namespace {

// Issue 12, overlap: page n+1 is asked for while page n is mapped, so by the time page n's first
// document reaches the host, MISP has already seen the next request; and everything still arrives
// once, in order.
TEST(Poller, NextPageIsFetchedWhileThePageIsMapped) {
  Harness h;
  h.emu.generate(20, 50, kNow - 4 * 86400, 3 * 86400);  // 1,000 attributes: 10 pages of 100
  h.emu.start();
  std::vector<int> requests_seen;  // MISP's request count when each document arrived
  h.gate = [&](const plugin::Delivery&) {
    requests_seen.push_back(h.emu.requests());
    return true;
  };
  auto p = h.poller(h.config(Dataset::kThreatAttributes, "limit: 100\n"));
  auto s = p.poll();
  ASSERT_TRUE(s.completed) << s.error.text();
  ASSERT_EQ(h.delivered.size(), 1000u);
  EXPECT_EQ(count_uuids(h).size(), 1000u);
  // The first document (page 1) goes out after page 2 was asked for.
  EXPECT_GE(requests_seen.front(), 2);
  // Delivered in MISP's order: @timestamp never goes back.
  for (std::size_t i = 1; i < h.delivered.size(); ++i)
    ASSERT_LE(nlohmann::json::parse(h.delivered[i - 1].document).value("@timestamp", ""),
              nlohmann::json::parse(h.delivered[i].document).value("@timestamp", ""));
}

// The host stops in the middle of a page while the next one downloads: the poll ends at once,
// the mapping worker is stopped, and the next poll resumes after the last delivered document.
TEST(Poller, StoppingMidPageEndsTheOverlapCleanly) {
  Harness h;
  h.emu.generate(20, 50, kNow - 4 * 86400, 3 * 86400);
  h.emu.start();
  std::size_t accepted = 0;
  h.gate = [&](const plugin::Delivery&) { return ++accepted <= 150; };
  auto c = h.config(Dataset::kThreatAttributes, "limit: 100\n");
  auto p = h.poller(c);
  auto s = p.poll();
  EXPECT_FALSE(s.completed);
  EXPECT_EQ(h.delivered.size(), 150u);
  h.gate = nullptr;
  auto p2 = h.poller(c, p.cursor());
  ASSERT_TRUE(p2.poll().completed);
  EXPECT_EQ(count_uuids(h).size(), 1000u);
  for (const auto& [uuid, n] : count_uuids(h)) ASSERT_EQ(n, 1) << uuid;
}

}  // namespace
}  // namespace misp::test
