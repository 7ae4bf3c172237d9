// The client-side rate limit (http_request_rate_limit): at most so many requests per second.
#pragma once

#include <cstdint>

namespace misp::plugin {

class RateLimiter {
 public:
  explicit RateLimiter(double per_second) : per_second_(per_second) {}
  // Books the next request slot at or after now_ms and returns how long to wait for it
  // (0 when unlimited or the slot is free now).
  std::int64_t reserve(std::int64_t now_ms);

 private:
  double per_second_;
  std::int64_t next_ms_ = 0;
};

}  // namespace misp::plugin
