// The Elasticsearch `date` processor for the formats the MISP pipelines use: UNIX, UNIX_MS and
// ISO8601, timezone UTC, output format yyyy-MM-dd'T'HH:mm:ss.SSSXXX.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace misp::mapping::es {

enum class DateFormat { kUnix, kUnixMs, kIso8601 };

// Epoch milliseconds, or nullopt when text does not parse in that format.
std::optional<std::int64_t> parse_unix(std::string_view text);     // Double.parseDouble * 1000
std::optional<std::int64_t> parse_unix_ms(std::string_view text);  // Long.parseLong
std::optional<std::int64_t> parse_iso8601(std::string_view text);

// Tries formats in order, like the processor. nullopt means "unable to parse date [text]".
std::optional<std::int64_t> parse_date(std::string_view text,
                                       std::initializer_list<DateFormat> formats);

// Java long arithmetic, which painless scripts use: the (long) cast of a double truncates, maps
// NaN to 0 and saturates at the long range; * and + wrap around (two's complement), never UB.
std::int64_t java_long_cast(double d);
std::int64_t java_long_multiply(std::int64_t a, std::int64_t b);
std::int64_t java_long_add(std::int64_t a, std::int64_t b);

// 2021-05-21T10:22:12.000Z; years past 9999 get a '+' as java.time prints them.
std::string format_millis(std::int64_t epoch_ms);

// Days since 1970-01-01 of a proleptic Gregorian date (m 1-12, d 1-31).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

}  // namespace misp::mapping::es
