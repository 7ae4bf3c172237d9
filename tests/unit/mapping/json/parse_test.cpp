// json::Parser reads exactly what simdjson's DOM reads (the tree it used to copy), refuses what it
// refuses, and keeps its strings valid until the next parse.
#include "mapping/json/parse.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/dom_oracle.h"

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

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Parse, EdgeCasesReadAsTheDomReadsThem) {
  const char* cases[] = {
      "{}",
      "[]",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "-0.0",
      "1e400",
      "-1e400",
      "1E-400",
      "123456789012345678901234567890",
      "18446744073709551615",
      "18446744073709551616",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "0.1",
      "1.7976931348623157e308",
      "4.9e-324",
      "01",
      "1.",
      ".5",
      "+1",
      "1e",
      "\"\"",
      "\"a\\\"b\"",
      "\"\\u00e9\\ud83d\\ude00\"",
      "\"\\ud800\"",
      "\"\\udc00\\ud800\"",
      "\"\\q\"",
      "\"\\u12\"",
      "\"a\x01\"",
      "\"a\x7f\"",
      "\"\xc3\xa9\"",
      "\"\xff\"",
      "\"\xed\xa0\x80\"",
      "{\"k\\u0041\":1}",
      "{\"a\":1,\"a\":2}",
      "{\"a\":1,}",
      "[1,]",
      "[1 2]",
      "{\"a\" 1}",
      "{1:2}",
      "[1] 2",
      "[1]   \n",
      "  {\"a\":[]}  ",
      "",
      "   ",
      "[",
      "]",
      "{\"a\":tru}",
      "[nul]",
      "[truex]",
      "[nullx]",
      "[\"a\"\"b\"]",
      "[[[[[[[[[[]]]]]]]]]]",
      "{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}",
      "\"abc",
      "[\"\t\"]",
      "[1.0e+2, -1.5E-3, 1e22, 1e21]",
      "[\"a\\/b\", \"\\b\\f\\n\\r\\t\"]",
  };
  for (const char* c : cases) expect_like_dom(c, std::string("case ") + c);
  expect_like_dom(std::string_view("[\"a\0b\"]", 7), "NUL in a string");
  for (std::size_t depth : {1023, 1024, 1025, 2000, 1000000})
    expect_like_dom(std::string(depth, '[') + std::string(depth, ']'),
                    "lists " + std::to_string(depth) + " deep");
  std::string objects;
  for (int i = 0; i < 1025; ++i) objects += "{\"a\":";
  expect_like_dom(objects + "1" + std::string(1025, '}'), "objects 1025 deep");
}

TEST(Parse, EveryVectorReadsAsTheDomReadsIt) {
  namespace fs = std::filesystem;
  std::size_t files = 0, documents = 0;
  for (const char* dir : {MISP_SHARED_DIR "/vectors", MISP_SOURCE_DIR "/tests/conformance",
                          MISP_SOURCE_DIR "/tests/fuzz/seeds"}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::string text = read_file(entry.path());
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
