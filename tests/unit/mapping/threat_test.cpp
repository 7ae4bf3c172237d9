// The threat pipeline's rules beyond the indicator table: drops, _id, on_failure, envelope,
// tags and TLP, event.original handling, and the edge cases of real MISP events.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mapping/es/fingerprint.h"
#include "mapping/json/parse.h"
#include "mapping/mapper.h"

namespace misp::mapping {
namespace {

using Json = nlohmann::json;

Json base_event() {
  return {{"Event",
           {{"Attribute",
             {{"type", "ip-dst"},
              {"value", "192.0.2.1"},
              {"timestamp", "1621589229"},
              {"uuid", "a-1"},
              {"first_seen", nullptr},
              {"distribution", "5"}}},
            {"Object", Json::array()},
            {"Galaxy", Json::array()},
            {"Orgc", {{"id", "1"}, {"local", true}, {"name", "ORG"}}},
            {"analysis", "2"},
            {"threat_level_id", "3"},
            {"timestamp", "1621592532"},
            {"publish_timestamp", "1621592600"},
            {"uuid", "e-1"}}}};
}

Options threat_options() {
  Options o;
  o.now_ms = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
  return o;
}

Json map_json(const Json& message, const Options& o = threat_options(), Output* raw = nullptr) {
  Output out = map_document(message.dump(), o);
  if (raw) *raw = out;
  return out.kind == Output::Kind::kDropped ? Json() : Json::parse(out.document);
}

TEST(Threat, EmptyResponsePageIsDropped) {
  Output out = map_document(R"({"response":[]})", threat_options());
  EXPECT_EQ(out.kind, Output::Kind::kDropped);
  EXPECT_TRUE(out.document.empty());
}

TEST(Threat, NonEmptyResponseIsNotDropped) {
  Output out = map_document(R"({"response":[{"x":1}]})", threat_options());
  EXPECT_EQ(out.kind, Output::Kind::kDocument);
  EXPECT_EQ(out.error, "field [json.Event] doesn't exist");
}

// _id is the fingerprint of the raw values (before any conversion), fields sorted by name.
TEST(Threat, IdIsFingerprintOfRawValues) {
  Output out;
  map_json(base_event(), threat_options(), &out);
  json::Parser parser;
  json::Doc doc;
  json::Value root;
  std::string err;
  ASSERT_TRUE(parser.parse(R"({"json":)" + base_event().dump() + "}", doc, root, err));
  auto want =
      es::fingerprint(root, {"json.Event.timestamp", "json.Event.Attribute.first_seen",
                             "json.Event.Attribute.uuid", "json.Event.Object.Attribute.uuid"});
  ASSERT_TRUE(want);
  EXPECT_EQ(out.id, *want);
  // Same input, same _id: a re-delivered document overwrites itself.
  Output again;
  map_json(base_event(), threat_options(), &again);
  EXPECT_EQ(again.id, out.id);
  // A changed attribute timestamp alone does not change it (it is not a fingerprint field) ...
  Json edited = base_event();
  edited["Event"]["Attribute"]["timestamp"] = "1621589999";
  Output third;
  map_json(edited, threat_options(), &third);
  EXPECT_EQ(third.id, out.id);
  // ... but a newer event timestamp does.
  edited["Event"]["timestamp"] = "1621599999";
  map_json(edited, threat_options(), &third);
  EXPECT_NE(third.id, out.id);
}

TEST(Threat, DatesConversionsAndCleanup) {
  Json d = map_json(base_event());
  EXPECT_EQ(d["@timestamp"], "2021-05-21T10:22:12.000Z");
  EXPECT_EQ(d["misp"]["event"]["publish_timestamp"], "2021-05-21T10:23:20.000Z");
  EXPECT_EQ(d["misp"]["attribute"]["timestamp"], "2021-05-21T09:27:09.000Z");
  EXPECT_EQ(d["misp"]["attribute"]["distribution"], 5);
  EXPECT_EQ(d["threat"]["indicator"]["scanner_stats"], 2);
  EXPECT_EQ(d["misp"]["event"]["threat_level_id"], 3);
  EXPECT_FALSE(d["misp"]["event"].contains("timestamp"));
  EXPECT_FALSE(d["misp"]["event"].contains("analysis"));
  EXPECT_FALSE(d["misp"]["event"].contains("Galaxy"));
  EXPECT_FALSE(d["misp"].contains("object")) << "an empty Object list is removed";
  EXPECT_FALSE(d["misp"]["attribute"].contains("first_seen")) << "null first_seen is cleaned up";
  EXPECT_FALSE(d.contains("threat") && d["threat"]["indicator"].contains("first_seen"));
  EXPECT_EQ(d["threat"]["indicator"]["provider"], "misp");
  EXPECT_FALSE(d.contains("_tmp"));
  EXPECT_FALSE(d.contains("json"));
}

TEST(Threat, FirstSeenAndLastSeenMoveToIndicatorUnparsed) {
  Json e = base_event();
  e["Event"]["Attribute"]["first_seen"] = "2019-06-13T13:56:56.856074+00:00";
  e["Event"]["Attribute"]["last_seen"] = "2019-06-14T00:00:00.000000+00:00";
  Json d = map_json(e);
  EXPECT_EQ(d["threat"]["indicator"]["first_seen"], "2019-06-13T13:56:56.856074+00:00");
  EXPECT_EQ(d["threat"]["indicator"]["last_seen"], "2019-06-14T00:00:00.000000+00:00");
}

TEST(Threat, OrgcLocalStringFalseUsesOrgName) {
  Json e = base_event();
  e["Event"]["Orgc"]["local"] = "false";
  EXPECT_EQ(map_json(e)["threat"]["indicator"]["provider"], "ORG");
  e["Event"]["Orgc"]["local"] = false;  // MISP's real boolean never matches the string
  EXPECT_EQ(map_json(e)["threat"]["indicator"]["provider"], "misp");
}

TEST(Threat, TagsBecomeTagsAndTlpMarking) {
  Json e = base_event();
  e["Event"]["Tag"] = Json::array(
      {{{"name", "tlp:amber+strict"}}, {{"name", "misp-galaxy:x=\"y\""}}, {{"name", "tlp:clear"}}});
  Options o = threat_options();
  o.tags = {"forwarded", "misp-threat"};
  Json d = map_json(e, o);
  EXPECT_EQ(d["tags"], Json::array({"forwarded", "misp-threat", "tlp:amber+strict",
                                    "misp-galaxy:x=y", "tlp:clear"}));
  EXPECT_EQ(d["threat"]["indicator"]["marking"]["tlp"], Json::array({"AMBER+STRICT", "CLEAR"}));
  EXPECT_FALSE(d["misp"].contains("tag"));
}

TEST(Threat, CreatorEmailBecomesUserWithRole) {
  Json e = base_event();
  e["Event"]["event_creator_email"] = "analyst@example.org";
  Json d = map_json(e);
  EXPECT_EQ(d["user"]["email"], "analyst@example.org");
  EXPECT_EQ(d["user"]["roles"], Json::array({"reporting_user"}));
  EXPECT_FALSE(map_json(base_event()).contains("user"));
}

// An object attribute is the indicator; the event-level attribute rides along as context.
TEST(Threat, ObjectAttributeIsPrimaryEventAttributeIsContext) {
  Json e = base_event();
  e["Event"]["Object"] = {{"name", "file"},
                          {"meta-category", "file"},
                          {"timestamp", "1621589548"},
                          {"distribution", "5"},
                          {"Attribute",
                           {{"type", "sha256"},
                            {"value", "abc"},
                            {"uuid", "oa-1"},
                            {"timestamp", "1621589548"},
                            {"distribution", "5"}}}};
  Json d = map_json(e);
  EXPECT_EQ(d["misp"]["attribute"]["uuid"], "oa-1");
  EXPECT_EQ(d["misp"]["context"]["attribute"]["uuid"], "a-1");
  EXPECT_EQ(d["misp"]["object"]["meta_category"], "file");
  EXPECT_EQ(d["threat"]["indicator"]["file"]["hash"]["sha256"], "abc");
  EXPECT_EQ(d["misp"]["context"]["attribute"]["value"], "192.0.2.1") << "context keeps its value";
}

// An event-level attribute of an event split without objects: Attribute [] and Object [] vanish.
TEST(Threat, ObjectOnlyDocumentWithEmptyAttributeList) {
  Json e = base_event();
  e["Event"]["Attribute"] = Json::array();
  e["Event"]["Object"] = {{"name", "domain-ip"},
                          {"Attribute",
                           {{"type", "domain"},
                            {"value", "x.example"},
                            {"uuid", "oa-2"},
                            {"timestamp", "1621589548"}}}};
  Output out;
  Json d = map_json(e, threat_options(), &out);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(d["misp"]["attribute"]["uuid"], "oa-2");
  EXPECT_FALSE(d["misp"].contains("context"));
  EXPECT_EQ(d["threat"]["indicator"]["url"]["domain"], "x.example");
}

// A bad event timestamp is noted (the processor's own on_failure) and mapping continues.
TEST(Threat, BadEventTimestampIsNotedNotFatal) {
  Json e = base_event();
  e["Event"]["timestamp"] = "yesterday";
  Output out;
  Json d = map_json(e, threat_options(), &out);
  EXPECT_EQ(out.error, "");
  EXPECT_NE(d["event"]["kind"], "pipeline_error");
  ASSERT_TRUE(d["error"]["message"].is_array());
  EXPECT_NE(d["error"]["message"][0].get<std::string>().find("unable to parse date [yesterday]"),
            std::string::npos);
}

// Bad distribution fails the pipeline: pipeline_error, original kept, tag added, message names
// value.
TEST(Threat, BadDistributionIsPipelineErrorKeepingOriginal) {
  Json e = base_event();
  e["Event"]["Attribute"]["distribution"] = "five";
  Output out;
  Json d = map_json(e, threat_options(), &out);
  EXPECT_EQ(out.error, "unable to convert [five] to long");
  EXPECT_EQ(d["event"]["kind"], "pipeline_error");
  EXPECT_EQ(d["event"]["original"], e.dump());
  EXPECT_EQ(d["tags"], Json::array({"preserve_original_event"}));
  EXPECT_FALSE(out.id.empty()) << "the _id was computed before the failure";
}

TEST(Threat, InvalidJsonIsPipelineErrorNotCrash) {
  Output out = map_document("{\"Event\": {", threat_options());
  EXPECT_EQ(out.kind, Output::Kind::kDocument);
  EXPECT_NE(out.error.find("cannot parse [event.original] as JSON"), std::string::npos)
      << out.error;
  Json d = Json::parse(out.document);
  EXPECT_EQ(d["event"]["original"], "{\"Event\": {");
  EXPECT_EQ(d["event"]["kind"], "pipeline_error");
}

TEST(Threat, GarbageInputsNeverThrow) {
  for (const char* in :
       {"", "null", "[]", "42", "\"s\"", "{\"Event\":null}", "{\"Event\":[]}",
        "{\"Event\":{\"Attribute\":7}}", "{\"Event\":{\"Object\":{\"Attribute\":\"x\"}}}",
        "{\"Event\":{\"Tag\":[1,null,{\"name\":5}]}}", "\xff\xfe"}) {
    SCOPED_TRACE(in);
    Output out;
    EXPECT_NO_THROW(out = map_document(in, threat_options()));
    EXPECT_NO_THROW(Json::parse(out.kind == Output::Kind::kDocument ? out.document : "{}"));
  }
}

TEST(Threat, EventOriginalOnlyWithPreserveTag) {
  Options o = threat_options();
  EXPECT_FALSE(map_json(base_event(), o)["event"].contains("original"));
  o.tags = compose_tags(true, default_tags(Dataset::kThreat));
  Json d = map_json(base_event(), o);
  EXPECT_EQ(d["event"]["original"], base_event().dump());
  EXPECT_EQ(d["tags"], Json::array({"preserve_original_event", "forwarded", "misp-threat"}));
}

TEST(Threat, EnvelopeAsFilebeatSendsIt) {
  Options o = threat_options();
  o.data_stream_namespace = "prod";
  o.tags = default_tags(Dataset::kThreat);
  Json d = map_json(base_event(), o);
  EXPECT_EQ(d["data_stream"],
            Json({{"type", "logs"}, {"dataset", "ti_misp.threat"}, {"namespace", "prod"}}));
  EXPECT_EQ(d["event"]["dataset"], "ti_misp.threat");
  EXPECT_EQ(d["event"]["created"], "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(d["input"]["type"], "httpjson");
  EXPECT_EQ(d["ecs"]["version"], "8.11.0");
  EXPECT_EQ(d["tags"], Json::array({"forwarded", "misp-threat"}));
  EXPECT_FALSE(d.contains("labels")) << "only threat_attributes feeds the latest-IOC transform";
}

TEST(Threat, NoTagsMeansNoTagsField) {
  Options o = threat_options();
  o.tags = {};
  EXPECT_FALSE(map_json(base_event(), o).contains("tags"));
}

}  // namespace
}  // namespace misp::mapping
