// Dotted paths behave like Elasticsearch's IngestDocument.
#include "mapping/json/path.h"

#include <gtest/gtest.h>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"

namespace misp::json {
namespace {

struct Fixture {
  Parser p;
  Doc d;
  Value root;
  explicit Fixture(std::string_view text) {
    std::string err;
    EXPECT_TRUE(p.parse(text, d, root, err)) << err;
  }
  std::string dump() {
    std::string out;
    write(root, out);
    return out;
  }
};

TEST(Path, GetWalksObjectsAndListIndexes) {
  Fixture f(R"({"a":{"b":[{"c":1},{"c":2}]},"x":"s"})");
  ASSERT_NE(get(f.root, "a.b.1.c"), nullptr);
  EXPECT_EQ(get(f.root, "a.b.1.c")->i, 2);
  EXPECT_EQ(get(f.root, "a.b.c"), nullptr) << "a name on a list is missing, not an error";
  EXPECT_EQ(get(f.root, "a.b.5"), nullptr);
  EXPECT_EQ(get(f.root, "x.y"), nullptr);
}

TEST(Path, PutCreatesParentsAndRefusesScalars) {
  Fixture f(R"({"x":"s"})");
  put(f.d, f.root, "a.b.c", Value::integer(1));
  EXPECT_EQ(f.dump(), R"({"x":"s","a":{"b":{"c":1}}})");
  EXPECT_THROW(put(f.d, f.root, "x.y", Value::integer(1)), std::invalid_argument);
  try {
    put(f.d, f.root, "x.y", Value::integer(1));
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(
        e.what(),
        "cannot set [y] with parent object of type [java.lang.String] as part of path [x.y]");
  }
}

TEST(Path, RemoveObjectMembersAndListElements) {
  Fixture f(R"({"a":{"b":1,"c":[1,2,3]}})");
  EXPECT_TRUE(remove(f.root, "a.b"));
  EXPECT_TRUE(remove(f.root, "a.c.0"));
  EXPECT_FALSE(remove(f.root, "a.zz"));
  EXPECT_EQ(f.dump(), R"({"a":{"c":[2,3]}})");
}

}  // namespace
}  // namespace misp::json
