// Every MISP attribute type (all 194 of describeTypes.json), one attribute each with the value a
// real MISP stores, maps through both data streams as section 4 of the pipelines reference says:
// indicator type, where the value goes, what is removed, what stays in misp.*. Under
// strict_elastic_parity the result is Elastic's exactly; by default it differs only where
// docs/divergences.md says so. Expectations come from section4_expected.cpp, which restates the
// reference rule by rule; never from our own output (issue 13).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "mapping/json/parse.h"
#include "mapping/mapper.h"
#include "plugin/split.h"
#include "tests/conformance/section4_expected.h"
#include "tests/support/json_diff.h"
#include "tests/support/vectors.h"

namespace misp::test {
namespace {

using Json = nlohmann::json;
using mapping::Dataset;

// One line of tests/conformance/all_types.json; the category is MISP's default for the type.
struct Row {
  std::string type, category, value;
  bool to_ids = false;
};

const Json& describe_types() {
  static const Json j =
      Json::parse(read_file(shared_path("vectors/misp/describeTypes.json"))).at("result");
  return j;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> r = [] {
    std::vector<Row> out;
    Json data = Json::parse(read_file(source_path("tests/conformance/all_types.json")));
    for (const auto& a : data.at("attributes")) {
      const Json& defaults =
          describe_types().at("sane_defaults").at(a.at("type").get<std::string>());
      out.push_back({a.at("type"), defaults.at("default_category"), a.at("value"),
                     defaults.at("to_ids").get<int>() == 1});
    }
    return out;
  }();
  return r;
}

// ---- The input: a generated restSearch response and event export ---------------------------

constexpr const char* kEventUuid = "5a3b7c1e-0d2f-4e6a-9b8c-7d6e5f4a3b2c";

std::string attribute_uuid(std::size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0c0ffee0-0000-4000-8000-%012zx", i);
  return buf;
}

// An attribute as MISP 2.5.1 returns it (field set and string-typed numbers as observed).
Json attribute(const Row& r, std::size_t i) {
  return {{"id", std::to_string(2585 + i)},
          {"event_id", "61"},
          {"object_id", "0"},
          {"object_relation", nullptr},
          {"category", r.category},
          {"type", r.type},
          {"to_ids", r.to_ids},
          {"uuid", attribute_uuid(i)},
          {"timestamp", "1796194902"},
          {"distribution", "0"},
          {"sharing_group_id", "0"},
          {"comment", ""},
          {"deleted", false},
          {"disable_correlation", false},
          {"first_seen", nullptr},
          {"last_seen", nullptr},
          {"value", r.value}};
}

// POST /attributes/restSearch: each attribute carries its event's summary.
std::string attributes_response() {
  Json list = Json::array();
  for (std::size_t i = 0; i < rows().size(); ++i) {
    Json a = attribute(rows()[i], i);
    a["Event"] = {{"org_id", "1"},
                  {"distribution", "0"},
                  {"publish_timestamp", "0"},
                  {"id", "61"},
                  {"info", "all-types conformance"},
                  {"orgc_id", "1"},
                  {"uuid", kEventUuid}};
    list.push_back(a);
  }
  return Json{{"response", {{"Attribute", list}}}}.dump();
}

// POST /events/restSearch: one event holding every attribute.
std::string events_response() {
  Json list = Json::array();
  for (std::size_t i = 0; i < rows().size(); ++i) {
    Json a = attribute(rows()[i], i);
    a["Galaxy"] = Json::array();
    a["ShadowAttribute"] = Json::array();
    list.push_back(a);
  }
  Json org = {{"id", "1"},
              {"name", "ORGNAME"},
              {"uuid", "718d098d-5b75-4324-8923-c2c9eacda7ed"},
              {"local", true}};
  Json event = {{"id", "61"},
                {"orgc_id", "1"},
                {"org_id", "1"},
                {"date", "2026-12-02"},
                {"threat_level_id", "4"},
                {"info", "all-types conformance"},
                {"published", false},
                {"uuid", kEventUuid},
                {"attribute_count", std::to_string(rows().size())},
                {"analysis", "0"},
                {"timestamp", "1796194993"},
                {"distribution", "0"},
                {"proposal_email_lock", false},
                {"locked", false},
                {"publish_timestamp", "0"},
                {"sharing_group_id", "0"},
                {"disable_correlation", false},
                {"extends_uuid", ""},
                {"protected", nullptr},
                {"event_creator_email", "admin@admin.test"},
                {"Org", org},
                {"Orgc", org},
                {"Attribute", list},
                {"ShadowAttribute", Json::array()},
                {"RelatedEvent", Json::array()},
                {"Galaxy", Json::array()},
                {"Object", Json::array()},
                {"EventReport", Json::array()},
                {"CryptographicKey", Json::array()}};
  return Json{{"response", Json::array({{{"Event", event}}})}}.dump();
}

struct Mapped {
  Json doc;
  std::string error;
};

// Splits the generated body as the poller does and maps every document; keyed by MISP type.
std::map<std::string, Mapped> map_all(Dataset dataset, bool strict) {
  std::string text = dataset == Dataset::kThreat ? events_response() : attributes_response();
  json::Parser parser;
  json::Doc doc;
  json::Value body;
  std::string error;
  EXPECT_TRUE(parser.parse(text, doc, body, error)) << error;
  mapping::Options options;
  options.dataset = dataset;
  options.now_ms = 1'796'200'000'000;
  options.strict_elastic_parity = strict;
  mapping::Mapper mapper(options);
  std::map<std::string, Mapped> out;
  auto on_message = [&](std::string_view m) {
    auto o = mapper.map(m);
    ASSERT_EQ(o.kind, mapping::Output::Kind::kDocument);
    Json d = Json::parse(o.document);
    std::string type = d["misp"]["attribute"].value("type", "");
    EXPECT_EQ(out.count(type), 0u) << "two documents for " << type;
    out[type] = {d, o.error};
  };
  if (dataset == Dataset::kThreat)
    plugin::split_events_response(body, plugin::SplitMode::kPerIndicator, on_message);
  else
    plugin::split_attributes_response(body, on_message);
  return out;
}

// ---- Tests ------------------------------------------------------------------------------

// The data file holds each of MISP's 194 types exactly once.
TEST(AllTypes, DataFileHasEveryMispTypeOnce) {
  std::multiset<std::string> in_file;
  for (const auto& r : rows()) in_file.insert(r.type);
  std::multiset<std::string> misp;
  for (const auto& t : describe_types().at("types")) misp.insert(t.get<std::string>());
  EXPECT_EQ(misp.size(), 194u);
  EXPECT_EQ(in_file, misp);
}

// Values are in the form MISP stores: trimmed, lower-case hashes, compressed IP addresses,
// lower-case ASCII (punycode) domain names.
TEST(AllTypes, ValuesAreInMispStoredForm) {
  auto lower = [](const std::string& s) {
    return std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isupper(c); });
  };
  auto canonical_ip = [](const std::string& s) {
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    int family = s.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    return inet_pton(family, s.c_str(), buf) == 1 && s == inet_ntop(family, buf, text, sizeof text);
  };
  for (const auto& r : rows()) {
    SCOPED_TRACE(r.type);
    const std::string& v = r.value;
    ASSERT_FALSE(v.empty());
    EXPECT_FALSE(std::isspace(static_cast<unsigned char>(v.front())) ||
                 std::isspace(static_cast<unsigned char>(v.back())));
    const std::string& t = r.type;
    const bool fuzzy = t.ends_with("ssdeep") || t.ends_with("impfuzzy");  // not hex digests
    if (section4_hash_types().count(t) && !fuzzy) {
      EXPECT_TRUE(lower(v));
    }
    if (t.starts_with("filename|") && !fuzzy) {
      EXPECT_TRUE(lower(after_bar(v)));
    }
    if (t == "ip-src" || t == "ip-dst") {
      EXPECT_TRUE(canonical_ip(v));
    }
    if (t == "ip-src|port" || t == "ip-dst|port") {
      EXPECT_TRUE(canonical_ip(before_bar(v)));
    }
    if (t == "domain|ip") {
      EXPECT_TRUE(canonical_ip(after_bar(v)));
    }
    if (t == "domain" || t == "hostname" || t == "domain|ip" || t == "hostname|port") {
      EXPECT_TRUE(lower(v) &&
                  std::all_of(v.begin(), v.end(), [](unsigned char c) { return c < 0x80; }));
    }
  }
}

struct StreamMode {
  const char* name;
  Dataset dataset;
  bool strict;
};

void PrintTo(const StreamMode& m, std::ostream* os) {
  *os << m.name;
}

class AllTypesStream : public ::testing::TestWithParam<StreamMode> {};

TEST_P(AllTypesStream, EveryTypeMapsAsSectionFourSays) {
  const StreamMode& p = GetParam();
  auto mapped = map_all(p.dataset, p.strict);
  ASSERT_EQ(mapped.size(), rows().size());
  for (std::size_t i = 0; i < rows().size(); ++i) {
    const Row& r = rows()[i];
    SCOPED_TRACE(r.type + " = " + r.value);
    ASSERT_EQ(mapped.count(r.type), 1u);
    const Mapped& m = mapped.at(r.type);
    Section4Expected want = p.strict ? elastic_expected(r.type, r.value, p.dataset)
                                     : default_expected(r.type, r.value, p.dataset);
    EXPECT_EQ(m.error, "");
    EXPECT_EQ(m.doc["event"]["kind"], "enrichment");

    Json indicator = m.doc["threat"]["indicator"];
    EXPECT_EQ(indicator.value("provider", ""), "misp");
    indicator.erase("provider");
    indicator.erase("scanner_stats");  // from misp.event.analysis, not from the attribute
    EXPECT_EQ(json_diff(want.indicator, indicator), "");

    const Json& attr = m.doc["misp"]["attribute"];
    if (want.keeps_value)
      EXPECT_EQ(attr.value("value", "<removed>"), r.value);
    else
      EXPECT_FALSE(attr.contains("value")) << attr["value"];
    EXPECT_EQ(attr["type"], r.type);
    EXPECT_EQ(attr["category"], r.category);
    EXPECT_EQ(attr["uuid"], attribute_uuid(i));
    EXPECT_EQ(attr["to_ids"], r.to_ids);
    EXPECT_EQ(m.doc["misp"]["event"]["uuid"], kEventUuid);
    // threat_attributes removes misp.attribute.timestamp (3b step 24); threat keeps it as a date.
    EXPECT_EQ(attr.contains("timestamp"), p.dataset == Dataset::kThreat);
    for (const char* scratch : {"_tmp", "json", "_conf", "temp_tags"})
      EXPECT_FALSE(m.doc.contains(scratch)) << scratch;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Streams, AllTypesStream,
    ::testing::Values(StreamMode{"threat", Dataset::kThreat, false},
                      StreamMode{"threat_strict", Dataset::kThreat, true},
                      StreamMode{"threat_attributes", Dataset::kThreatAttributes, false},
                      StreamMode{"threat_attributes_strict", Dataset::kThreatAttributes, true}),
    [](const auto& info) { return std::string(info.param.name); });

// Under strict parity the two streams differ exactly where section 4 says: email* other than
// email-src/email-dst, mime-type, mutex, cpe and uri.
TEST(AllTypes, StreamsDifferOnlyWhereSectionFourSays) {
  auto threat = map_all(Dataset::kThreat, true);
  auto attributes = map_all(Dataset::kThreatAttributes, true);
  std::set<std::string> differ;
  for (const auto& r : rows()) {
    Json a = threat[r.type].doc["threat"]["indicator"];
    Json b = attributes[r.type].doc["threat"]["indicator"];
    for (Json* j : {&a, &b}) {
      j->erase("provider");
      j->erase("scanner_stats");
    }
    if (a != b) differ.insert(r.type);
  }
  std::set<std::string> want = {"mime-type", "mutex", "cpe", "uri"};
  for (const auto& r : rows())
    if (r.type.starts_with("email") && r.type != "email-src" && r.type != "email-dst")
      want.insert(r.type);
  EXPECT_EQ(differ, want);
}

}  // namespace
}  // namespace misp::test
