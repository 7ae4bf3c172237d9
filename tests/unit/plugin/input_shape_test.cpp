// What map() reads, recognised by shape: each shape gives its split documents with positions, and
// each unreadable position an error with its code, while the rest is still read.
#include "plugin/input_shape.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace misp::plugin {
namespace {

using mapping::Dataset;

struct Read {
  std::vector<std::string> where;
  std::vector<Error> errors;
  bool complete = true;
};

Read read(const std::string& text, Dataset d, std::size_t stop_after = 0) {
  Read r;
  r.complete = read_input(
      text, "in.json", d, SplitMode::kPerIndicator,
      [&](std::string_view, const std::string& where) {
        r.where.push_back(where);
        return stop_after == 0 || r.where.size() < stop_after;
      },
      [&](const Error& e) { r.errors.push_back(e); });
  return r;
}

const std::string kEvent =
    R"({"Event":{"id":"1","uuid":"e","info":"x","Attribute":[{"type":"ip-src","value":"192.0.2.1"},)"
    R"({"type":"domain","value":"example.org"}]}})";

TEST(InputShape, EventExportSplitsWithPositions) {
  Read r = read(kEvent, Dataset::kThreat);
  EXPECT_EQ(r.where, (std::vector<std::string>{"in.json: document 1", "in.json: document 2"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST(InputShape, NdjsonLinesWithBadOnesReported) {
  Read r = read(R"({"Event":{"info":"x","Attribute":{"type":"ip-src","value":"1"}}})"
                "\n{\"Event\": {\n{\"hello\":1}\n",
                Dataset::kThreat);
  EXPECT_EQ(r.where, std::vector<std::string>{"in.json:1"});
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].code, Errc::kInputNotJson);
  EXPECT_EQ(r.errors[0].where, "in.json:2");
  EXPECT_EQ(r.errors[1].code, Errc::kInputShape);
  EXPECT_EQ(r.errors[1].text(),
            "in.json:3: not a MISP event, events response or split event document");
}

TEST(InputShape, OtherDataSetsResponseNamesTheFlag) {
  Read r = read(R"({"response":{"Attribute":[]}})", Dataset::kThreat);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "this is an /attributes/restSearch response; map it with --dataset threat_attributes");
  Read a = read(R"({"response":{"Attribute":[{"type":"ip-src","value":"1"}]}})",
                Dataset::kThreatAttributes);
  EXPECT_EQ(a.where, std::vector<std::string>{"in.json: document 1"});
}

TEST(InputShape, StopsWhenTheHostRefuses) {
  Read r = read(kEvent, Dataset::kThreat, 1);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.where.size(), 1u);
}

}  // namespace
}  // namespace misp::plugin
