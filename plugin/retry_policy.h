// When to try a request again and how long to wait first: exponential backoff with "equal jitter"
// between retry_wait_min and retry_wait_max, and, on a 429, MISP's own X-Rate-Limit-Reset.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace misp::plugin {

struct RetryPolicy {
  int max_attempts = 5;  // the first try included
  std::chrono::milliseconds wait_min{1000}, wait_max{60'000};

  // 429 and 5xx other than 501 (not implemented: asking again will not help).
  static bool retryable_status(int status);
  // The wait before attempt `attempt + 1`, in [base/2, base], base = min * 2^(attempt-1) <= max.
  std::int64_t backoff_ms(int attempt, std::mt19937_64& rng) const;
  // A 429's reset in seconds (X-Rate-Limit-Reset, or Retry-After) as a wait in [0, wait_max];
  // nullopt when the header is absent or not a number.
  std::optional<std::int64_t> reset_wait_ms(std::string_view reset_seconds) const;
};

}  // namespace misp::plugin
