// The cursor token round-trips, rejects garbage, and fits a shipper's bookmark.
#include "plugin/cursor.h"

#include <gtest/gtest.h>

namespace misp::plugin {
namespace {

TEST(Cursor, RoundTripAndSize) {
  // The longest token decode accepts: the last second of year 9999, the largest numeric id.
  Cursor c{253'402'300'799, 9'223'372'036'854'775'806, 253'402'300'799};
  auto token = c.encode();
  EXPECT_LT(token.size(), 96u);
  auto back = Cursor::decode(token);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->timestamp, c.timestamp);
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->last_refetch, c.last_refetch);
}

TEST(Cursor, EmptyAndGarbage) {
  EXPECT_TRUE(Cursor::decode("")->empty());
  for (const char* bad : {"v3:1:2:3", "v1:1:2", "v1:a:2:3", "v1:1:2:3:4", "v1::2:3", "garbage",
                          "v2:1:*:", "v1:1:*:3", "v2:-5:1:0", "v2:1:-2:0", "v2:1:2:3:"})
    EXPECT_FALSE(Cursor::decode(bad)) << bad;
}

TEST(Cursor, WholeSecondAndTheOldFormat) {
  auto whole = Cursor::decode("v2:100:*:7");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->id, Cursor::kWholeSecond);
  EXPECT_EQ(whole->next_timestamp(), 101);
  EXPECT_EQ(whole->encode(), "v2:100:*:7");
  // The previous pager's cursor: its second is read again rather than trusted.
  auto old = Cursor::decode("v1:100:42:7");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->timestamp, 100);
  EXPECT_EQ(old->id, -1);
  EXPECT_EQ(old->last_refetch, 7);
  EXPECT_EQ(old->next_timestamp(), 100);
}

// Issue 10 (fuzz_cursor): a bookmark past year 9999 is refused, so next_timestamp() of a whole
// second never overflows (v2:9223372036854775807:*:0 was accepted, and + 1 is undefined).
TEST(Cursor, Issue10_TimestampsPastYear9999AreRefused) {
  for (const char* bad : {"v2:9223372036854775807:*:0", "v2:253402300800:1:0",
                          "v2:1:1:253402300800", "v1:9223372036854775807:1:0"})
    EXPECT_FALSE(Cursor::decode(bad)) << bad;
  auto last = Cursor::decode("v2:253402300799:*:253402300799");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->next_timestamp(), 253'402'300'800);
}

TEST(Cursor, CoversRowsAtOrBefore) {
  Cursor c{100, 7, 0};
  EXPECT_TRUE(c.covers(99, 1000));
  EXPECT_TRUE(c.covers(100, 7));
  EXPECT_FALSE(c.covers(100, 8));
  EXPECT_FALSE(c.covers(101, 1));
}

}  // namespace
}  // namespace misp::plugin
