// uri_parts reproduces java.net.URI / java.net.URL as Elasticsearch uses them (section 2).
#include "mapping/es/uri_parts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/vectors.h"

namespace misp::mapping::es {
namespace {

nlohmann::json to_json(const UriParts& p) {
  nlohmann::json j = nlohmann::json::object();
  auto put = [&](const char* k, const std::optional<std::string>& v) {
    if (v) j[k] = *v;
  };
  put("domain", p.domain);
  put("extension", p.extension);
  put("fragment", p.fragment);
  put("password", p.password);
  put("path", p.path);
  if (p.port) j["port"] = *p.port;
  put("query", p.query);
  put("scheme", p.scheme);
  put("user_info", p.user_info);
  put("username", p.username);
  return j;
}

TEST(UriParts, ReferenceVectors) {
  int checked = 0;
  for (auto v : misp::test::reference_json_lines("es-processors.md", "{\"input\"")) {
    auto& out = v["output"];
    bool is_uri =
        out.is_object() &&
        (out.contains("_via") || (out.contains("error") && out["error"].get<std::string>().rfind(
                                                               "unable to parse URI", 0) == 0));
    if (!is_uri) continue;
    std::string input = v["input"];
    SCOPED_TRACE(input);
    auto parts = parse_uri_parts(input);
    if (out.contains("error")) {
      EXPECT_FALSE(parts.has_value()) << to_json(*parts).dump();
    } else {
      out.erase("_via");
      ASSERT_TRUE(parts.has_value());
      EXPECT_EQ(to_json(*parts), out);
    }
    ++checked;
  }
  EXPECT_GE(checked, 100);
}

}  // namespace
}  // namespace misp::mapping::es
