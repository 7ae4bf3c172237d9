// MISP's clock arrives as an HTTP date; all three forms RFC 9110 requires a recipient to read.
#include "plugin/http_date.h"

#include <gtest/gtest.h>

namespace misp::plugin {
namespace {

TEST(HttpDate, ThreeFormsOfTheSameInstant) {
  // RFC 9110's own example instant: 1994-11-06T08:49:37Z.
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
}

TEST(HttpDate, LeapDaysAndCenturies) {
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"), 1835481599);
  EXPECT_EQ(parse_http_date("Wed, 02 Dec 2026 06:19:17 GMT"), 1796192357);
}

TEST(HttpDate, RefusesWhatIsNotADate) {
  for (const char* bad :
       {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "1796192357",
        "Sun, 06 Nov 99999999999 08:49:37 GMT"})
    EXPECT_FALSE(parse_http_date(bad)) << bad;
}

}  // namespace
}  // namespace misp::plugin
