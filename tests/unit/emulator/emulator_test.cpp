// The emulator's HTTP answers are MISP 2.5.1's: a Date header from MISP's own clock, the counting
// headers as MISP computes them, decay scores only where a model covers the attribute, and edits
// stamped by MISP's clock.
#include <gtest/gtest.h>

#include "tests/unit/emulator/client.h"

namespace misp::test {
namespace {

using emulator::Emulator;
using emulator::Options;
using Json = nlohmann::json;

constexpr std::int64_t kClock = 784111777;  // RFC 7231's example: Sun, 06 Nov 1994 08:49:37 GMT

Options fixed_clock(std::int64_t t = kClock) {
  Options o;
  o.now = [t] { return t; };
  return o;
}

struct DateCase {
  std::int64_t unix_seconds;
  const char* expected;
};

// http_date writes IMF-fixdate (RFC 7231 section 7.1.1.1) for any second, leap days included.
TEST(EmulatorHttpDate, ImfFixdate) {
  const DateCase cases[] = {{0, "Thu, 01 Jan 1970 00:00:00 GMT"},
                            {kClock, "Sun, 06 Nov 1994 08:49:37 GMT"},
                            {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
                            {1800000000, "Fri, 15 Jan 2027 08:00:00 GMT"}};
  for (const auto& c : cases) EXPECT_EQ(emulator::http_date(c.unix_seconds), c.expected);
}

// Every answer, errors included, carries Date from the injected clock plus the offset.
TEST(EmulatorClock, DateHeaderIsMispsClockWithOffset) {
  Emulator emu(fixed_clock());
  emu.start();
  EXPECT_EQ(emu.now(), kClock);
  auto r = attributes(emu, {});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Date"), "Sun, 06 Nov 1994 08:49:37 GMT");

  emu.set_clock_offset(3600);
  EXPECT_EQ(emu.clock_offset(), 3600);
  EXPECT_EQ(emu.now(), kClock + 3600);
  EXPECT_EQ(events(emu, {}).header("Date"), "Sun, 06 Nov 1994 09:49:37 GMT");
  emu.set_clock_offset(-90);
  auto denied = post(emu, "/attributes/restSearch", {{"returnFormat", "json"}}, "wrong");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.header("Date"), "Sun, 06 Nov 1994 08:48:07 GMT");
}

// Without an injected clock the emulator uses this machine's.
TEST(EmulatorClock, DefaultsToSystemClock) {
  Emulator emu;
  const std::int64_t before = emulator::system_now();
  const std::int64_t now = emu.now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, emulator::system_now());
}

struct CountCase {
  const char* name;
  int limit;  // 0: no limit
  int page;
  std::size_t rows;          // attributes returned
  long long x_result_count;  // what MISP says
};

void PrintTo(const CountCase& c, std::ostream* os) {
  *os << c.name;
}

class EmulatorAttributeResultCount : public ::testing::TestWithParam<CountCase> {};

// /attributes/restSearch: X-Result-Count is the page's rows, +1 when the page is full; a page
// past the end says 1; without limit it is the total (25 rows here).
TEST_P(EmulatorAttributeResultCount, AsMispCountsIt) {
  const auto& c = GetParam();
  Emulator emu(fixed_clock());
  auto e = emu.add_event(kClock - 100);
  for (int i = 0; i < 25; ++i) emu.add_attribute(e, kClock - 100 + i);
  emu.start();
  Json body = {{"order", "Attribute.id asc"}};
  if (c.limit) body["limit"] = c.limit, body["page"] = c.page;
  auto r = attributes(emu, body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.rows().size(), c.rows);
  EXPECT_EQ(r.count("X-Result-Count"), c.x_result_count);
  EXPECT_EQ(r.count("X-Skipped-Elements-Count"), 0);
}

INSTANTIATE_TEST_SUITE_P(Pages, EmulatorAttributeResultCount,
                         ::testing::Values(CountCase{"full_page", 10, 1, 10, 11},
                                           CountCase{"full_page_2", 10, 2, 10, 11},
                                           CountCase{"short_last_page", 10, 3, 5, 5},
                                           CountCase{"empty_page_past_end", 10, 4, 0, 1},
                                           CountCase{"full_last_page", 5, 5, 5, 6},
                                           CountCase{"empty_after_full_last_page", 5, 6, 0, 1},
                                           CountCase{"no_limit_is_total", 0, 1, 25, 25}),
                         [](const auto& info) { return std::string(info.param.name); });

// Rows a warninglist drops after paging still count as the page's SQL rows: the page is short,
// X-Skipped-Elements-Count says why, and X-Result-Count still says "full page".
TEST(EmulatorResultCount, WarninglistSkipsCountAsPageRows) {
  Options o = fixed_clock();
  o.warninglist = {"8.8.8.8", "1.1.1.1"};
  Emulator emu(o);
  auto e = emu.add_event(kClock - 100);
  for (int i = 0; i < 10; ++i)
    emu.add_attribute(e, kClock - 100 + i, i == 2 ? "8.8.8.8" : i == 3 ? "1.1.1.1" : "");
  emu.start();
  auto r = attributes(emu, {{"limit", 5}, {"page", 1}, {"enforceWarninglist", 1}});
  EXPECT_EQ(r.rows().size(), 3u);
  EXPECT_EQ(r.count("X-Skipped-Elements-Count"), 2);
  EXPECT_EQ(r.count("X-Result-Count"), 6);
}

// /events/restSearch with limit: X-Result-Count is every matching event, before paging.
TEST(EmulatorResultCount, EventsCountIsTotalBeforePaging) {
  Emulator emu(fixed_clock());
  for (int i = 0; i < 7; ++i) emu.add_attribute(emu.add_event(kClock - 100 + i), kClock - 100 + i);
  emu.start();
  auto page2 = events(emu, {{"limit", 3}, {"page", 2}, {"order", "Event.id asc"}});
  EXPECT_EQ(page2.rows().size(), 3u);
  EXPECT_EQ(page2.count("X-Result-Count"), 7);
  auto past = events(emu, {{"limit", 3}, {"page", 4}});
  EXPECT_EQ(past.rows().size(), 0u);
  EXPECT_EQ(past.count("X-Result-Count"), 7);
  auto all = events(emu, {});
  EXPECT_EQ(all.rows().size(), 7u);
  EXPECT_EQ(all.count("X-Result-Count"), 7);
  auto window = events(emu, {{"timestamp", Json::array({kClock - 96, kClock})}});
  EXPECT_EQ(window.rows().size(), 3u);
  EXPECT_EQ(window.count("X-Result-Count"), 3);
}

// No decaying model covers an attribute: no decay_score key at all. Covered ones get one entry
// per model; excludeDecayed drops only rows every model calls decayed.
TEST(EmulatorDecay, ScoreOnlyWhereAModelCovers) {
  Emulator emu(fixed_clock());
  auto e = emu.add_event(kClock - 100);
  auto uncovered = emu.add_attribute(e, kClock - 90);
  auto half = emu.add_attribute(e, kClock - 80);
  auto decayed = emu.add_attribute(e, kClock - 70);
  emu.attribute(half).decay_models = 2;
  emu.attribute(half).decayed_models = 1;
  emu.attribute(decayed).decay_models = 1;
  emu.attribute(decayed).decayed_models = 1;
  emu.start();
  auto r = attributes(emu, {{"includeDecayScore", true}, {"order", "Attribute.id asc"}});
  ASSERT_EQ(r.rows().size(), 3u);
  EXPECT_FALSE(r.rows()[0].contains("decay_score")) << "attribute " << uncovered;
  ASSERT_EQ(r.rows()[1]["decay_score"].size(), 2u);
  EXPECT_EQ(r.rows()[1]["decay_score"][0]["decayed"], true);
  EXPECT_EQ(r.rows()[1]["decay_score"][1]["decayed"], false);
  EXPECT_EQ(r.rows()[2]["decay_score"][0]["decayed"], true);
  EXPECT_TRUE(r.rows()[2]["decay_score"][0].contains("DecayingModel"));

  auto without = attributes(emu, {});
  for (const auto& row : without.rows()) EXPECT_FALSE(row.contains("decay_score"));

  auto excluded = attributes(emu, {{"includeDecayScore", 1}, {"excludeDecayed", 1}});
  ASSERT_EQ(excluded.rows().size(), 2u);
  EXPECT_EQ(excluded.count("X-Skipped-Elements-Count"), 1);
  EXPECT_EQ(excluded.rows()[1]["id"], std::to_string(half));
}

// generate() stands for an instance with one model enabled for its ip-dst rows.
TEST(EmulatorDecay, GeneratedAttributesAreCovered) {
  Emulator emu(fixed_clock());
  emu.generate(1, 3, kClock - 600, 60);
  emu.start();
  auto r = attributes(emu, {{"includeDecayScore", true}});
  ASSERT_EQ(r.rows().size(), 3u);
  for (const auto& row : r.rows()) EXPECT_EQ(row["decay_score"].size(), 1u);
}

// Edits, soft deletes and inserts without a timestamp are stamped with MISP's clock (offset
// included), and restSearch shows them at once.
TEST(EmulatorMutations, StampedWithMispsClock) {
  Emulator emu(fixed_clock());
  emu.set_clock_offset(120);
  auto e = emu.add_event(kClock - 1000);
  auto edited = emu.add_attribute(e, kClock - 900);
  auto deleted = emu.add_attribute(e, kClock - 800);
  emu.start();
  emu.edit_attribute(edited);
  emu.delete_attribute(deleted);
  auto inserted = emu.insert_attribute_now(e);
  const std::int64_t misp_now = kClock + 120;
  auto r = attributes(emu, {{"deleted", Json::array({0, 1})}, {"order", "Attribute.id asc"}});
  ASSERT_EQ(r.rows().size(), 3u);
  EXPECT_EQ(r.rows()[0]["timestamp"], std::to_string(misp_now));
  EXPECT_EQ(r.rows()[1]["timestamp"], std::to_string(misp_now));
  EXPECT_EQ(r.rows()[1]["deleted"], true);
  EXPECT_EQ(r.rows()[2]["id"], std::to_string(inserted));
  EXPECT_EQ(r.rows()[2]["timestamp"], std::to_string(misp_now));
  auto ev = events(emu, {});
  EXPECT_EQ(ev.rows()[0]["Event"]["timestamp"], std::to_string(misp_now));
  EXPECT_EQ(emu.event_versions().front().timestamp, misp_now);
  EXPECT_EQ(emu.ledger().size(), 3u);
}

// The headers the integration reads are all there on a data answer.
TEST(EmulatorHeaders, DataAnswerCarriesMispsHeaders) {
  Emulator emu(fixed_clock());
  emu.start();
  auto r = attributes(emu, {{"limit", 10}});
  for (const char* h : {"Date", "X-Result-Count", "X-Skipped-Elements-Count",
                        "X-Export-Module-Used", "X-Response-Format", "Content-Type"})
    EXPECT_TRUE(r.has(h)) << h;
  EXPECT_EQ(r.body.dump(), R"({"response":{"Attribute":[]}})");
}

}  // namespace
}  // namespace misp::test
