// ioc_expiration_duration is read as the pipeline's script reads it.
#include "mapping/expiry.h"

#include <gtest/gtest.h>

namespace misp::mapping {
namespace {

TEST(ExpiryDuration, UnitsAndFallbacks) {
  struct Case {
    const char* text;
    std::int64_t millis;
    bool fell_back, valid;
  } cases[] = {
      {"90d", 90LL * 86'400'000, false, true},
      {"1h", 3'600'000, false, true},
      {"15m", 900'000, false, true},
      {"0d", 0, false, true},
      {"2w", 90LL * 86'400'000, true, true},
      {"10s", 90LL * 86'400'000, true, true},
      {"d", 0, false, false},
      {"x1d", 0, false, false},
      {"", 0, false, false},
      {"-1d", -86'400'000, false, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = parse_expiry_duration(c.text);
    EXPECT_EQ(d.valid_number, c.valid);
    if (!c.valid) continue;
    EXPECT_EQ(d.millis, c.millis);
    EXPECT_EQ(d.fell_back, c.fell_back);
  }
}

// A span past the long range wraps as the script's long arithmetic does (no undefined behaviour).
TEST(ExpiryDuration, Issue10_HugeSpanWrapsAsJava) {
  EXPECT_EQ(parse_expiry_duration("10000000000000d").millis, -2996971464348925952LL);
  EXPECT_EQ(parse_expiry_duration("9223372036854775807m").millis, -60'000);
}

}  // namespace
}  // namespace misp::mapping
