// Real MISP exports (../shared/vectors/misp) split and map like live responses: one document per
// event attribute and per object attribute, no pipeline_error for well-formed values, and the
// indicator type the pipelines reference (section 4) gives each MISP type.
#include <gtest/gtest.h>

#include <map>

#include "mapping/json/parse.h"
#include "mapping/mapper.h"
#include "plugin/split.h"
#include "tests/support/vectors.h"

namespace misp::test {
namespace {

using Json = nlohmann::json;

// Section 4 of ti_misp-pipelines.md, threat column, for the types these exports contain.
const std::map<std::string, std::string> kThreatIndicatorType = {
    {"md5", "file"},
    {"sha1", "file"},
    {"sha256", "file"},
    {"filename", "file"},
    {"link", "url"},
    {"url", "url"},
    {"domain", "domain-name"},
    {"ip-dst", "ipv4-addr"},
    {"ip-src", "ipv4-addr"},
    {"regkey|value", "windows-registry-key"},
    {"AS", "autonomous-system"},
    {"text", ""},
    {"comment", ""}};

// Counts attributes the way a reader of the export would: event attributes plus the attributes
// of every object, over every event in the file.
std::size_t count_indicators(const Json& j) {
  std::vector<Json> events;
  if (j.contains("response")) {
    for (const auto& e : j["response"]) events.push_back(e.at("Event"));
  } else if (j.contains("Event")) {
    events.push_back(j["Event"]);
  } else {
    events.push_back(j);  // PyMISP's bare event body
  }
  std::size_t n = 0;
  for (const auto& e : events) {
    if (e.contains("Attribute")) n += e["Attribute"].size();
    if (e.contains("Object"))
      for (const auto& o : e["Object"])
        if (o.contains("Attribute")) n += o["Attribute"].size();
  }
  return n;
}

struct Mapped {
  std::size_t documents = 0;
  std::vector<std::string> errors;
  std::map<std::string, std::size_t> by_type;
};

Mapped map_events_file(const std::string& file) {
  std::string text = read_file(shared_path("vectors/misp/" + file));
  json::Parser parser;
  json::Doc doc;
  json::Value body;
  std::string error;
  EXPECT_TRUE(parser.parse(text, doc, body, error)) << error;
  mapping::Options options;
  options.now_ms = 1'700'000'000'000;
  mapping::Mapper mapper(options);
  Mapped result;
  auto on_message = [&](std::string_view m) {
    auto out = mapper.map(m);
    if (out.kind != mapping::Output::Kind::kDocument) return;
    ++result.documents;
    if (out.pipeline_error()) result.errors.push_back(out.error);
    auto d = Json::parse(out.document);
    std::string type = d["misp"]["attribute"].value("type", "");
    std::string indicator = d["threat"]["indicator"].value("type", "");
    EXPECT_EQ(kThreatIndicatorType.count(type), 1u) << "unexpected MISP type " << type;
    if (kThreatIndicatorType.count(type)) {
      EXPECT_EQ(indicator, kThreatIndicatorType.at(type)) << type;
    }
    ++result.by_type[type];
  };
  if (json::find_member(body, "Event") || json::find_member(body, "response")) {
    if (json::find_member(body, "response"))
      plugin::split_events_response(body, plugin::SplitMode::kPerIndicator, on_message);
    else
      plugin::split_event(body, plugin::SplitMode::kPerIndicator, on_message);
  } else {
    json::Value wrapper = doc.new_object(1);
    wrapper.o->push_back({"Event", body});
    plugin::split_event(wrapper, plugin::SplitMode::kPerIndicator, on_message);
  }
  return result;
}

class MispEventExports : public ::testing::TestWithParam<std::string> {};

TEST_P(MispEventExports, OneDocumentPerIndicatorWithoutPipelineErrors) {
  auto expected =
      count_indicators(Json::parse(read_file(shared_path("vectors/misp/" + GetParam()))));
  ASSERT_GT(expected, 0u);
  Mapped m = map_events_file(GetParam());
  EXPECT_EQ(m.documents, expected);
  EXPECT_TRUE(m.errors.empty()) << m.errors.front();
  std::string summary;
  for (const auto& [type, n] : m.by_type) summary += type + "=" + std::to_string(n) + " ";
  RecordProperty("indicators", summary);
}

INSTANTIATE_TEST_SUITE_P(
    Exports, MispEventExports,
    ::testing::Values("02_event_objects_galaxies_relatedevents__PyMISP_existing_event.json",
                      "03_event_with_sightings__PyMISP_sighting_1.json",
                      "04_event_body_shadowattributes__PyMISP_shadow.json",
                      "06_circl_osint_feed_event__PyMISP_57c4445b-c548-4654-af0b-4be3950d210f.json",
                      "07_event_2024_fields_eventreport__misp-guard_test_event_blocked_event_"
                      "report_distribution.json",
                      "10_events_restsearch_raw_envelope__misp-stix_test_events_collection_1.json"),
    [](const auto& info) { return "export_" + info.param.substr(0, 2); });

// The largest export: 9 attributes and 49 objects; counted, so a split regression shows.
TEST(MispEventExports, PyMispExistingEventCounts) {
  Mapped m = map_events_file("02_event_objects_galaxies_relatedevents__PyMISP_existing_event.json");
  EXPECT_EQ(
      m.documents,
      count_indicators(Json::parse(read_file(shared_path(
          "vectors/misp/02_event_objects_galaxies_relatedevents__PyMISP_existing_event.json")))));
  EXPECT_GT(m.by_type["sha1"], 0u);
  EXPECT_GT(m.by_type["domain"], 0u);
}

class MispAttributeResponses : public ::testing::TestWithParam<std::string> {};

TEST_P(MispAttributeResponses, MapWithoutPipelineErrors) {
  std::string text = read_file(shared_path("vectors/misp/" + GetParam()));
  auto j = Json::parse(text);
  std::size_t expected =
      j.contains("response") ? j["response"]["Attribute"].size() : j["Attribute"].size();
  json::Parser parser;
  json::Doc doc;
  json::Value body;
  std::string error;
  ASSERT_TRUE(parser.parse(text, doc, body, error)) << error;
  mapping::Options options;
  options.dataset = mapping::Dataset::kThreatAttributes;
  options.now_ms = 1'700'000'000'000;
  mapping::Mapper mapper(options);
  std::size_t documents = 0;
  plugin::split_attributes_response(body, [&](std::string_view m) {
    auto out = mapper.map(m);
    ASSERT_EQ(out.kind, mapping::Output::Kind::kDocument);
    EXPECT_FALSE(out.pipeline_error()) << out.error;
    auto d = Json::parse(out.document);
    EXPECT_TRUE(d["misp"]["attribute"].contains("decayed_at")) << "every attribute gets an expiry";
    ++documents;
  });
  EXPECT_EQ(documents, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Responses, MispAttributeResponses,
    ::testing::Values("08_attributes_restsearch_context_sightings_correlations__demisto_reputation_"
                      "command_response.json",
                      "09_attributes_restsearch_raw_envelope__misp-book_automation_example.json"),
    [](const auto& info) { return "response_" + info.param.substr(0, 2); });

}  // namespace
}  // namespace misp::test
