// The threat_attributes pipeline: decay from models, expiry from ioc_expiration_duration,
// first/last_seen shapes, timestamps as numbers or strings, deletions, envelope.
#include <gtest/gtest.h>

#include <limits>

#include <nlohmann/json.hpp>

#include "mapping/mapper.h"

namespace misp::mapping {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kNow = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

Json attribute() {
  return {{"type", "ip-src"},
          {"value", "192.0.2.1"},
          {"timestamp", "1735603200"},  // 2024-12-31T00:00Z
          {"uuid", "a-1"},
          {"distribution", "5"},
          {"deleted", false},
          {"first_seen", nullptr},
          {"last_seen", nullptr},
          {"Event", {{"uuid", "e-1"}, {"org_id", "7"}, {"distribution", "3"}}}};
}

Json map_attr(const Json& a, const std::string& duration = "90d", bool strict = false,
              Output* raw = nullptr) {
  Options o;
  o.dataset = Dataset::kThreatAttributes;
  o.now_ms = kNow;
  o.ioc_expiration_duration = duration;
  o.strict_elastic_parity = strict;
  Output out = map_document(a.dump(), o);
  if (raw) *raw = out;
  return Json::parse(out.document);
}

Json with_models(std::initializer_list<bool> decayed) {
  Json a = attribute();
  a["decay_score"] = Json::array();
  for (bool d : decayed)
    a["decay_score"].push_back({{"score", d ? 10.5 : 80},
                                {"base_score", 80},
                                {"decayed", d},
                                {"DecayingModel", {{"id", "1"}, {"name", "m"}}}});
  return a;
}

struct DecayCase {
  const char* name;
  std::vector<bool> models;
  bool decayed;
  const char* decayed_at;  // ingest - 2 min when decayed by models, else timestamp + 90d
};

void PrintTo(const DecayCase& c, std::ostream* os) {
  *os << c.name;
}

class Decay : public ::testing::TestWithParam<DecayCase> {};

TEST_P(Decay, HalfOfTheModelsDecide) {
  const auto& c = GetParam();
  Json a = attribute();
  if (!c.models.empty()) {
    a = with_models({});
    for (bool d : c.models) a["decay_score"].push_back({{"score", 1}, {"decayed", d}});
  }
  Json d = map_attr(a);
  EXPECT_EQ(d["misp"]["attribute"]["decayed"], c.decayed);
  EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], c.decayed_at);
}

INSTANTIATE_TEST_SUITE_P(
    Models, Decay,
    ::testing::Values(DecayCase{"no_models", {}, false, "2025-03-31T00:00:00.000Z"},
                      DecayCase{"one_not_decayed", {false}, false, "2025-03-31T00:00:00.000Z"},
                      DecayCase{"one_decayed", {true}, true, "2024-12-31T23:58:00.000Z"},
                      DecayCase{"one_of_two", {true, false}, true, "2024-12-31T23:58:00.000Z"},
                      DecayCase{"two_of_two", {true, true}, true, "2024-12-31T23:58:00.000Z"},
                      DecayCase{
                          "one_of_three", {true, false, false}, false, "2025-03-31T00:00:00.000Z"},
                      DecayCase{"all_false", {false, false}, false, "2025-03-31T00:00:00.000Z"}),
    [](const auto& info) { return std::string(info.param.name); });

struct DurationCase {
  const char* duration;
  const char* decayed_at;
  bool decayed;
  const char* note;  // error.message entry, or ""
};

void PrintTo(const DurationCase& c, std::ostream* os) {
  *os << c.duration;
}

class Expiry : public ::testing::TestWithParam<DurationCase> {};

TEST_P(Expiry, DurationUnits) {
  const auto& c = GetParam();
  Output out;
  Json d = map_attr(attribute(), c.duration, false, &out);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], c.decayed_at);
  EXPECT_EQ(d["misp"]["attribute"]["decayed"], c.decayed);
  if (*c.note)
    EXPECT_EQ(d["error"]["message"], Json::array({c.note}));
  else
    EXPECT_FALSE(d.contains("error"));
}

INSTANTIATE_TEST_SUITE_P(
    Units, Expiry,
    ::testing::Values(DurationCase{"5d", "2025-01-05T00:00:00.000Z", false, ""},
                      DurationCase{"12h", "2024-12-31T12:00:00.000Z", true, ""},
                      DurationCase{"30m", "2024-12-31T00:30:00.000Z", true, ""},
                      DurationCase{"48h", "2025-01-02T00:00:00.000Z", false, ""},
                      DurationCase{"2w", "2025-03-31T00:00:00.000Z", false,
                                   "invalid ioc_expiration_duration: using default 90 days"},
                      DurationCase{"90", "2025-03-31T00:00:00.000Z", false,
                                   "invalid ioc_expiration_duration: using default 90 days"}),
    [](const auto& info) { return "d_" + std::string(info.param.duration); });

// A non-numeric amount makes Long.parseLong throw inside the script: pipeline_error.
TEST(Expiry, NonNumericDurationIsPipelineError) {
  Output out;
  Json d = map_attr(attribute(), "xd", false, &out);
  EXPECT_EQ(out.error, "For input string: \"x\"");
  EXPECT_EQ(d["event"]["kind"], "pipeline_error");
  EXPECT_TRUE(d["event"].contains("original"));
}

TEST(Expiry, EmptyDurationMeansNoExpiry) {
  Json d = map_attr(attribute(), "");
  EXPECT_FALSE(d["misp"]["attribute"].contains("decayed_at"));
  EXPECT_FALSE(d["misp"]["attribute"].contains("decayed"));
}

TEST(Expiry, LastSeenLaterThanTimestampIsTheBase) {
  Json a = attribute();
  a["last_seen"] = "2025-02-01T10:00:00.123456+00:00";
  Json d = map_attr(a, "1d");
  EXPECT_EQ(d["misp"]["attribute"]["last_seen"], "2025-02-01T10:00:00.123Z");
  EXPECT_EQ(d["threat"]["indicator"]["last_seen"], "2025-02-01T10:00:00.123Z");
  EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], "2025-02-02T10:00:00.123Z");
  EXPECT_EQ(d["misp"]["attribute"]["decayed"], false);
}

TEST(Expiry, LastSeenEarlierThanTimestampIsIgnored) {
  Json a = attribute();
  a["last_seen"] = "2020-01-01T00:00:00+00:00";
  EXPECT_EQ(map_attr(a, "1d")["misp"]["attribute"]["decayed_at"], "2025-01-01T00:00:00.000Z");
}

TEST(Expiry, NumericTimestampIsAccepted) {
  Json a = attribute();
  a["timestamp"] = 1735603200;
  Json d = map_attr(a, "1d");
  EXPECT_EQ(d["@timestamp"], "2024-12-31T00:00:00.000Z");
  EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], "2025-01-01T00:00:00.000Z");
}

// Timestamps at the edges of the long range, or beyond it as doubles, are Java longs: the
// (long) cast saturates and * 1000 wraps, with no undefined behaviour (UBSan preset).
TEST(Expiry, Issue10_TimestampsAtTheLongLimits) {
  struct Case {
    Json timestamp;
    const char* decayed_at;
  } cases[] = {
      // Long.MAX_VALUE * 1000 wraps to -1000; + 1 day.
      {Json(std::numeric_limits<std::int64_t>::max()), "1970-01-01T23:59:59.000Z"},
      {Json(1e300), "1970-01-01T23:59:59.000Z"},
      {Json("9223372036854775807"), "1970-01-01T23:59:59.000Z"},
      // Long.MIN_VALUE * 1000 wraps to 0.
      {Json(std::numeric_limits<std::int64_t>::min()), "1970-01-02T00:00:00.000Z"},
      {Json(-1e300), "1970-01-02T00:00:00.000Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.timestamp.dump());
    Json a = attribute();
    a["timestamp"] = c.timestamp;
    Json d = map_attr(a, "1d");
    EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], c.decayed_at);
  }
  Json a = attribute();
  a["timestamp"] = "1735603200";
  EXPECT_EQ(map_attr(a, "9223372036854775807m")["misp"]["attribute"]["decayed_at"],
            "2024-12-30T23:59:00.000Z");  // the span wraps to -60000 ms
}

TEST(Expiry, NonNumericTimestampIsPipelineError) {
  Json a = attribute();
  a["timestamp"] = "soon";
  Output out;
  map_attr(a, "1d", false, &out);
  EXPECT_EQ(out.error, "For input string: \"soon\"");
}

struct SeenCase {
  Json input;
  const char* output;
};

TEST(FirstSeen, MispShapesBecomeIsoMillis) {
  for (const auto& c : {SeenCase{"1581984000000000", "2020-02-18T00:00:00.000Z"},  // 16-digit µs
                        SeenCase{"1581984000123", "2020-02-18T00:00:00.123Z"},     // ms
                        SeenCase{"2019-06-13T13:56:56.856074+00:00", "2019-06-13T13:56:56.856Z"},
                        SeenCase{"2019-06-13T15:56:56.856074+02:00", "2019-06-13T13:56:56.856Z"}}) {
    Json a = attribute();
    a["first_seen"] = c.input;
    Json d = map_attr(a);
    SCOPED_TRACE(c.input.dump());
    EXPECT_EQ(d["misp"]["attribute"]["first_seen"], c.output);
    EXPECT_EQ(d["threat"]["indicator"]["first_seen"], c.output);
  }
}

TEST(FirstSeen, NullIsRemoved) {
  Json d = map_attr(attribute());
  EXPECT_FALSE(d["misp"]["attribute"].contains("first_seen"));
  EXPECT_FALSE(d["threat"]["indicator"].contains("first_seen"));
}

TEST(FirstSeen, UnparsableIsNotedAndKept) {
  Json a = attribute();
  a["first_seen"] = "last tuesday";
  Output out;
  Json d = map_attr(a, "90d", false, &out);
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(d["misp"]["attribute"]["first_seen"], "last tuesday");
  EXPECT_NE(d["error"]["message"][0].get<std::string>().find("unable to parse date [last tuesday]"),
            std::string::npos);
}

// A soft-deleted attribute is retracted at once, unless strict parity is asked for.
TEST(Deletion, DeletedAttributeExpiresImmediately) {
  Json a = attribute();
  a["deleted"] = true;
  Json d = map_attr(a);
  EXPECT_EQ(d["misp"]["attribute"]["decayed"], true);
  EXPECT_EQ(d["misp"]["attribute"]["decayed_at"], "2024-12-31T23:58:00.000Z");
  Json strict = map_attr(a, "90d", true);
  EXPECT_EQ(strict["misp"]["attribute"]["decayed"], false);
  EXPECT_EQ(strict["misp"]["attribute"]["decayed_at"], "2025-03-31T00:00:00.000Z");
}

TEST(Envelope, TransformSourceLabelAndOrganization) {
  Options o;
  o.dataset = Dataset::kThreatAttributes;
  o.now_ms = kNow;
  o.data_stream_namespace = "default";
  o.tags = default_tags(Dataset::kThreatAttributes);
  Json d = Json::parse(map_document(attribute().dump(), o).document);
  EXPECT_EQ(d["labels"]["is_ioc_transform_source"], "true");
  EXPECT_EQ(d["data_stream"]["dataset"], "ti_misp.threat_attributes");
  EXPECT_EQ(d["event"]["dataset"], "ti_misp.threat_attributes");
  EXPECT_EQ(d["tags"], Json::array({"forwarded", "misp-threat_attributes"}));
  EXPECT_EQ(d["organization"]["id"], "7");
  EXPECT_FALSE(d.contains("_conf"));
}

TEST(Tags, AttributeTagsAppendWithoutDuplicates) {
  Json a = attribute();
  a["Tag"] =
      Json::array({{{"name", "tlp:green"}}, {{"name", "forwarded"}}, {{"name", "tlp:green"}}});
  Options o;
  o.dataset = Dataset::kThreatAttributes;
  o.now_ms = kNow;
  o.tags = {"forwarded"};
  Json d = Json::parse(map_document(a.dump(), o).document);
  EXPECT_EQ(d["tags"], Json::array({"forwarded", "tlp:green"}));
  EXPECT_EQ(d["threat"]["indicator"]["marking"]["tlp"], Json::array({"GREEN", "GREEN"}));
}

TEST(Id, FingerprintOfFirstSeenTimestampUuidAndEventUuid) {
  Output a, b;
  map_attr(attribute(), "90d", false, &a);
  Json changed = attribute();
  changed["value"] = "192.0.2.99";  // value is not part of the _id
  map_attr(changed, "90d", false, &b);
  EXPECT_EQ(a.id, b.id);
  changed["timestamp"] = "1735603201";
  map_attr(changed, "90d", false, &b);
  EXPECT_NE(a.id, b.id);
}

}  // namespace
}  // namespace misp::mapping
