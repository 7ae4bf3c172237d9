// JSON output: standard compact form for documents; Go's encoding/json form for httpjson messages.
#include "mapping/json/write.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

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

// One byte at a time, the rules write() follows (control bytes as \u00XX except the short
// forms, '"' and '\\' escaped, everything else as it is): the reference for the block paths.
std::string escaped_slowly(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Short strings are read 16 bytes at a time, past their end, but never across a page: strings
// that end right before an unreadable page are written correctly and nothing faults.
TEST(Write, StringsEndingAtAnUnreadablePage) {
  const long page = sysconf(_SC_PAGESIZE);
  auto* base = static_cast<char*>(
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(base, MAP_FAILED);
  ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
  char* end = base + page;
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t special = 0; special <= len; ++special) {  // len: no special byte
      for (char c : {'"', '\x01', '\n', '\\'}) {
        char* s = end - len;
        std::memset(s, 'a', len);
        if (special < len) s[special] = c;
        std::string_view text(s, len);
        std::string out;
        write_string(text, out);
        ASSERT_EQ(out, escaped_slowly(text)) << "length " << len << ", special at " << special;
      }
    }
  }
  // And strings with a quote as their last byte, starting anywhere in the page's last 40 bytes.
  std::memset(base, 'b', page);
  for (std::size_t len = 1; len <= 20; ++len) {
    for (std::size_t start = page - 40; start + len <= static_cast<std::size_t>(page); ++start) {
      base[start + len - 1] = '"';
      std::string_view text(base + start, len);
      std::string out;
      write_string(text, out);
      ASSERT_EQ(out, escaped_slowly(text)) << "length " << len << ", start " << start;
      base[start + len - 1] = 'b';
    }
  }
  munmap(base, 2 * page);
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
