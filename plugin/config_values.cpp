// Typed values parsed at load: Go-style durations, and URLs (common/url.h) with errors naming
// the key.
#include <cctype>
#include <charconv>

#include "plugin/config.h"

namespace misp::plugin {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double total_ms = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double v = 0;
    auto r = std::from_chars(s.data() + start, s.data() + i, v);
    if (r.ptr != s.data() + i) return std::nullopt;
    if (r.ec == std::errc::result_out_of_range) v = 0x1p53;  // too large, decided below
    std::size_t u = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(u, i - u);
    double per = unit == "h"    ? 3.6e6
                 : unit == "m"  ? 6e4
                 : unit == "s"  ? 1e3
                 : unit == "ms" ? 1
                                : -1;
    if (per < 0) return std::nullopt;
    total_ms += v * per;
  }
  // Past the millisecond range (or a double's exact integers) a duration is only "too large".
  if (total_ms >= 0x1p53) return std::chrono::milliseconds::max();
  return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
}

Result<Url> parse_url(std::string_view text, std::string_view key) {
  auto u = parse_http_url(text);
  if (!u) return Error{Errc::kConfigValue, std::string(key), u.error()};
  return u.value();
}

}  // namespace misp::plugin
