#include "mapping/expiry.h"

#include "mapping/es/convert.h"
#include "mapping/es/date.h"

namespace misp::mapping {

ExpiryDuration parse_expiry_duration(std::string_view text) {
  constexpr std::int64_t kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;
  ExpiryDuration out;
  if (text.empty()) {
    out.valid_number = false;
    return out;
  }
  char unit = text.back();
  std::int64_t per = unit == 'd' ? kDay : unit == 'h' ? kHour : unit == 'm' ? kMinute : 0;
  if (per == 0) {
    out.fell_back = true;
    out.millis = 90 * kDay;
    return out;
  }
  std::string_view number = text.substr(0, text.size() - 1);
  auto n = es::to_long(number);
  if (!n || number.starts_with("0x") || number.starts_with("-0x")) {
    out.valid_number = false;
    return out;
  }
  out.millis = es::java_long_multiply(*n, per);  // the script's long arithmetic: wraps
  return out;
}

}  // namespace misp::mapping
