// Each MISP attribute type lands in the threat.indicator fields section 4 of the pipelines
// reference gives it, in both data streams, with our documented divergences switchable off.
#include "mapping/indicator.h"

#include <gtest/gtest.h>

#include <tuple>

#include <nlohmann/json.hpp>

#include "mapping/mapper.h"

namespace misp::mapping {
namespace {

using Json = nlohmann::json;

Json map_attribute(Dataset dataset, const std::string& type, const std::string& value,
                   bool strict = false, std::string* error = nullptr) {
  Json attr = {{"type", type},
               {"value", value},
               {"timestamp", "1621589229"},
               {"uuid", "a-1"},
               {"category", "Network activity"},
               {"distribution", "5"}};
  Json message;
  if (dataset == Dataset::kThreat) {
    message = {{"Event",
                {{"Attribute", attr},
                 {"Object", Json::array()},
                 {"timestamp", "1621592532"},
                 {"uuid", "e-1"},
                 {"analysis", "0"}}}};
  } else {
    attr["Event"] = {{"uuid", "e-1"}};
    message = attr;
  }
  Options o;
  o.dataset = dataset;
  o.now_ms = 1'735'689'600'000;
  o.strict_elastic_parity = strict;
  Output out = map_document(message.dump(), o);
  if (error) *error = out.error;
  return Json::parse(out.document);
}

struct Case {
  const char* name;
  Dataset dataset;
  const char* type;
  const char* value;
  bool strict;
  const char* pointer;    // a field the case must produce ("" for none)
  Json expected;          // its value
  const char* indicator;  // threat.indicator.type ("" = unset)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class IndicatorTable : public ::testing::TestWithParam<Case> {};

TEST_P(IndicatorTable, MapsTypeToIndicatorFields) {
  const Case& c = GetParam();
  std::string error;
  Json doc = map_attribute(c.dataset, c.type, c.value, c.strict, &error);
  EXPECT_EQ(error, "") << doc.dump();
  const Json& ind = doc["threat"]["indicator"];
  if (*c.indicator) {
    EXPECT_EQ(ind.value("type", ""), c.indicator) << doc.dump();
  } else {
    EXPECT_FALSE(ind.contains("type"));
    EXPECT_EQ(doc["misp"]["attribute"]["value"], c.value) << "untyped values are kept";
  }
  if (*c.pointer) {
    Json::json_pointer p(c.pointer);
    ASSERT_TRUE(doc.contains(p)) << c.pointer << " in " << doc.dump();
    EXPECT_EQ(doc[p], c.expected);
  }
}

constexpr auto T = Dataset::kThreat;
constexpr auto A = Dataset::kThreatAttributes;

const Case kCases[] = {
    {"md5", T, "md5", "d41d8cd98f00b204e9800998ecf8427e", false, "/threat/indicator/file/hash/md5",
     "d41d8cd98f00b204e9800998ecf8427e", "file"},
    {"sha1", T, "sha1", "da39a3ee", false, "/threat/indicator/file/hash/sha1", "da39a3ee", "file"},
    {"sha256", A, "sha256", "e3b0c442", false, "/threat/indicator/file/hash/sha256", "e3b0c442",
     "file"},
    {"sha3_256", T, "sha3-256", "a7ffc6f8", false, "/threat/indicator/file/hash/sha3-256",
     "a7ffc6f8", "file"},
    {"sha512_224", T, "sha512/224", "6ed0dd02", false, "/threat/indicator/file/hash/sha512~1224",
     "6ed0dd02", "file"},
    {"ssdeep", T, "ssdeep", "3:a:b", false, "/threat/indicator/file/hash/ssdeep", "3:a:b", "file"},
    {"tlsh", T, "tlsh", "T1ABC", false, "/threat/indicator/file/hash/tlsh", "T1ABC", "file"},
    {"imphash", T, "imphash", "f34d5f2d", false, "/threat/indicator/file/hash/imphash", "f34d5f2d",
     "file"},
    {"filename", T, "filename", "evil.exe", false, "/threat/indicator/file/name", "evil.exe",
     "file"},
    {"filename_md5_name", T, "filename|md5", "evil.exe|d41d8cd9", false,
     "/threat/indicator/file/name", "evil.exe", "file"},
    {"filename_md5_hash", T, "filename|md5", "evil.exe|d41d8cd9", false,
     "/threat/indicator/file/hash/md5", "d41d8cd9", "file"},
    {"filename_sha3_256", T, "filename|sha3-256", "a.txt|a7ff", false,
     "/threat/indicator/file/hash/sha3", "a7ff", "file"},
    {"filename_pipe_in_hash", A, "filename|sha256", "a.txt|x|y", false,
     "/threat/indicator/file/hash/sha256", "x|y", "file"},
    {"url_domain", T, "url", "https://evil.example:8443/a/b.php?q=1", false,
     "/threat/indicator/url/domain", "evil.example", "url"},
    {"url_port", T, "url", "https://evil.example:8443/a/b.php?q=1", false,
     "/threat/indicator/url/port", 8443, "url"},
    {"url_full", A, "url", "https://evil.example/a", false, "/threat/indicator/url/full",
     "https://evil.example/a", "url"},
    {"link_extension", T, "link", "http://x.example/r.pdf", false,
     "/threat/indicator/url/extension", "pdf", "url"},
    {"uri_attributes", A, "uri", "http://x.example/i.php", false, "/threat/indicator/url/path",
     "/i.php", "url"},
    {"uri_threat", T, "uri", "http://x.example/i.php", false, "/threat/indicator/url/original",
     "http://x.example/i.php", "url"},
    {"url_unparsable_kept", A, "url", "http://exa mple.com/x y", false,
     "/threat/indicator/url/original", "http://exa mple.com/x y", "url"},
    {"regkey", T, "regkey", "HKLM\\Software\\Run", false, "/threat/indicator/registry/key",
     "HKLM\\Software\\Run", "windows-registry-key"},
    {"regkey_value_key", T, "regkey|value", "HKLM\\Run|evil.exe", false,
     "/threat/indicator/registry/key", "HKLM\\Run", "windows-registry-key"},
    {"regkey_value_empty", A, "regkey|value", "HKLM\\Run|", false,
     "/threat/indicator/registry/value", "", "windows-registry-key"},
    {"as_number", T, "AS", "13335", false, "/threat/indicator/as/number", 13335,
     "autonomous-system"},
    {"as_prefixed", A, "AS", "AS13335", false, "/threat/indicator/as/number", 13335,
     "autonomous-system"},
    {"hostname", T, "hostname", "mail.example", false, "/threat/indicator/url/domain",
     "mail.example", "domain-name"},
    {"domain", A, "domain", "example.org", false, "/threat/indicator/url/domain", "example.org",
     "domain-name"},
    {"domain_ip", T, "domain|ip", "example.org|192.0.2.1", false, "/threat/indicator/ip",
     "192.0.2.1", "domain-name"},
    {"domain_ipv6", T, "domain|ip", "example.org|2001:db8::1", false, "/threat/indicator/ip",
     "2001:db8::1", "domain-name"},
    {"domain_ip_domain", A, "domain|ip", "example.org|192.0.2.1", false,
     "/threat/indicator/url/domain", "example.org", "domain-name"},
    {"ip_src", T, "ip-src", "192.0.2.7", false, "/threat/indicator/ip", "192.0.2.7", "ipv4-addr"},
    {"ip_dst_v6", A, "ip-dst", "2001:db8::7", false, "/threat/indicator/ip", "2001:db8::7",
     "ipv6-addr"},
    {"ip_dst_v6_strict", A, "ip-dst", "2001:db8::7", true, "/threat/indicator/ip", "2001:db8::7",
     "ipv4-addr"},
    {"ip_src_cidr", T, "ip-src", "198.51.100.0/24", false, "/misp/attribute/value",
     "198.51.100.0/24", "ipv4-addr"},
    {"ip_src_cidr_v6", A, "ip-src", "2001:db8::/32", false, "/misp/attribute/value",
     "2001:db8::/32", "ipv6-addr"},
    {"ip_src_cidr_strict", T, "ip-src", "198.51.100.0/24", true, "/threat/indicator/ip",
     "198.51.100.0/24", "ipv4-addr"},
    {"ip_port_ip", T, "ip-dst|port", "192.0.2.9|8080", false, "/threat/indicator/ip", "192.0.2.9",
     "ipv4-addr"},
    {"ip_port_port", A, "ip-src|port", "192.0.2.9|8080", false, "/threat/indicator/port", 8080,
     "ipv4-addr"},
    {"email_src", T, "email-src", "a@example.org", false, "/threat/indicator/email/address",
     "a@example.org", "email-addr"},
    {"email_dst_attr", A, "email-dst", "b@example.org", false, "/threat/indicator/email/address",
     "b@example.org", "email-addr"},
    {"email_subject_threat", T, "email-subject", "Invoice", false, "", nullptr, "email-message"},
    {"email_subject_attr", A, "email-subject", "Invoice", false, "/threat/indicator/email/subject",
     "Invoice", "email-addr"},
    {"mac", T, "mac-address", "00:11:22:33:44:55", false, "/threat/indicator/mac",
     "00:11:22:33:44:55", "mac-addr"},
    {"mac_eui", A, "mac-eui-64", "00:11:22:ff:fe:33:44:55", false, "/threat/indicator/mac",
     "00:11:22:ff:fe:33:44:55", "mac-addr"},
    {"mime_attr", A, "mime-type", "text/html", false, "", nullptr, "artifact"},
    {"mutex_attr", A, "mutex", "Global\\x", false, "", nullptr, "mutex"},
    {"cpe_attr", A, "cpe", "cpe:2.3:a:x", false, "", nullptr, "software"},
    {"filename_pattern", T, "filename-pattern", ".*\\.pdf\\.exe$", false, "/misp/attribute/value",
     ".*\\.pdf\\.exe$", "file"},
    {"filename_pattern_attr", A, "filename-pattern", "invoice_*.js", false, "/misp/attribute/value",
     "invoice_*.js", "file"},
    {"regkey_value_kept", A, "regkey|value", "HKLM\\Run|evil.exe", false, "/misp/attribute/value",
     "HKLM\\Run|evil.exe", "windows-registry-key"},
    {"email_body_threat", T, "email-body", "Open it", false, "/misp/attribute/value", "Open it",
     "email-message"},
    {"email_reply_to_attr", A, "email-reply-to", "r@example.org", false, "/misp/attribute/value",
     "r@example.org", "email-addr"},
    {"mutex_attr_kept", A, "mutex", "Global\\x", false, "/misp/attribute/value", "Global\\x",
     "mutex"},
    {"text", T, "text", "just words", false, "", nullptr, ""},
    {"comment", A, "comment", "note", false, "", nullptr, ""},
    {"float", T, "float", "7.9", false, "", nullptr, ""},
};

INSTANTIATE_TEST_SUITE_P(Types, IndicatorTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

// Strict parity: Elastic's long conversion fails on "AS13335" and the document becomes a
// pipeline_error that keeps the original.
TEST(Indicator, StrictParityAsPrefixIsPipelineError) {
  std::string error;
  Json doc = map_attribute(Dataset::kThreat, "AS", "AS13335", true, &error);
  EXPECT_EQ(error, "unable to convert [AS13335] to long");
  EXPECT_EQ(doc["event"]["kind"], "pipeline_error");
  EXPECT_EQ(doc["error"]["message"], Json::array({"unable to convert [AS13335] to long"}));
  EXPECT_TRUE(doc["event"].contains("original"));
  EXPECT_EQ(doc["tags"], Json::array({"preserve_original_event"}));
}

// The threat pipeline never parses `uri`: under strict parity the value simply disappears.
TEST(Indicator, StrictParityThreatUriKeepsNothing) {
  Json doc = map_attribute(Dataset::kThreat, "uri", "http://x.example/i.php", true);
  EXPECT_EQ(doc["threat"]["indicator"]["type"], "url");
  EXPECT_FALSE(doc["threat"]["indicator"].contains("url"));
  EXPECT_FALSE(doc["misp"]["attribute"].contains("value"));
}

// filename-pattern is a file indicator, as in Elastic (its condition is startsWith('filename')),
// but the pattern is no file name: it stays in misp.attribute.value, the only place it survives.
TEST(Indicator, Issue13_FilenamePatternIsAFileAndKeepsThePattern) {
  for (Dataset d : {Dataset::kThreat, Dataset::kThreatAttributes}) {
    Json doc = map_attribute(d, "filename-pattern", ".*\\.pdf\\.exe$");
    EXPECT_EQ(doc["threat"]["indicator"]["type"], "file");
    EXPECT_FALSE(doc["threat"]["indicator"].contains("file")) << "a pattern is no file name";
    EXPECT_EQ(doc["misp"]["attribute"]["value"], ".*\\.pdf\\.exe$");
  }
}

// Strict parity: every value Elastic types but maps nowhere is removed, as its pipelines do.
TEST(Indicator, Issue13_StrictParityDropsValuesMappedNowhere) {
  struct {
    Dataset dataset;
    const char* type;
    const char* value;
    const char* indicator;
  } cases[] = {{Dataset::kThreat, "filename-pattern", "*.scr", "file"},
               {Dataset::kThreatAttributes, "filename-pattern", "*.scr", "file"},
               {Dataset::kThreat, "regkey|value", "HKLM\\Run|evil.exe", "windows-registry-key"},
               {Dataset::kThreat, "email-subject", "Invoice", "email-message"},
               {Dataset::kThreatAttributes, "email-body", "Open it", "email-addr"},
               {Dataset::kThreatAttributes, "mime-type", "text/html", "artifact"},
               {Dataset::kThreatAttributes, "mutex", "Global\\x", "mutex"},
               {Dataset::kThreatAttributes, "cpe", "cpe:2.3:a:x", "software"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type);
    Json doc = map_attribute(c.dataset, c.type, c.value, /*strict=*/true);
    EXPECT_EQ(doc["threat"]["indicator"]["type"], c.indicator);
    EXPECT_FALSE(doc["misp"]["attribute"].contains("value"));
    EXPECT_EQ(map_attribute(c.dataset, c.type, c.value)["misp"]["attribute"]["value"], c.value)
        << "kept by default";
  }
}

// A value that lands in threat.indicator is still removed from misp.attribute, as in Elastic.
TEST(Indicator, Issue13_MappedValuesAreStillRemoved) {
  for (auto [d, type, value] :
       {std::tuple{Dataset::kThreat, "email-src", "a@example.org"},
        std::tuple{Dataset::kThreatAttributes, "email-subject", "Invoice"},
        std::tuple{Dataset::kThreat, "regkey", "HKLM\\Run"},
        std::tuple{Dataset::kThreatAttributes, "filename|md5", "a.exe|d41d8cd9"}}) {
    SCOPED_TRACE(type);
    EXPECT_FALSE(map_attribute(d, type, value)["misp"]["attribute"].contains("value"));
  }
}

// A grok mismatch fails the pipeline with Elasticsearch's message, naming the value.
TEST(Indicator, FilenamePairWithoutPipeIsPipelineError) {
  std::string error;
  Json doc = map_attribute(Dataset::kThreat, "filename|md5", "nopipe", false, &error);
  EXPECT_EQ(error, "Provided Grok expressions do not match field value: [nopipe]");
  EXPECT_EQ(doc["event"]["kind"], "pipeline_error");
}

TEST(Indicator, HashTypeListIsTheTables) {
  for (auto t : {"md5", "impfuzzy", "imphash", "pehash", "sha1", "sha224", "sha256", "sha3-224",
                 "sha3-256", "sha3-384", "sha3-512", "sha384", "sha512", "sha512/224", "sha512/256",
                 "ssdeep", "tlsh", "vhash"})
    EXPECT_TRUE(is_hash_type(t)) << t;
  EXPECT_FALSE(is_hash_type("filename|md5"));
  EXPECT_FALSE(is_hash_type("sha3"));
}

}  // namespace
}  // namespace misp::mapping
