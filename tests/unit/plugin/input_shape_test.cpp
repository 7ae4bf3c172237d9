// What map() reads, recognised by shape: each shape gives its split documents with positions, and
// each unreadable position an error with its code, while the rest is still read.
#include "plugin/input_shape.h"

#include <gtest/gtest.h>

#include <algorithm>
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
      [&](const Message&, const std::string& where) {
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

// Rows that are not objects are each an error at their JSON pointer; the object rows still map.
TEST(InputShape, Issue10_NonObjectRowsAreErrors) {
  Read a = read(R"({"response":{"Attribute":[1,null,"x",{"type":"ip-src","value":"1"}]}})",
                Dataset::kThreatAttributes);
  EXPECT_EQ(a.where, std::vector<std::string>{"in.json: document 1"});
  std::vector<std::string> texts;
  for (const auto& e : a.errors) texts.push_back(e.text());
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "in.json: /response/Attribute/0: an attribute row must be an object, got a number",
                "in.json: /response/Attribute/1: an attribute row must be an object, got null",
                "in.json: /response/Attribute/2: an attribute row must be an object, got a string",
            }));
  Read e = read(R"({"response":[true,)" + kEvent + "]}", Dataset::kThreat);
  EXPECT_EQ(e.where.size(), 2u);
  ASSERT_EQ(e.errors.size(), 1u);
  EXPECT_EQ(e.errors[0].text(),
            "in.json: /response/0: an event row must be an object, got a boolean");
}

// A response whose list is not a list, and an empty input, are errors, not zero documents.
TEST(InputShape, Issue10_WrongShapesAndEmptyInputAreErrors) {
  struct Case {
    std::string input;
    Dataset dataset;
    std::string error;
  } cases[] = {
      {R"({"response":{"Attribute":"x"}})", Dataset::kThreatAttributes,
       "in.json: /response/Attribute: must be a list of attributes, got a string"},
      {R"({"response":{}})", Dataset::kThreatAttributes,
       "in.json: /response/Attribute: missing; want a list of attributes"},
      {R"({"response":"x"})", Dataset::kThreatAttributes,
       "in.json: /response: must be an object with an Attribute list, got a string"},
      {R"({"response":{"Event":1}})", Dataset::kThreat,
       "in.json: this is an /attributes/restSearch response; map it with --dataset "
       "threat_attributes"},
      {R"({"response":"x"})", Dataset::kThreat,
       "in.json: /response: must be a list of events, got a string"},
      {"", Dataset::kThreat, "in.json: empty input: want MISP JSON or NDJSON"},
      {" \n\n", Dataset::kThreatAttributes, "in.json: empty input: want MISP JSON or NDJSON"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    Read r = read(c.input, c.dataset);
    EXPECT_TRUE(r.where.empty());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].text(), c.error);
  }
}

// A pretty-printed document cut short is one error saying where it broke, and none of its lines
// (some of which are JSON of their own) is taken for a document.
TEST(InputShape, Issue10_TruncatedPrettyDocumentIsOneError) {
  const std::string pretty =
      "{\n  \"response\": [\n    {\"Event\": {\"info\": \"x\", \"Attribute\": [\n"
      "      {\"type\": \"ip-src\", \"value\": \"192.0.2.1\"},\n"
      "      {\"type\": \"domain\", \"value\": \"exa";
  Read r = read(pretty, Dataset::kThreat);
  EXPECT_TRUE(r.where.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, Errc::kInputNotJson);
  EXPECT_EQ(r.errors[0].where, "in.json");
  EXPECT_NE(r.errors[0].message.find("the input ends at line 5, column 38 inside a string "
                                     "opened at line 5, column 35"),
            std::string::npos)
      << r.errors[0].message;
  Read cut = read(pretty.substr(0, pretty.rfind('\n')), Dataset::kThreat);
  ASSERT_EQ(cut.errors.size(), 1u);
  EXPECT_NE(cut.errors[0].message.find("with 5 unclosed object(s) or list(s), the innermost "
                                       "opened at line 3, column 42 (cut short?)"),
            std::string::npos)
      << cut.errors[0].message;
  EXPECT_TRUE(cut.where.empty());
}

TEST(InputShape, StopsWhenTheHostRefuses) {
  Read r = read(kEvent, Dataset::kThreat, 1);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.where.size(), 1u);
}

// What read_input_stream() makes of text handed over `piece` bytes at a time.
struct Streamed {
  std::vector<std::string> messages, where, errors;
  bool complete = true;
};

// Runs `read` (read_input or read_input_stream, bound to its input) and records what it reports.
template <typename Read>
Streamed record(const Read& read) {
  Streamed r;
  r.complete = read(
      [&](const Message& m, const std::string& where) {
        std::string buf;
        r.messages.emplace_back(text_of(m, buf)), r.where.push_back(where);
        return true;
      },
      [&](const Error& e) { r.errors.push_back(e.text()); });
  return r;
}

Streamed stream(const std::string& text, Dataset d, std::size_t piece, bool fail_at_end = false) {
  std::size_t pos = 0;
  Reader reader = [&](char* buf, std::size_t cap) -> std::int64_t {
    std::size_t n = std::min({cap, piece, text.size() - pos});
    if (n == 0) return fail_at_end ? -1 : 0;
    std::copy_n(text.data() + pos, n, buf);
    pos += n;
    return static_cast<std::int64_t>(n);
  };
  return record([&](const OnMessage& on_message, const OnInputError& on_error) {
    return read_input_stream(reader, "in.json", d, SplitMode::kPerIndicator, on_message, on_error);
  });
}

Streamed whole(const std::string& text, Dataset d) {
  return record([&](const OnMessage& on_message, const OnInputError& on_error) {
    return read_input(text, "in.json", d, SplitMode::kPerIndicator, on_message, on_error);
  });
}

// Issue 12: map_stream reads in pieces; whatever the pieces, it tells shapes, positions and
// errors exactly as map() does with the whole input.
TEST(InputShape, StreamedInPiecesReadsAsWhole) {
  const std::string attribute = R"({"type":"ip-src","value":"192.0.2.1","uuid":"u"})";
  const std::vector<std::pair<std::string, Dataset>> inputs = {
      {kEvent, Dataset::kThreat},
      {"  \n" + kEvent + "\n\n", Dataset::kThreat},
      {R"({"Event":{"info":"x","Attribute":{"type":"ip-src","value":"1"}}})"
       "\n{\"Event\": {\n{\"hello\":1}\n",
       Dataset::kThreat},
      {attribute + "\n" + attribute + "\r\n\n  \n" + attribute, Dataset::kThreatAttributes},
      {attribute + "\nnot json\n" + attribute + "\n", Dataset::kThreatAttributes},
      {"[\n1\n]\n", Dataset::kThreatAttributes},  // only the 2nd line parses: one document
      {"{\n  \"Event\": {\n    \"info\": \"cut\",\n", Dataset::kThreat},
      {"", Dataset::kThreat},
      {"\n\n", Dataset::kThreatAttributes},
  };
  for (const auto& [text, d] : inputs) {
    Streamed want = whole(text, d);
    for (std::size_t piece : {1u, 2u, 3u, 7u, 64u, 1u << 20}) {
      Streamed got = stream(text, d, piece);
      SCOPED_TRACE("input <" + text + "> in pieces of " + std::to_string(piece));
      EXPECT_EQ(got.messages, want.messages);
      EXPECT_EQ(got.where, want.where);
      EXPECT_EQ(got.errors, want.errors);
      EXPECT_EQ(got.complete, want.complete);
    }
  }
}

TEST(InputShape, StreamedReadFailureIsReported) {
  const std::string attribute = R"({"type":"ip-src","value":"192.0.2.1","uuid":"u"})";
  Streamed got = stream(attribute + "\n" + attribute + "\n", Dataset::kThreatAttributes, 5, true);
  EXPECT_EQ(got.messages.size(), 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0], "in.json: reading the input failed part way");
}

}  // namespace
}  // namespace misp::plugin
