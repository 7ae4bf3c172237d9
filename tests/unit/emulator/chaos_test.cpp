// Live changes and chaos: every change lands with the timestamp it claims, shows in the very next
// answer, is in the ledger, and a seed repeats the same changes exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/unit/emulator/client.h"

namespace misp::test {
namespace {

using emulator::AttributeVersion;
using emulator::ChangeKind;
using emulator::Chaos;
using emulator::Emulator;
using emulator::LedgerEntry;
using emulator::Options;
using Json = nlohmann::json;

constexpr std::int64_t kClock = 1'800'000'000;

// A clock the test moves: one second per request, as a client paging in real time would see.
struct Clock {
  std::int64_t now = kClock;
};

Options clocked(Clock& c) {
  Options o;
  o.now = [&c] { return c.now; };
  return o;
}

Chaos busy(std::uint64_t seed) {
  Chaos c;
  c.seed = seed;
  c.edit_probability = 0.02;
  c.inserts_per_request = 3;
  c.late_save_max_age_s = 600;
  c.synced_per_request = 2;
  c.synced_max_age_s = 7 * 86400;
  c.soft_deletes_per_request = 1;
  c.hard_deletes_per_request = 1;
  return c;
}

// Pages through the attributes endpoint (limit 50) with the clock ticking; returns the ledger.
std::vector<LedgerEntry> run(std::uint64_t seed,
                             std::vector<AttributeVersion>* snapshot = nullptr) {
  Clock clock;
  Emulator emu(clocked(clock));
  emu.generate(10, 30, kClock - 86400, 80000);
  emu.set_chaos(busy(seed));
  emu.start();
  for (int page = 1; page <= 8; ++page, ++clock.now) {
    auto r = attributes(emu, {{"limit", 50}, {"page", page}, {"order", "Attribute.timestamp asc"}});
    EXPECT_EQ(r.status, 200);
  }
  if (snapshot) *snapshot = emu.snapshot();
  return emu.ledger();
}

// The same seed, data and requests give the same ledger and the same final state.
TEST(EmulatorChaos, SeedIsDeterministic) {
  std::vector<AttributeVersion> s1, s2, s3;
  auto a = run(42, &s1);
  auto b = run(42, &s2);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(s1, s2);
  std::set<ChangeKind> kinds;
  for (const auto& e : a) kinds.insert(e.kind);
  for (auto k : {ChangeKind::kEdit, ChangeKind::kSoftDelete, ChangeKind::kHardDelete,
                 ChangeKind::kLateSave, ChangeKind::kSynced})
    EXPECT_TRUE(kinds.count(k)) << emulator::to_string(k);
  EXPECT_NE(run(43, &s3), a) << "another seed, other changes";
}

// Each chaos change has the timestamp its kind claims, made before its request was answered.
TEST(EmulatorChaos, LedgerTimestampsMatchTheirKind) {
  Clock clock;
  Emulator emu(clocked(clock));
  emu.generate(5, 20, kClock - 86400, 80000);
  emu.set_chaos(busy(7));
  emu.start();
  for (int i = 0; i < 5; ++i, clock.now += 10) attributes(emu, {});
  auto ledger = emu.ledger();
  ASSERT_FALSE(ledger.empty());
  for (const auto& e : ledger) {
    const std::int64_t at = kClock + 10 * (e.request - 1);  // MISP's now for that request
    switch (e.kind) {
      case ChangeKind::kEdit:
      case ChangeKind::kSoftDelete:
      case ChangeKind::kHardDelete:
      case ChangeKind::kInsert:
        EXPECT_EQ(e.new_timestamp, at) << emulator::to_string(e.kind);
        break;
      case ChangeKind::kLateSave:
        EXPECT_GE(e.new_timestamp, at - 600);
        EXPECT_LT(e.new_timestamp, at);
        break;
      case ChangeKind::kSynced:
        EXPECT_GE(e.new_timestamp, at - 7 * 86400);
        EXPECT_LT(e.new_timestamp, at);
        break;
      case ChangeKind::kBulk:
        ADD_FAILURE() << "chaos makes no bulk events";
    }
  }
}

// Chaos changes happen before the request is answered: that answer already shows them.
TEST(EmulatorChaos, ChangesShowInTheAnswerOfTheirRequest) {
  Clock clock;
  Emulator emu(clocked(clock));
  emu.add_event(kClock - 100);
  Chaos c;
  c.inserts_per_request = 4;
  emu.set_chaos(c);
  emu.start();
  auto r = attributes(emu, {});
  EXPECT_EQ(r.rows().size(), 4u);
  for (const auto& row : r.rows()) EXPECT_EQ(row["timestamp"], std::to_string(kClock));
  EXPECT_EQ(attributes(emu, {}).rows().size(), 8u);
}

// first_request/last_request bound the requests chaos touches.
TEST(EmulatorChaos, OnlyInsideItsRequestWindow) {
  Clock clock;
  Emulator emu(clocked(clock));
  emu.add_event(kClock - 100);
  Chaos c;
  c.inserts_per_request = 1;
  c.first_request = 2;
  c.last_request = 3;
  emu.set_chaos(c);
  emu.start();
  for (int i = 0; i < 5; ++i) attributes(emu, {});
  auto ledger = emu.ledger();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].request, 2);
  EXPECT_EQ(ledger[1].request, 3);
  emu.clear_chaos();
  attributes(emu, {});
  EXPECT_EQ(emu.ledger().size(), 2u);
}

// A long save is stamped in the past yet visible only now; a synced row keeps the origin's
// timestamp; both are in the next answer and the ledger.
TEST(EmulatorMutations, LateSaveAndSyncedRowsHaveTheirClaimedTimestamps) {
  Clock clock;
  Emulator emu(clocked(clock));
  auto e = emu.add_event(kClock - 5000);
  emu.start();
  std::set<std::int64_t> late;
  for (int i = 0; i < 50; ++i) late.insert(emu.insert_attribute_saved_late(e, 300));
  const std::int64_t origin = kClock - 40 * 86400;
  auto synced = emu.insert_synced_attribute(e, origin);
  for (const auto& v : emu.snapshot()) {
    if (late.count(v.id)) {
      EXPECT_GE(v.timestamp, kClock - 300);
      EXPECT_LE(v.timestamp, kClock - 1);
    }
  }
  auto r = attributes(emu, {{"timestamp", Json::array({origin, origin})}});
  ASSERT_EQ(r.rows().size(), 1u);
  EXPECT_EQ(r.rows()[0]["id"], std::to_string(synced));
  auto window = attributes(emu, {{"timestamp", Json::array({kClock - 300, kClock})}});
  EXPECT_EQ(window.rows().size(), 50u);
  auto ledger = emu.ledger();
  ASSERT_EQ(ledger.size(), 51u);
  EXPECT_EQ(ledger[0].kind, ChangeKind::kLateSave);
  EXPECT_EQ(ledger[50].kind, ChangeKind::kSynced);
  EXPECT_EQ(ledger[50].new_timestamp, origin);
  EXPECT_EQ(ledger[50].old_timestamp, 0);
}

// A hard delete leaves no tombstone (not even with deleted: [0,1]); its event's timestamp moves.
TEST(EmulatorMutations, HardDeleteLeavesNoTrace) {
  Clock clock;
  Emulator emu(clocked(clock));
  auto e = emu.add_event(kClock - 500);
  auto gone = emu.add_attribute(e, kClock - 400);
  auto kept = emu.add_attribute(e, kClock - 300);
  emu.start();
  emu.hard_delete_attribute(gone);
  auto r = attributes(emu, {{"deleted", Json::array({0, 1})}});
  ASSERT_EQ(r.rows().size(), 1u);
  EXPECT_EQ(r.rows()[0]["id"], std::to_string(kept));
  auto ev = events(emu, {});
  EXPECT_EQ(ev.rows()[0]["Event"]["timestamp"], std::to_string(kClock));
  EXPECT_EQ(ev.rows()[0]["Event"]["Attribute"].size(), 1u);
  auto snap = emu.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].id, kept);
  ASSERT_EQ(emu.ledger().size(), 1u);
  EXPECT_EQ(emu.ledger()[0].kind, ChangeKind::kHardDelete);
  EXPECT_EQ(emu.ledger()[0].old_timestamp, kClock - 400);
}

// MISP's events/add: one event whose attributes all share one timestamp, the event's too.
TEST(EmulatorMutations, BulkEventSharesOneTimestamp) {
  Clock clock;
  Emulator emu(clocked(clock));
  auto e = emu.bulk_event(250, kClock - 3600);
  emu.start();
  auto snap = emu.snapshot();
  ASSERT_EQ(snap.size(), 250u);
  for (const auto& v : snap) {
    EXPECT_EQ(v.timestamp, kClock - 3600);
    EXPECT_EQ(v.event_id, e);
  }
  ASSERT_EQ(emu.event_versions().size(), 1u);
  EXPECT_EQ(emu.event_versions()[0].timestamp, kClock - 3600);
  EXPECT_EQ(emu.ledger().size(), 250u);
  auto r = attributes(emu, {{"limit", 100}, {"page", 3}, {"timestamp", kClock - 3600}});
  EXPECT_EQ(r.rows().size(), 50u);
}

// A soft delete comes back only when asked for, as deleted: true with the delete's timestamp.
TEST(EmulatorMutations, SoftDeleteIsATombstone) {
  Clock clock;
  Emulator emu(clocked(clock));
  auto e = emu.add_event(kClock - 500);
  auto id = emu.add_attribute(e, kClock - 400);
  emu.start();
  emu.delete_attribute(id);
  EXPECT_TRUE(attributes(emu, {}).rows().empty());
  auto r = attributes(emu, {{"deleted", Json::array({0, 1})}});
  ASSERT_EQ(r.rows().size(), 1u);
  EXPECT_EQ(r.rows()[0]["deleted"], true);
  EXPECT_EQ(r.rows()[0]["timestamp"], std::to_string(kClock));
  EXPECT_TRUE(emu.snapshot()[0].deleted);
}

}  // namespace
}  // namespace misp::test
