// Real MISP exports load as MISP stores them: every attribute, object attributes included (with
// object_id and object_relation), uuids, timestamps, first_seen/last_seen and decay scores kept,
// and both endpoints give them back in MISP's shapes.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/support/vectors.h"
#include "tests/unit/emulator/client.h"

namespace misp::test {
namespace {

using emulator::Emulator;
using Json = nlohmann::json;

constexpr std::int64_t kClock = 1'800'000'000;

Json vector_json(const std::string& name) {
  return Json::parse(read_file(shared_path("vectors/misp/" + name)));
}

const char* const k02 = "02_event_objects_galaxies_relatedevents__PyMISP_existing_event.json";
const char* const k09 = "09_attributes_restsearch_raw_envelope__misp-book_automation_example.json";

// The uuids of every attribute in an export of any shape, with object_relation (null outside
// objects).
std::map<std::string, Json> file_attributes(const Json& j) {
  std::map<std::string, Json> out;
  auto event = [&](const Json& e) {
    for (const auto& a : e.value("Attribute", Json::array())) out[a.value("uuid", "")] = nullptr;
    for (const auto& o : e.value("Object", Json::array()))
      for (const auto& a : o.value("Attribute", Json::array()))
        out[a.value("uuid", "")] = a.value("object_relation", Json());
  };
  const Json& body = j.contains("response") ? j["response"] : j;
  if (body.is_array()) {
    for (const auto& e : body) event(e.contains("Event") ? e["Event"] : e);
  } else if (body.size() == 1 && body.contains("Attribute")) {
    for (const auto& a : body["Attribute"])
      out[a.value("uuid", "")] = a.value("object_relation", Json());
  } else {
    event(body.contains("Event") ? body["Event"] : body);
  }
  return out;
}

class EmulatorEveryExport : public ::testing::TestWithParam<const char*> {};

// Each real export loads whole: the attributes endpoint returns exactly its attributes, object
// attributes with their object_relation.
TEST_P(EmulatorEveryExport, AttributesEndpointReturnsEveryAttribute) {
  Json file = vector_json(GetParam());
  auto expected = file_attributes(file);
  ASSERT_FALSE(expected.empty());
  Emulator emu;
  emu.load_json(file);
  emu.start();
  EXPECT_EQ(emu.attribute_count(), expected.size());
  auto r = attributes(emu, {{"deleted", Json::array({0, 1})}});
  ASSERT_EQ(r.rows().size(), expected.size());
  for (const auto& row : r.rows()) {
    const std::string uuid = row["uuid"];
    ASSERT_TRUE(expected.count(uuid)) << uuid;
    EXPECT_EQ(row["object_relation"], expected[uuid]) << uuid;
    EXPECT_EQ(row["object_id"] != "0", !row["object_relation"].is_null());
    EXPECT_EQ(row.contains("Object"), row["object_id"] != "0");
    EXPECT_TRUE(row.contains("Event"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, EmulatorEveryExport,
    ::testing::Values(
        k02, "03_event_with_sightings__PyMISP_sighting_1.json",
        "04_event_body_shadowattributes__PyMISP_shadow.json",
        "06_circl_osint_feed_event__PyMISP_57c4445b-c548-4654-af0b-4be3950d210f.json",
        "07_event_2024_fields_eventreport__misp-guard_test_event_blocked_event_report_"
        "distribution.json",
        "08_attributes_restsearch_context_sightings_correlations__demisto_reputation_command_"
        "response.json",
        k09, "10_events_restsearch_raw_envelope__misp-stix_test_events_collection_1.json"),
    [](const auto& info) { return std::string(info.param).substr(0, 2); });

// Object attributes carry object_id and object_relation and a small Object stub on the
// attributes endpoint, and sit under Object[].Attribute[] (not Event.Attribute) on the events
// endpoint, grouped as in the file.
TEST(EmulatorLoad, ObjectsOfARealEvent) {
  Json file = vector_json(k02);
  Emulator emu;
  emu.load_json(file);
  emu.start();
  auto r = attributes(emu, {{"type", "filename"}});
  ASSERT_FALSE(r.rows().empty());
  for (const auto& row : r.rows()) {
    if (row["object_id"] == "0") continue;
    EXPECT_EQ(row["Object"]["id"], row["object_id"]);
    EXPECT_EQ(row["object_relation"], "filename");
    auto object = emu.object(std::stoll(row["object_id"].get<std::string>()));
    ASSERT_TRUE(object.has_value());
    EXPECT_EQ(object->fields["name"], "file");
  }

  auto ev = events(emu, {});
  ASSERT_EQ(ev.rows().size(), 1u);
  const Json& e = ev.rows()[0]["Event"];
  EXPECT_EQ(e["uuid"], file["uuid"]);
  EXPECT_EQ(e["Attribute"].size(), file["Attribute"].size());
  ASSERT_EQ(e["Object"].size(), file["Object"].size());
  std::map<std::string, std::set<std::string>> want, got;
  for (const auto& o : file["Object"])
    for (const auto& a : o["Attribute"])
      want[o["uuid"].get<std::string>()].insert(a["uuid"].get<std::string>());
  for (const auto& o : e["Object"])
    for (const auto& a : o["Attribute"]) {
      got[o["uuid"].get<std::string>()].insert(a["uuid"].get<std::string>());
      EXPECT_EQ(a["object_id"], o["id"]);
    }
  EXPECT_EQ(got, want);
}

// first_seen/last_seen are kept as MISP writes them (ISO-8601 with microseconds, or null).
TEST(EmulatorLoad, FirstSeenAndLastSeenKept) {
  Json file = vector_json(k02);
  const std::string seen = "2019-06-13T13:56:56.856074+00:00";
  Json& object_attribute = file["Object"][0]["Attribute"][0];
  object_attribute["first_seen"] = seen;
  object_attribute["last_seen"] = "2019-06-14T00:00:00.000000+00:00";
  Emulator emu;
  emu.load_json(file);
  emu.start();
  auto r = attributes(emu, {});
  std::size_t with_first_seen = 0;
  for (const auto& row : r.rows()) {
    if (row["uuid"] != object_attribute["uuid"]) {
      EXPECT_TRUE(row["first_seen"].is_null());
      continue;
    }
    ++with_first_seen;
    EXPECT_EQ(row["first_seen"], seen);
    EXPECT_EQ(row["last_seen"], "2019-06-14T00:00:00.000000+00:00");
    EXPECT_EQ(row["object_relation"], object_attribute["object_relation"]);
  }
  EXPECT_EQ(with_first_seen, 1u);
}

// A decay_score in the file comes back as is with includeDecayScore, and only then; the Event
// stub keeps the source event's uuid and info.
TEST(EmulatorLoad, DecayScoreKeptFromAttributesExport) {
  Json file = vector_json(k09);
  const Json score = Json::parse(R"([{"score": 77.40239901751683, "base_score": 80,
      "decayed": false, "DecayingModel": {"id": "2", "name": "NIDS Simple Decaying Model"}}])");
  file["response"]["Attribute"][0]["decay_score"] = score;
  Emulator emu;
  emu.load_json(file);
  emu.start();
  auto r = attributes(emu, {{"includeDecayScore", 1}});
  ASSERT_EQ(r.rows().size(), 1u);
  const Json& row = r.rows()[0];
  EXPECT_EQ(row["decay_score"], score);
  EXPECT_EQ(row["uuid"], "7a5d856c-048a-4dbd-8e6d-41d1790c5ad0");
  EXPECT_EQ(row["timestamp"], "1617056037");
  EXPECT_EQ(row["Event"]["uuid"], "8cca9f2f-9281-49fd-9b30-e16a8dbf6855");
  EXPECT_EQ(row["Event"]["info"], "Correlation 1");
  EXPECT_FALSE(attributes(emu, {}).rows()[0].contains("decay_score"));
}

// Loaded rows change like any other: an edit of an object attribute moves it, its object's and
// its event's timestamps to MISP's now.
TEST(EmulatorLoad, LoadedObjectAttributeEdits) {
  emulator::Options o;
  o.now = [] { return kClock; };
  Emulator emu(o);
  emu.load_json(vector_json(k02));
  emu.start();
  std::int64_t target = 0;
  for (const auto& v : emu.snapshot())
    if (emu.attribute(v.id).object_id != 0) target = v.id;
  ASSERT_NE(target, 0);
  emu.edit_attribute(target);
  auto ev = events(emu, {{"timestamp", kClock}});
  ASSERT_EQ(ev.rows().size(), 1u);
  bool found = false;
  for (const auto& obj : ev.rows()[0]["Event"]["Object"])
    for (const auto& a : obj["Attribute"])
      if (a["id"] == std::to_string(target)) {
        found = true;
        EXPECT_EQ(obj["timestamp"], std::to_string(kClock));
        EXPECT_EQ(a["timestamp"], std::to_string(kClock));
      }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace misp::test
