// JSON output: standard compact form for documents; Go's encoding/json form for httpjson messages.
#include "mapping/json/write.h"

#include <gtest/gtest.h>

#include "mapping/json/parse.h"

namespace misp::json {
namespace {

std::string roundtrip(std::string_view in, bool go) {
  Parser p;
  Doc d;
  Value v;
  std::string err, out;
  EXPECT_TRUE(p.parse(in, d, v, err)) << err;
  if (go)
    write_go(v, out);
  else
    write(v, out);
  return out;
}

TEST(Write, CompactKeepsOrderAndEscapes) {
  EXPECT_EQ(roundtrip(R"({ "b" : 1, "a" : [true, null, "x\"\\\n\u0001"] , "c": -2.5 })", false),
            R"({"b":1,"a":[true,null,"x\"\\\n\u0001"],"c":-2.5})");
  EXPECT_EQ(roundtrip("[1.0, 1e2, 18446744073709551615]", false),
            "[1.0,100.0,18446744073709551615]");
}

TEST(Write, GoSortsKeysAndEscapesHtml) {
  EXPECT_EQ(roundtrip(R"({"b":"<a&b>","a":{"z":1,"y":2}})", true),
            R"({"a":{"y":2,"z":1},"b":"\u003ca\u0026b\u003e"})");
  EXPECT_EQ(roundtrip("\"\xe2\x80\xa8\"", true), R"("\u2028")");
}

TEST(Write, GoNumbersAreFloat64) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {{"1", "1"},
               {"1.0", "1"},
               {"10.5", "10.5"},
               {"-0.25", "-0.25"},
               {"1e21", "1e+21"},
               {"1e20", "100000000000000000000"},
               {"0.000001", "0.000001"},
               {"0.0000001", "1e-7"},
               {"12345678901234567890", "12345678901234567000"},
               {"1617875568", "1617875568"}};
  for (const auto& c : cases) EXPECT_EQ(roundtrip(c.in, true), c.out) << c.in;
}

// A split document that is already in Go's form comes back byte for byte (the seed's message).
TEST(Write, GoFormIsAFixedPoint) {
  const char* msg =
      R"({"Event":{"Attribute":{"Galaxy":[],"category":"Payload delivery","first_seen":null,"timestamp":"1621589229","to_ids":false},"Object":[],"uuid":"4edb20c7"}})";
  EXPECT_EQ(roundtrip(msg, true), msg);
}

}  // namespace
}  // namespace misp::json
