// The cursor token round-trips, rejects garbage, and fits a shipper's bookmark.
#include "plugin/cursor.h"

#include <gtest/gtest.h>

namespace misp::plugin {
namespace {

TEST(Cursor, RoundTripAndSize) {
  Cursor c{9'223'372'036'854'775'807, 9'223'372'036'854'775'807, 9'223'372'036'854'775'807};
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
  for (const char* bad : {"v2:1:2:3", "v1:1:2", "v1:a:2:3", "v1:1:2:3:4", "v1::2:3", "garbage"})
    EXPECT_FALSE(Cursor::decode(bad)) << bad;
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
