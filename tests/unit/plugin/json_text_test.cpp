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
  if (json_text::iterate(parser,
                         simdjson::padded_string_view(text.data(), text.size(), text.capacity()))
          .get(doc))
    return false;
  return json_text::validate(doc) == simdjson::SUCCESS;
}

TEST(JsonText, ValidatesAsTheDomParses) {
  for (const auto& c : test::json_edge_cases()) {
    std::string ignored;
    EXPECT_EQ(valid_in_place(c), test::dom_typed(c, ignored)) << c.substr(0, 80);
  }
}

}  // namespace
}  // namespace misp::plugin
