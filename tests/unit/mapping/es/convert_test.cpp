// The convert processor (type long) reproduces Elasticsearch on section 4's vectors.
#include "mapping/es/convert.h"

#include <gtest/gtest.h>

#include "tests/support/vectors.h"

namespace misp::mapping::es {
namespace {

TEST(ConvertLong, ReferenceVectors) {
  int checked = 0, unicode = 0;
  for (const auto& v : misp::test::reference_json_lines("es-processors.md", "{\"input\"")) {
    const auto& out = v["output"];
    bool is_convert =
        out.is_number() || (out.is_object() && out.contains("error") &&
                            out["error"].get<std::string>().find("to long") != std::string::npos);
    if (!is_convert) continue;  // the uri_parts vectors share the prefix
    std::string input = v["input"];
    SCOPED_TRACE(input);
    if (static_cast<unsigned char>(input[0]) >= 0x80) {
      // Java accepts non-ASCII Unicode digits (Arabic-Indic); we do not (docs/divergences.md).
      ++unicode;
      EXPECT_FALSE(to_long(input).has_value());
      continue;
    }
    if (out.is_number())
      EXPECT_EQ(to_long(input), out.get<std::int64_t>());
    else
      EXPECT_FALSE(to_long(input).has_value());
    ++checked;
  }
  EXPECT_EQ(checked, 24);
  EXPECT_EQ(unicode, 1);
}

}  // namespace
}  // namespace misp::mapping::es
