#include "plugin/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace misp::plugin {

bool RetryPolicy::retryable_status(int status) {
  return status == 429 || (status >= 500 && status != 501);
}

std::int64_t RetryPolicy::backoff_ms(int attempt, std::mt19937_64& rng) const {
  double base = static_cast<double>(wait_min.count()) * std::pow(2.0, std::min(attempt, 62) - 1);
  base = std::min(base, static_cast<double>(wait_max.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return static_cast<std::int64_t>(base * jitter(rng));
}

std::optional<std::int64_t> RetryPolicy::reset_wait_ms(std::string_view reset) const {
  std::int64_t seconds = 0;
  auto r = std::from_chars(reset.data(), reset.data() + reset.size(), seconds);
  if (reset.empty() || r.ec != std::errc() || r.ptr != reset.data() + reset.size())
    return std::nullopt;
  return std::clamp<std::int64_t>(seconds, 0, wait_max.count() / 1000) * 1000;
}

}  // namespace misp::plugin
