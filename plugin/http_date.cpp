#include "plugin/http_date.h"

#include <array>
#include <charconv>

#include "mapping/es/date.h"

namespace misp::plugin {

namespace {

std::optional<unsigned> month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (name == kMonths[i]) return i + 1;
  return std::nullopt;
}

// Reads exactly `digits` decimal digits (or, with digits == 0, one or more).
bool number(std::string_view& s, int digits, int& out) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || (digits > 0 && n != static_cast<std::size_t>(digits)) || n > 9) return false;
  std::from_chars(s.data(), s.data() + n, out);
  s.remove_prefix(n);
  return true;
}

bool literal(std::string_view& s, std::string_view lit) {
  if (!s.starts_with(lit)) return false;
  s.remove_prefix(lit.size());
  return true;
}

// "HH:MM:SS"
bool clock(std::string_view& s, int& h, int& m, int& sec) {
  return number(s, 2, h) && literal(s, ":") && number(s, 2, m) && literal(s, ":") &&
         number(s, 2, sec) && h < 24 && m < 60 && sec < 61;
}

std::optional<std::int64_t> assemble(int year, std::optional<unsigned> month, int day, int h, int m,
                                     int sec) {
  if (!month || day < 1 || day > 31) return std::nullopt;
  return mapping::es::days_from_civil(year, *month, static_cast<unsigned>(day)) * 86400 + h * 3600 +
         m * 60 + sec;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto comma = s.find(',');
  int day = 0, year = 0, h = 0, m = 0, sec = 0;
  if (comma == 3) {  // IMF-fixdate
    s.remove_prefix(4);
    if (!literal(s, " ") || !number(s, 2, day) || !literal(s, " ")) return std::nullopt;
    auto month = month_of(s.substr(0, 3));
    s.remove_prefix(std::min<std::size_t>(3, s.size()));
    if (!literal(s, " ") || !number(s, 4, year) || !literal(s, " ") || !clock(s, h, m, sec) ||
        s != " GMT")
      return std::nullopt;
    return assemble(year, month, day, h, m, sec);
  }
  if (comma != std::string_view::npos) {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    s.remove_prefix(comma + 1);
    if (!literal(s, " ") || !number(s, 2, day) || !literal(s, "-")) return std::nullopt;
    auto month = month_of(s.substr(0, 3));
    s.remove_prefix(std::min<std::size_t>(3, s.size()));
    if (!literal(s, "-") || !number(s, 2, year) || !literal(s, " ") || !clock(s, h, m, sec) ||
        s != " GMT")
      return std::nullopt;
    year += year < 70 ? 2000 : 1900;  // RFC 9110: a two-digit year more than 50 years ahead is past
    return assemble(year, month, day, h, m, sec);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (s.size() < 24 || s[3] != ' ') return std::nullopt;
  s.remove_prefix(4);
  auto month = month_of(s.substr(0, 3));
  s.remove_prefix(3);
  if (!literal(s, " ")) return std::nullopt;
  if (literal(s, " ")) {
    if (!number(s, 1, day)) return std::nullopt;
  } else if (!number(s, 2, day)) {
    return std::nullopt;
  }
  if (!literal(s, " ") || !clock(s, h, m, sec) || !literal(s, " ") || !number(s, 4, year) ||
      !s.empty())
    return std::nullopt;
  return assemble(year, month, day, h, m, sec);
}

}  // namespace misp::plugin
