// Retry waits and the client-side rate limit, as numbers.
#include <gtest/gtest.h>

#include "plugin/rate_limiter.h"
#include "plugin/retry_policy.h"

namespace misp::plugin {
namespace {

TEST(RetryPolicy, BackoffDoublesWithJitterUpToTheMaximum) {
  RetryPolicy p{5, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    auto w1 = p.backoff_ms(1, rng), w3 = p.backoff_ms(3, rng), w9 = p.backoff_ms(9, rng);
    EXPECT_GE(w1, 50);
    EXPECT_LE(w1, 100);
    EXPECT_GE(w3, 200);
    EXPECT_LE(w3, 400);
    EXPECT_GE(w9, 500);
    EXPECT_LE(w9, 1000);
  }
  EXPECT_LE(p.backoff_ms(1'000'000, rng), 1000);  // no overflow on absurd attempt numbers
}

TEST(RetryPolicy, RateLimitResetIsClampedAndReadStrictly) {
  RetryPolicy p{5, std::chrono::milliseconds(100), std::chrono::milliseconds(60'000)};
  EXPECT_EQ(p.reset_wait_ms("12"), 12'000);
  EXPECT_EQ(p.reset_wait_ms("900"), 60'000);
  EXPECT_EQ(p.reset_wait_ms("9223372036854775807"), 60'000);
  EXPECT_EQ(p.reset_wait_ms("-5"), 0);
  EXPECT_EQ(p.reset_wait_ms("abc"), std::nullopt);
  EXPECT_EQ(p.reset_wait_ms("12s"), std::nullopt);
  EXPECT_EQ(p.reset_wait_ms(""), std::nullopt);
}

TEST(RetryPolicy, WhichStatusesAreWorthAnotherTry) {
  for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(RetryPolicy::retryable_status(s)) << s;
  for (int s : {400, 403, 404, 405, 501}) EXPECT_FALSE(RetryPolicy::retryable_status(s)) << s;
}

TEST(RateLimiter, SpacesRequestsAndIsFreeWhenUnlimited) {
  RateLimiter two(2.0);  // one request per 500 ms
  EXPECT_EQ(two.reserve(1000), 0);
  EXPECT_EQ(two.reserve(1100), 400);
  EXPECT_EQ(two.reserve(1100), 900);
  EXPECT_EQ(two.reserve(5000), 0);
  RateLimiter none(0);
  EXPECT_EQ(none.reserve(1), 0);
  EXPECT_EQ(none.reserve(1), 0);
}

}  // namespace
}  // namespace misp::plugin
