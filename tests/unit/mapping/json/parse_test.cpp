// json::Parser reads exactly what simdjson's DOM reads (the tree it used to copy), refuses what it
// refuses, and keeps its strings valid until the next parse.
#include "mapping/json/parse.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/support/dom_oracle.h"
#include "tests/support/vectors.h"

namespace misp::json {
namespace {

// Same verdict as the DOM; when both accept, the same tree (types and bits included).
void expect_like_dom(std::string_view text, const std::string& where) {
  Parser parser;
  Doc doc;
  Value v;
  std::string error, ours, theirs;
  bool ok = parser.parse(text, doc, v, error);
  bool dom_ok = test::dom_typed(text, theirs);
  ASSERT_EQ(ok, dom_ok) << where << ": " << (ok ? "accepted" : error) << " | "
                        << text.substr(0, 200);
  if (!ok) return;
  test::typed(v, ours);
  EXPECT_EQ(ours, theirs) << where;
}

TEST(Parse, EdgeCasesReadAsTheDomReadsThem) {
  for (const auto& c : test::json_edge_cases()) expect_like_dom(c, "case " + c.substr(0, 80));
}

TEST(Parse, EveryVectorReadsAsTheDomReadsIt) {
  namespace fs = std::filesystem;
  std::size_t files = 0, documents = 0;
  for (const char* dir : {MISP_SHARED_DIR "/vectors", MISP_SOURCE_DIR "/tests/conformance",
                          MISP_SOURCE_DIR "/tests/fuzz/seeds"}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::string text = test::read_file(entry.path().string());
      ++files;
      expect_like_dom(text, entry.path().string());  // the whole file, valid JSON or not
      ++documents;
      if (entry.path().extension() == ".ndjson") {
        std::istringstream lines(text);
        std::string line;
        for (int n = 1; std::getline(lines, line); ++n, ++documents)
          expect_like_dom(line, entry.path().string() + ":" + std::to_string(n));
      }
    }
  }
  EXPECT_GT(files, 20u);
  EXPECT_GT(documents, 50u);
}

TEST(Parse, StringsStayValidUntilTheNextParse) {
  Parser parser;
  Doc doc;
  Value v;
  std::string error;
  std::string text = R"({"plain":"abc","escaped":"a\nb"})";
  ASSERT_TRUE(parser.parse(text, doc, v, error)) << error;
  text.assign(text.size(), 'x');  // the caller's buffer may go: the tree does not point into it
  std::string typed;
  test::typed(v, typed);
  EXPECT_EQ(typed, "{s5:plain=s3:abc,s7:escaped=s3:a\nb,}");
}

}  // namespace
}  // namespace misp::json
