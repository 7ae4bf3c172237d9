// The date processor reproduces Elasticsearch on every UTC vector of es-processors.md section 3.
#include "mapping/es/date.h"

#include <gtest/gtest.h>

#include "mapping/es/java_text.h"
#include "tests/support/vectors.h"

namespace misp::mapping::es {
namespace {

using misp::test::reference_json_lines;

// Named time zones need a tz database that libstdc++ 12 does not ship; MISP sends offsets.
bool uses_region_zone(const std::string& input) {
  return input.find('/') != std::string::npos && input.find('T') != std::string::npos;
}

TEST(Date, ReferenceVectorsInUtc) {
  int checked = 0, region = 0;
  for (const auto& v : reference_json_lines("es-processors.md", "{\"format\"")) {
    if (v["timezone"] != "UTC(default)") continue;
    std::string input = v["input"], format = v["format"];
    SCOPED_TRACE(format + " " + input);
    if (format == "ISO8601" && uses_region_zone(input) && v["output"].is_string()) {
      ++region;
      EXPECT_FALSE(parse_iso8601(input).has_value())
          << "region zones are documented as unsupported";
      continue;
    }
    std::optional<std::int64_t> ms = format == "UNIX"      ? parse_unix(input)
                                     : format == "UNIX_MS" ? parse_unix_ms(input)
                                                           : parse_iso8601(input);
    if (v["output"].is_string()) {
      ASSERT_TRUE(ms.has_value());
      EXPECT_EQ(format_millis(*ms), v["output"].get<std::string>());
    } else {
      EXPECT_FALSE(ms.has_value()) << "expected: " << v["output"]["error"];
    }
    ++checked;
  }
  EXPECT_GE(checked, 60);
  EXPECT_EQ(region, 1);  // 2019-06-13T13:56:56Europe/Paris, listed in docs/divergences.md
}

TEST(Date, JsonNumbersGoThroughJavaDoubleToString) {
  int checked = 0;
  for (const auto& v : reference_json_lines("es-processors.md", "{\"json_number\"")) {
    double d = std::stod(v["json_number"].get<std::string>());
    std::string text = java_double_to_string(d);
    EXPECT_EQ(text, v["java_toString"].get<std::string>());
    auto ms = parse_unix(text);
    ASSERT_TRUE(ms.has_value()) << text;
    EXPECT_EQ(format_millis(*ms), v["UNIX"].get<std::string>());
    EXPECT_FALSE(parse_unix_ms(text).has_value());
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(Date, MispTimestampShapes) {
  struct Case {
    const char* input;
    std::initializer_list<DateFormat> formats;
    const char* output;
  } cases[] = {
      {"1621592532", {DateFormat::kUnix}, "2021-05-21T10:22:12.000Z"},
      {"0", {DateFormat::kUnix}, "1970-01-01T00:00:00.000Z"},
      {"1581984000000", {DateFormat::kUnixMs, DateFormat::kIso8601}, "2020-02-18T00:00:00.000Z"},
      {"2019-06-13T13:56:56.856074+00:00",
       {DateFormat::kUnixMs, DateFormat::kIso8601},
       "2019-06-13T13:56:56.856Z"},
  };
  for (const auto& c : cases) {
    auto ms = parse_date(c.input, c.formats);
    ASSERT_TRUE(ms) << c.input;
    EXPECT_EQ(format_millis(*ms), c.output);
  }
  EXPECT_FALSE(parse_date("yesterday", {DateFormat::kUnixMs, DateFormat::kIso8601}));
}

}  // namespace
}  // namespace misp::mapping::es
