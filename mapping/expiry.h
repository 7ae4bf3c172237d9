// `ioc_expiration_duration` as the threat_attributes pipeline reads it: a number and a unit
// (d, h, m); any other unit falls back to 90 days.
#pragma once

#include <cstdint>
#include <string_view>

namespace misp::mapping {

struct ExpiryDuration {
  std::int64_t millis = 0;
  bool fell_back = false;    // unknown unit: 90 days, and the pipeline notes it in error.message
  bool valid_number = true;  // false: Long.parseLong failed on the number part (pipeline fails)
};

ExpiryDuration parse_expiry_duration(std::string_view text);

}  // namespace misp::mapping
