// json_text::validate() takes exactly what simdjson's DOM takes (the parse json::Parser makes), on
// the edge cases of JSON's grammar, so a body checked in place is refused where a tree of it
// could not be built, and only there.
#include "plugin/json_text.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/dom_oracle.h"

namespace misp::plugin {
namespace {

bool valid_in_place(std::string text) {
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (json_text::iterate(parser, text.data(), text.size(), text.capacity()).get(doc)) return false;
  return json_text::validate(doc) == simdjson::SUCCESS;
}

TEST(JsonText, ValidatesAsTheDomParses) {
  std::vector<std::string> cases = {
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
      "-9223372036854775809",
      "0.1",
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
      "\"abc",
      "[\"\t\"]",
      "{\"a\\q\":1}",
      "{\"a\":{\"b\":[1,{\"c\":null}]}}",
      "[1.0e+2, -1.5E-3, 1e22]",
      "{\"response\":[{\"Event\":{\"Attribute\":[{\"v\":1}]}}]} x",
      std::string("[\"a\0b\"]", 7),
  };
  for (std::size_t depth : {1022, 1023, 1024, 1025, 100000}) {
    cases.push_back(std::string(depth, '[') + std::string(depth, ']'));
    cases.push_back(std::string(depth, '[') + "1" + std::string(depth, ']'));
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    cases.push_back(objects + "{}" + std::string(depth, '}'));
    cases.push_back(objects + "[1]" + std::string(depth, '}'));
  }
  for (const auto& c : cases) {
    std::string ignored;
    EXPECT_EQ(valid_in_place(c), test::dom_typed(c, ignored)) << c.substr(0, 80);
  }
}

}  // namespace
}  // namespace misp::plugin
