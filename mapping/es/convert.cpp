#include "mapping/es/convert.h"

#include <charconv>
#include <limits>

namespace misp::mapping::es {

namespace {

std::optional<std::int64_t> parse_radix(std::string_view s, bool negative, int base) {
  if (s.empty() || s[0] == '+' || s[0] == '-') return std::nullopt;
  std::uint64_t mag = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), mag, base);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (mag > kMax + 1) return std::nullopt;
    return mag == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                           : -static_cast<std::int64_t>(mag);
  }
  if (mag > kMax) return std::nullopt;
  return static_cast<std::int64_t>(mag);
}

}  // namespace

std::optional<std::int64_t> to_long(std::string_view s) {
  if (s.starts_with("0x")) return parse_radix(s.substr(2), false, 16);
  if (s.starts_with("-0x")) return parse_radix(s.substr(3), true, 16);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  return parse_radix(s, negative, 10);
}

}  // namespace misp::mapping::es
