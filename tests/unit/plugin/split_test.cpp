// Splitting events and attributes responses into httpjson messages.
#include "plugin/split.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mapping/json/parse.h"

namespace misp::plugin {
namespace {

using Json = nlohmann::json;

std::vector<Json> split(const Json& body, SplitMode mode, bool attributes = false) {
  std::string text = body.dump();
  json::Parser p;
  json::Doc d;
  json::Value v;
  std::string err;
  EXPECT_TRUE(p.parse(text, d, v, err)) << err;
  std::vector<Json> out;
  auto emit = [&](std::string_view m) { out.push_back(Json::parse(m)); };
  if (attributes)
    split_attributes_response(v, emit);
  else
    split_events_response(v, mode, emit);
  return out;
}

Json event_with(int attrs, std::vector<int> object_attrs) {
  Json e = {{"uuid", "e"},
            {"info", "i"},
            {"timestamp", "1"},
            {"Attribute", Json::array()},
            {"Object", Json::array()}};
  for (int i = 0; i < attrs; ++i) e["Attribute"].push_back({{"uuid", "a" + std::to_string(i)}});
  for (std::size_t o = 0; o < object_attrs.size(); ++o) {
    Json obj = {{"uuid", "o" + std::to_string(o)}, {"Attribute", Json::array()}};
    for (int i = 0; i < object_attrs[o]; ++i)
      obj["Attribute"].push_back({{"uuid", "o" + std::to_string(o) + "a" + std::to_string(i)}});
    e["Object"].push_back(obj);
  }
  return {{"Event", e}};
}

TEST(Split, PerIndicatorEmitsEachAttributeOnce) {
  auto docs = split({{"response", {event_with(3, {2, 4})}}}, SplitMode::kPerIndicator);
  ASSERT_EQ(docs.size(), 3u + 2u + 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(docs[i]["Event"]["Attribute"]["uuid"], "a" + std::to_string(i));
    EXPECT_EQ(docs[i]["Event"]["Object"], Json::array());
  }
  EXPECT_EQ(docs[3]["Event"]["Attribute"], Json::array());
  EXPECT_EQ(docs[3]["Event"]["Object"]["uuid"], "o0");
  EXPECT_EQ(docs[3]["Event"]["Object"]["Attribute"]["uuid"], "o0a0");
  EXPECT_EQ(docs[8]["Event"]["Object"]["Attribute"]["uuid"], "o1a3");
  EXPECT_EQ(docs[0]["Event"]["info"], "i") << "the parent event is kept";
}

// httpjson's nested keep_parent split: attributes x objects x object attributes.
TEST(Split, ElasticCrossProduct) {
  auto docs = split({{"response", {event_with(3, {2, 4})}}}, SplitMode::kElasticCrossProduct);
  ASSERT_EQ(docs.size(), 3u * (2u + 4u));
  EXPECT_EQ(docs[0]["Event"]["Attribute"]["uuid"], "a0");
  EXPECT_EQ(docs[0]["Event"]["Object"]["Attribute"]["uuid"], "o0a0");
  EXPECT_EQ(docs[17]["Event"]["Attribute"]["uuid"], "a2");
  EXPECT_EQ(docs[17]["Event"]["Object"]["Attribute"]["uuid"], "o1a3");
}

TEST(Split, CrossProductWithoutObjectsOrAttributes) {
  EXPECT_EQ(split({{"response", {event_with(2, {})}}}, SplitMode::kElasticCrossProduct).size(), 2u);
  EXPECT_EQ(split({{"response", {event_with(0, {3})}}}, SplitMode::kElasticCrossProduct).size(),
            3u);
  auto bare = split({{"response", {event_with(0, {})}}}, SplitMode::kElasticCrossProduct);
  ASSERT_EQ(bare.size(), 1u) << "an event without attributes still reaches the pipeline";
  EXPECT_EQ(bare[0]["Event"]["Attribute"], Json::array());
}

TEST(Split, EventWithoutIndicatorsIsEmittedOnce) {
  EXPECT_EQ(split({{"response", {event_with(0, {0})}}}, SplitMode::kPerIndicator).size(), 1u);
}

TEST(Split, EmptyPageEmitsNothing) {
  EXPECT_TRUE(split({{"response", Json::array()}}, SplitMode::kPerIndicator).empty());
}

TEST(Split, MessagesAreGoMarshalled) {
  std::string text = Json({{"response", {event_with(1, {})}}}).dump();
  json::Parser p;
  json::Doc d;
  json::Value v;
  std::string err;
  ASSERT_TRUE(p.parse(text, d, v, err));
  std::vector<std::string> msgs;
  split_events_response(v, SplitMode::kPerIndicator,
                        [&](std::string_view m) { msgs.emplace_back(m); });
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(
      msgs[0],
      R"({"Event":{"Attribute":{"uuid":"a0"},"Object":[],"info":"i","timestamp":"1","uuid":"e"}})");
}

TEST(Split, AttributesResponsesWithAndWithoutEnvelope) {
  Json attrs = Json::array({{{"uuid", "1"}}, {{"uuid", "2"}}});
  EXPECT_EQ(split({{"response", {{"Attribute", attrs}}}}, SplitMode::kPerIndicator, true).size(),
            2u);
  EXPECT_EQ(split({{"Attribute", attrs}}, SplitMode::kPerIndicator, true).size(), 2u);
  EXPECT_TRUE(split({{"response", {{"Attribute", Json::array()}}}}, SplitMode::kPerIndicator, true)
                  .empty());
}

// Memory stays at one body: 200,000 attributes split without growing per document.
TEST(Split, LargeEventStreams) {
  Json e = event_with(0, {});
  for (int i = 0; i < 200000; ++i)
    e["Event"]["Attribute"].push_back({{"uuid", std::to_string(i)}, {"value", "x"}});
  std::string text = Json({{"response", {e}}}).dump();
  json::Parser p;
  json::Doc d;
  json::Value v;
  std::string err;
  ASSERT_TRUE(p.parse(text, d, v, err));
  std::size_t n = 0, max_len = 0;
  split_events_response(v, SplitMode::kPerIndicator, [&](std::string_view m) {
    ++n;
    max_len = std::max(max_len, m.size());
  });
  EXPECT_EQ(n, 200000u);
  EXPECT_LT(max_len, 200u);
}

}  // namespace
}  // namespace misp::plugin
