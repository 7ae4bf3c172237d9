#include "plugin/rate_limiter.h"

#include <algorithm>

namespace misp::plugin {

std::int64_t RateLimiter::reserve(std::int64_t now_ms) {
  if (per_second_ <= 0) return 0;
  const std::int64_t at = std::max(now_ms, next_ms_);
  next_ms_ = at + static_cast<std::int64_t>(1000.0 / per_second_);
  return at - now_ms;
}

}  // namespace misp::plugin
