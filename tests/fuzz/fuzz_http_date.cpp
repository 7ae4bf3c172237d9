// libFuzzer: MISP's Date header through parse_http_date (the three RFC 9110 forms). Anything else
// is nullopt; a date it accepts lies between year 0 and year 9999.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugin/http_date.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto t =
      misp::plugin::parse_http_date(std::string_view(reinterpret_cast<const char*>(data), size));
  constexpr std::int64_t kYear0 = -62'167'219'200, kYear10000 = 253'402'300'800;
  if (t && (*t < kYear0 || *t >= kYear10000)) __builtin_trap();
  return 0;
}
