// One parse per byte (issue 12): the poller hands split documents to the mapper as trees
// (Mapper::map_split) instead of writing the `message` text and parsing it again, and a reader
// that parsed a line to tell its shape hands that tree over (Mapper::map_parsed). That is only
// allowed if nothing changes: every document here is mapped both ways and must come out byte for
// byte the same, with event.original kept and dropped, both data sets and both split modes.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "mapping/json/go_roundtrip.h"
#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "mapping/mapper.h"
#include "plugin/split.h"
#include "tests/support/vectors.h"

namespace misp {
namespace {

using json::Value;

// What the text path makes of v: write it as httpjson does, parse it back ("" when the parser
// refuses the text).
std::string through_text(const Value& v) {
  std::string text, error, out;
  json::write_go(v, text);
  json::Parser parser;
  json::Doc doc;
  Value parsed;
  if (!parser.parse(text, doc, parsed, error)) return "";
  json::write(parsed, out);
  return out;
}

std::string roundtrip(const Value& v) {
  json::Doc doc;
  std::string out;
  json::write(json::go_roundtrip(doc, v), out);
  return out;
}

TEST(GoRoundtrip, NumbersKeysAndStringsAsTheTextPathReadsThem) {
  json::Doc doc;
  const double big = 9007199254740993.0;
  std::vector<Value> values = {
      Value::integer(0),
      Value::integer(-5),
      Value::integer(9007199254740992),
      Value::integer(9007199254740993),  // not a float64: rounds
      Value::integer(std::numeric_limits<std::int64_t>::min()),
      Value::integer(std::numeric_limits<std::int64_t>::max()),
      Value::unsigned_integer(std::numeric_limits<std::uint64_t>::max()),
      Value::real(0.0),
      Value::real(-0.0),
      Value::real(1.0),
      Value::real(-3.0),
      Value::real(0.1),
      Value::real(1e-7),
      Value::real(1e20),
      Value::real(1e21),
      Value::real(big),
      Value::real(123456789.125),
      Value::string_view("plain"),
      Value::string_view("<tag> & \"quote\" \xe2\x80\xa8"),
      Value::string_view("bad \xff utf-8 \xc3"),
      Value::boolean(true),
      Value::null(),
  };
  Value obj = doc.new_object();
  obj.o->push_back({"b", Value::integer(1)});
  obj.o->push_back({"a", Value::real(2.0)});
  obj.o->push_back({"B", Value::string_view("x")});
  obj.o->push_back({"a", Value::string_view("duplicate, kept in order")});
  obj.o->push_back({"\xff", Value::null()});
  Value list = doc.new_array();
  for (const auto& v : values) list.a->push_back(v);
  obj.o->push_back({"list", list});
  values.push_back(obj);
  values.pop_back();  // the object: compared below without its list
  std::size_t compared = 0;
  for (const auto& v : values) {
    std::string want = through_text(v);
    if (want.empty()) {
      // Integers Go writes in full that do not fit 64 bits (2^63 and more negative, 2^64 and
      // more positive, below 1e21): our parser refuses the text; the tree keeps a double.
      ASSERT_TRUE(v.is_number()) << roundtrip(v);
      json::Doc d;
      EXPECT_EQ(json::go_roundtrip(d, v).type, json::Type::kDouble);
      continue;
    }
    EXPECT_EQ(roundtrip(v), want);
    ++compared;
  }
  EXPECT_EQ(compared, values.size() - 3);  // INT64_MIN, UINT64_MAX, 1e20
  Value plain = doc.new_object();
  for (const auto& m : *obj.o)
    if (m.key != "list") plain.o->push_back(m);
  EXPECT_EQ(roundtrip(plain), through_text(plain));
}

// Every MISP export among the vectors, and a generated page of every attribute type.
void each_events_body(const std::function<void(const std::string&, const Value&)>& fn) {
  namespace fs = std::filesystem;
  json::Parser parser;
  for (const auto& e : fs::directory_iterator(test::shared_path("vectors/misp"))) {
    if (e.path().extension() != ".json") continue;
    std::string text = test::read_file(e.path().string()), error;
    json::Doc doc;
    Value body;
    if (!parser.parse(text, doc, body, error)) continue;
    fn(e.path().filename().string(), body);
  }
  std::string text = test::read_file(std::string(MISP_SOURCE_DIR) +
                                     "/tests/conformance/all_types.json"),
              error;
  json::Doc doc;
  Value types;
  ASSERT_TRUE(parser.parse(text, doc, types, error)) << error;
  Value event = doc.new_object(), attrs = doc.new_array();
  event.o->push_back({"uuid", Value::string_view("e")});
  event.o->push_back({"info", Value::string_view("all types")});
  event.o->push_back({"timestamp", Value::string_view("1700000000")});
  for (const auto& a : *json::find_member(types, "attributes")->a) {
    Value attr = doc.new_object();
    for (const auto& m : *a.o)
      if (m.key == "type" || m.key == "value" || m.key == "category") attr.o->push_back(m);
    attr.o->push_back({"timestamp", Value::integer(1700000000)});
    attr.o->push_back({"decay_score", Value::real(42.0)});
    attrs.a->push_back(attr);
  }
  event.o->push_back({"Attribute", attrs});
  Value wrapper = doc.new_object(), response = doc.new_array(), body = doc.new_object();
  wrapper.o->push_back({"Event", event});
  response.a->push_back(wrapper);
  body.o->push_back({"response", response});
  fn("all_types (generated)", body);
}

void expect_same_both_ways(mapping::Mapper& mapper, const Value& doc, const std::string& where) {
  std::string text;
  json::write_go(doc, text);
  mapping::Output by_text = mapper.map(text);
  mapping::Output by_tree = mapper.map_split(doc);
  EXPECT_EQ(by_tree.document, by_text.document) << where;
  EXPECT_EQ(by_tree.id, by_text.id) << where;
  EXPECT_EQ(by_tree.kind, by_text.kind) << where;
  EXPECT_EQ(by_tree.error, by_text.error) << where;
  EXPECT_EQ(by_tree.timestamp_ms, by_text.timestamp_ms) << where;
  // And the text parsed by its reader first (an NDJSON line), its tree handed over.
  json::Parser parser;
  json::Doc doc_of_text;
  Value parsed;
  std::string error;
  ASSERT_TRUE(parser.parse(text, doc_of_text, parsed, error)) << error;
  mapping::Output by_parsed = mapper.map_parsed(text, parsed);
  EXPECT_EQ(by_parsed.document, by_text.document) << where;
  EXPECT_EQ(by_parsed.id, by_text.id) << where;
  EXPECT_EQ(by_parsed.error, by_text.error) << where;
}

TEST(SplitTree, MapsEveryDocumentOfEveryExportLikeItsText) {
  std::size_t documents = 0;
  for (bool keep_original : {false, true}) {
    for (auto mode : {plugin::SplitMode::kPerIndicator, plugin::SplitMode::kElasticCrossProduct}) {
      mapping::Options threat;
      threat.now_ms = 1'700'000'000'000;
      if (keep_original) threat.tags.push_back("preserve_original_event");
      mapping::Options attributes = threat;
      attributes.dataset = mapping::Dataset::kThreatAttributes;
      attributes.ioc_expiration_duration = "30d";
      mapping::Mapper events_mapper(threat), attributes_mapper(attributes);
      each_events_body([&](const std::string& name, const Value& body) {
        auto on_doc = [&](const Value& doc) {
          expect_same_both_ways(events_mapper, doc, name);
          ++documents;
        };
        if (json::find_member(body, "Event"))
          plugin::split_event_docs(body, mode, on_doc);
        else
          plugin::split_events_response_docs(body, mode, on_doc);
        // The same rows as an attributes response would carry them.
        plugin::split_attributes_response_docs(body, [&](const Value& doc) {
          expect_same_both_ways(attributes_mapper, doc, name + " (attributes)");
          ++documents;
        });
      });
    }
  }
  EXPECT_GT(documents, 800u);
}

}  // namespace
}  // namespace misp
