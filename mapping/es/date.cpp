#include "mapping/es/date.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace misp::mapping::es {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Howard Hinnant's civil_from_days, 64-bit (days_from_civil is below, public).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Java's Double.parseDouble grammar (FloatingDecimal.readJavaFormatString).
std::optional<double> java_parse_double(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity")
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (!s.empty() && (s.back() == 'f' || s.back() == 'F' || s.back() == 'd' || s.back() == 'D'))
    s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  double value = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    std::string_view h = s.substr(2);
    auto p = h.find_first_of("pP");
    if (p == std::string_view::npos) return std::nullopt;  // binary exponent is mandatory
    auto r = std::from_chars(h.data(), h.data() + h.size(), value, std::chars_format::hex);
    if (r.ec != std::errc() || r.ptr != h.data() + h.size()) return std::nullopt;
  } else {
    std::size_t i = 0, mant_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++mant_digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i, ++mant_digits;
    }
    if (mant_digits == 0) return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      std::size_t exp_digits = 0;
      while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
      if (exp_digits == 0) return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    auto r = std::from_chars(s.data(), s.data() + s.size(), value);
    if (r.ec == std::errc::result_out_of_range) {
      value = std::numeric_limits<double>::infinity();  // Java saturates too
    } else if (r.ec != std::errc()) {
      return std::nullopt;
    }
  }
  return neg ? -value : value;
}

// Reads exactly n digits at s[i].
bool read_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return false;
    out = out * 10 + (s[i + k] - '0');
  }
  i += n;
  return true;
}

// Zone suffix after the time: Z, +HH, +HHMM, +HH:MM, +HH:MM:ss, UTC, GMT, UT. Region ids other
// than these need a tz database (documented as not reproduced).
std::optional<std::int64_t> parse_zone_seconds(std::string_view z) {
  if (z == "Z" || z == "UTC" || z == "GMT" || z == "UT") return 0;
  if (z.empty() || (z[0] != '+' && z[0] != '-')) return std::nullopt;
  int sign = z[0] == '-' ? -1 : 1;
  std::size_t i = 1;
  int hh = 0, mm = 0, ss = 0;
  if (!read_digits(z, i, 2, hh)) return std::nullopt;
  if (i < z.size()) {
    bool colon = z[i] == ':';
    if (colon) ++i;
    if (!read_digits(z, i, 2, mm)) return std::nullopt;
    if (i < z.size()) {
      if (colon) {
        if (z[i] != ':') return std::nullopt;
        ++i;
      }
      if (!read_digits(z, i, 2, ss)) return std::nullopt;
    }
  }
  if (i != z.size() || hh > 18 || mm > 59 || ss > 59) return std::nullopt;
  return sign * (hh * 3600 + mm * 60 + ss);
}

}  // namespace

std::int64_t java_long_cast(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return std::numeric_limits<std::int64_t>::max();
  if (d <= -9.2233720368547758e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

std::int64_t java_long_multiply(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

std::int64_t java_long_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

std::optional<std::int64_t> parse_unix(std::string_view text) {
  auto d = java_parse_double(text);
  if (!d) return std::nullopt;
  return java_long_cast(*d * 1000.0);
}

std::optional<std::int64_t> parse_unix_ms(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return std::nullopt;
  std::int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  if (s[0] == '-' && s.size() == 1) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
  std::size_t i = 0;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int64_t nanos = 0;
  if (!read_digits(s, i, 4, year)) return std::nullopt;
  std::int64_t zone = 0;
  if (i < s.size() && s[i] == '-') {
    ++i;
    if (!read_digits(s, i, 2, month)) return std::nullopt;
    if (i < s.size() && s[i] == '-') {
      ++i;
      if (!read_digits(s, i, 2, day)) return std::nullopt;
    }
  }
  if (i < s.size()) {
    if (s[i] != 'T') return std::nullopt;
    ++i;
    if (i < s.size() && is_digit(s[i])) {
      if (!read_digits(s, i, 2, hour)) return std::nullopt;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!read_digits(s, i, 2, minute)) return std::nullopt;
        if (i < s.size() && s[i] == ':') {
          ++i;
          if (!read_digits(s, i, 2, second)) return std::nullopt;
          if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            std::size_t n = 0;
            while (i < s.size() && is_digit(s[i]) && n < 10) {
              if (n < 9) nanos = nanos * 10 + (s[i] - '0');
              ++i, ++n;
            }
            if (n == 0 || n > 9) return std::nullopt;
            for (std::size_t k = n; k < 9; ++k) nanos *= 10;
          }
        }
      }
    }
    if (i < s.size()) {
      auto z = parse_zone_seconds(s.substr(i));
      if (!z) return std::nullopt;
      zone = *z;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > static_cast<int>(days_in_month(year, month)) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - zone;
  return secs * 1000 + nanos / 1'000'000;
}

std::optional<std::int64_t> parse_date(std::string_view text,
                                       std::initializer_list<DateFormat> formats) {
  for (auto f : formats) {
    std::optional<std::int64_t> r;
    switch (f) {
      case DateFormat::kUnix:
        r = parse_unix(text);
        break;
      case DateFormat::kUnixMs:
        r = parse_unix_ms(text);
        break;
      case DateFormat::kIso8601:
        r = parse_iso8601(text);
        break;
    }
    if (r) return r;
  }
  return std::nullopt;
}

std::string format_millis(std::int64_t ms) {
  std::int64_t days = ms / kMsPerDay, rem = ms % kMsPerDay;
  if (rem < 0) rem += kMsPerDay, --days;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) {  // rare: java.time's sign and width rules
    char buf[64];
    auto secs = rem / 1000;
    std::snprintf(buf, sizeof buf, "%s%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", y > 9999 ? "+" : "",
                  static_cast<long long>(y), m, d, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                  static_cast<int>(rem % 1000));
    return buf;
  }
  char b[25] = "0000-00-00T00:00:00.000Z";
  auto put = [&](int at, unsigned v, int width) {
    for (int k = width - 1; k >= 0; --k, v /= 10) b[at + k] = static_cast<char>('0' + v % 10);
  };
  auto secs = static_cast<unsigned>(rem / 1000);
  put(0, static_cast<unsigned>(y), 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, secs / 3600, 2);
  put(14, secs / 60 % 60, 2);
  put(17, secs % 60, 2);
  put(20, static_cast<unsigned>(rem % 1000), 3);
  return std::string(b, 24);
}

// Howard Hinnant's days_from_civil, 64-bit.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace misp::mapping::es
