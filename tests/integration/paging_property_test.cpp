// The paging promise, checked at random against the emulator changing underneath the poller over
// real HTTP: for many seeds x both streams x limit 10/100/1000 x MISP's clock -90/0/+90 s off
// ours, a backfill during which MISP edits ~5% of the attributes, adds 60 (some as long saves
// stamped in the past), soft- and hard-deletes some, followed by a quiet poll, delivers every
// attribute's final version, no version twice, within a bounded number of requests:
//   requests <= 2 * (rows / limit) + changes + 8   per poll, summed over both polls.
// MISP_PROPERTY_SEEDS=N runs N seeds per combination (default 4; the long run is thousands).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "mapping/es/date.h"
#include "tests/integration/harness.h"

namespace misp::test {
namespace {

using mapping::Dataset;
constexpr std::int64_t kSettle = 60;

unsigned seeds_from_env() {
  const char* env = std::getenv("MISP_PROPERTY_SEEDS");
  return env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 4;
}

struct Outcome {
  std::size_t requests = 0, rows = 0, changes = 0;
};

// Data like a real MISP's: events of 40 attributes added in one request (one timestamp each),
// one bulk import of 600 attributes sharing a second, and scattered single attributes.
void populate(emulator::Emulator& emu, unsigned seed) {
  const std::int64_t now = emu.now();
  emu.generate(20, 30, now - 3 * 86400, 2 * 86400, seed);
  for (int i = 0; i < 8; ++i) emu.bulk_event(40, now - 86400 + i * 7);
  emu.bulk_event(600, now - 43200);
}

Outcome backfill_then_quiet(Harness& h, Dataset dataset, int limit, unsigned seed) {
  Outcome out;
  out.rows = h.emu.attribute_count();
  const int expected_requests = static_cast<int>(out.rows) / limit + 2;
  emulator::Chaos chaos;
  chaos.seed = seed;
  chaos.edit_probability = 0.05 / expected_requests;
  chaos.inserts_per_request = expected_requests >= 60 ? 1 : 60 / expected_requests;
  chaos.late_save_max_age_s = kSettle - 1;  // long saves, stamped up to 59 s in the past
  chaos.soft_deletes_per_request = seed % 2;
  chaos.hard_deletes_per_request = seed % 3 == 0 ? 1 : 0;
  chaos.first_request = 2;
  chaos.last_request = 61;
  h.emu.set_chaos(chaos);
  std::string extra = "limit: " + std::to_string(limit) + "\nsettle_delay: 60s\n";
  auto config = h.config(dataset, extra);
  auto p = h.poller(config);
  auto first = p.poll();
  EXPECT_TRUE(first.completed) << first.error.text();
  h.emu.clear_chaos();
  out.changes = h.emu.ledger().size();
  h.clock_ms += (kSettle + 5) * 1000;  // MISP goes quiet; its last changes settle
  // The quiet poll runs in a new process: the cursor is what the host stored.
  std::string cursor = h.delivered.empty() ? "" : h.delivered.back().cursor;
  auto q = h.poller(config, cursor);
  auto second = q.poll();
  EXPECT_TRUE(second.completed) << second.error.text();
  out.requests = first.requests + second.requests;
  return out;
}

class PagingProperty : public ::testing::TestWithParam<std::tuple<Dataset, int, std::int64_t>> {};

TEST_P(PagingProperty, EveryFinalVersionOnceWithinTheRequestBound) {
  const auto [dataset, limit, offset] = GetParam();
  const bool attributes = dataset == Dataset::kThreatAttributes;
  for (unsigned seed = 1; seed <= seeds_from_env(); ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Harness h;
    h.emu.set_clock_offset(offset);
    populate(h.emu, seed);
    h.emu.start();
    Outcome o = backfill_then_quiet(h, dataset, attributes ? limit : std::max(5, limit / 10), seed);

    std::map<std::pair<std::string, std::string>, int> delivered;
    for (const auto& v : h.delivered_attributes()) ++delivered[v];
    for (const auto& [version, n] : delivered)
      EXPECT_EQ(n, 1) << version.first << " at " << version.second << " delivered " << n << "x";

    // threat_attributes: each attribute at its own timestamp (soft-deleted ones too: they are
    // retractions). threat: each live attribute inside its event's final version.
    std::map<std::int64_t, std::int64_t> event_ts;
    for (const auto& e : h.emu.event_versions()) event_ts[e.id] = e.timestamp;
    std::size_t missing = 0;
    for (const auto& a : h.emu.snapshot()) {
      if (!attributes && a.deleted) continue;
      std::int64_t ts = attributes ? a.timestamp : event_ts.at(a.event_id);
      if (!delivered.contains({a.uuid, mapping::es::format_millis(ts * 1000)})) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "final versions never delivered";
    EXPECT_GE(o.changes, 60u) << "MISP changed underneath the backfill";

    const std::size_t page = static_cast<std::size_t>(attributes ? limit : std::max(5, limit / 10));
    const std::size_t rows = attributes ? o.rows : h.emu.event_versions().size();
    EXPECT_LE(o.requests, 2 * (rows / page) + o.changes + 8)
        << "rows " << rows << " limit " << page << " changes " << o.changes;
    if (HasFailure()) return;
  }
}

std::string name(const ::testing::TestParamInfo<PagingProperty::ParamType>& info) {
  const auto [dataset, limit, offset] = info.param;
  return std::string(dataset == Dataset::kThreat ? "threat" : "threat_attributes") + "_limit" +
         std::to_string(limit) + "_clock" + (offset < 0 ? "minus" : "plus") +
         std::to_string(offset < 0 ? -offset : offset);
}

INSTANTIATE_TEST_SUITE_P(
    Streams, PagingProperty,
    ::testing::Combine(::testing::Values(Dataset::kThreatAttributes, Dataset::kThreat),
                       ::testing::Values(10, 100, 1000), ::testing::Values(-90, 0, 90)),
    name);

// Rows pulled from another MISP keep the origin's old timestamps and land behind the cursor: a
// plain poll cannot see them; refetch (every refetch_interval, from initial_interval back) does.
TEST(Paging, SyncedRowsNeedRefetch) {
  for (bool refetch : {false, true}) {
    Harness h;
    auto e = h.emu.add_event(kNow - 7200);
    for (int i = 0; i < 30; ++i) h.emu.add_attribute(e, kNow - 7200 + i);
    h.emu.start();
    auto p = h.poller(h.config(
        Dataset::kThreatAttributes,
        std::string("refetch: ") + (refetch ? "true" : "false") + "\nrefetch_interval: 1h\n"));
    ASSERT_TRUE(p.poll().completed);
    h.clock_ms += 600'000;
    auto synced = h.emu.insert_synced_attribute(e, kNow - 3600);  // behind the cursor
    ASSERT_TRUE(p.poll().completed);
    const std::string uuid = h.emu.attribute(synced).uuid;
    auto seen = [&] {
      for (const auto& [u, ts] : h.delivered_attributes())
        if (u == uuid) return true;
      return false;
    };
    EXPECT_FALSE(seen()) << "no timestamp-ordered poll can see a row synced behind its cursor";
    h.clock_ms += 3600'000;  // the refetch interval passes
    ASSERT_TRUE(p.poll().completed);
    EXPECT_EQ(seen(), refetch);
  }
}

// A crash in the middle of a long run: the restart re-delivers (same _id) rather than loses.
TEST(Paging, CrashInsideARunRedeliversNothingLost) {
  for (int crash_after : {5, 37, 150, 299}) {
    Harness h;
    h.emu.bulk_event(300, kNow - 5000);
    h.emu.start();
    auto config = h.config(Dataset::kThreatAttributes, "limit: 2\n");  // unproven pages
    int n = 0;
    h.gate = [&](const plugin::Delivery&) { return n++ < crash_after; };
    auto crashed = h.poller(config);
    crashed.poll();
    ASSERT_EQ(h.delivered.size(), static_cast<std::size_t>(crash_after));
    h.gate = nullptr;
    auto restarted = h.poller(config, h.delivered.back().cursor);
    ASSERT_TRUE(restarted.poll().completed);
    std::map<std::string, std::set<std::string>> ids;  // uuid -> _ids delivered
    for (const auto& d : h.delivered)
      ids[nlohmann::json::parse(d.document)["misp"]["attribute"]["uuid"]].insert(d.id);
    EXPECT_EQ(ids.size(), 300u) << "crash after " << crash_after;
    for (const auto& [uuid, set] : ids) EXPECT_EQ(set.size(), 1u) << "one _id per version";
  }
}

// MISP's clock, not ours: 90 s behind, a row MISP saved 30 s ago (by its clock) is not in this
// poll's window even though our clock says it is two minutes old; and the gap is logged once.
TEST(Paging, WindowFollowsMispClockAndSkewIsLoggedOnce) {
  Harness h;
  h.emu.set_clock_offset(-90);
  auto e = h.emu.add_event(kNow - 3600);
  h.emu.add_attribute(e, kNow - 3600);
  auto fresh = h.emu.add_attribute(e, kNow - 90 - 30);
  h.emu.start();
  auto p = h.poller(h.config(Dataset::kThreatAttributes));
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 1u);
  auto body = h.emu.request_bodies().front();
  h.clock_ms += 600'000;
  ASSERT_TRUE(p.poll().completed);
  ASSERT_EQ(h.delivered.size(), 2u);
  EXPECT_EQ(h.delivered_attributes().back().first, h.emu.attribute(fresh).uuid);
  int warnings = 0;
  for (const auto& l : h.logs)
    warnings += l.find("MISP's clock is 90 s behind") != std::string::npos;
  EXPECT_EQ(warnings, 1);
}

// The previous pager's cursor is read, and its second is read again rather than trusted.
TEST(Paging, OldCursorRereadsItsSecond) {
  Harness h;
  auto e = h.emu.add_event(kNow - 7200);
  for (int i = 0; i < 5; ++i) h.emu.add_attribute(e, kNow - 7200);
  for (int i = 0; i < 5; ++i) h.emu.add_attribute(e, kNow - 7100);
  h.emu.start();
  auto p =
      h.poller(h.config(Dataset::kThreatAttributes), "v1:" + std::to_string(kNow - 7200) + ":3:0");
  ASSERT_TRUE(p.poll().completed);
  EXPECT_EQ(h.delivered.size(), 10u);
  EXPECT_EQ(h.emu.request_bodies().front()["timestamp"][0], kNow - 7200);
}

}  // namespace
}  // namespace misp::test
