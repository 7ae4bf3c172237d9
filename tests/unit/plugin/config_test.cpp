// Stream configuration: the seed's variables with its defaults, YAML or JSON, and every bad value
// refused before any request with a message naming the key.
#include "plugin/config.h"

#include <gtest/gtest.h>

#include <sstream>

namespace misp::plugin {
namespace {

using mapping::Dataset;

TEST(Config, DefaultsAreTheIntegrations) {
  auto c = parse_config("api_token: abc\n", Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->url.redacted(), "https://mispserver.com:443");
  EXPECT_EQ(c->limit, 10);
  EXPECT_EQ(c->initial_interval, std::chrono::hours(120));
  EXPECT_EQ(c->interval, std::chrono::minutes(10));
  EXPECT_EQ(c->http_client_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->http_request_rate_limit, 1.0);
  EXPECT_EQ(c->tags, (std::vector<std::string>{"forwarded", "misp-threat"}));
  EXPECT_FALSE(c->preserve_original_event);
  EXPECT_EQ(c->ioc_expiration_duration, "90d");
  EXPECT_EQ(c->refetch_interval, std::chrono::hours(24));
  EXPECT_EQ(c->output, OutputMode::kEcs);
  EXPECT_EQ(c->endpoint(), "/events/restSearch");
  auto a = parse_config("api_token: abc\n", Dataset::kThreatAttributes);
  EXPECT_EQ(a->tags, (std::vector<std::string>{"forwarded", "misp-threat_attributes"}));
  EXPECT_EQ(a->endpoint(), "/attributes/restSearch");
}

TEST(Config, YamlAndJsonAlike) {
  auto y = parse_config(
      "url: https://misp.example:8443/misp/\napi_token: k\nlimit: 500\nfilters:\n  type: {OR: "
      "[ip-src, ip-dst]}\n  tags: {NOT: ['tlp:red']}\n",
      Dataset::kThreatAttributes);
  auto j = parse_config(
      R"({"url":"https://misp.example:8443/misp/","api_token":"k","limit":500,"filters":{"type":{"OR":["ip-src","ip-dst"]},"tags":{"NOT":["tlp:red"]}}})",
      Dataset::kThreatAttributes);
  ASSERT_TRUE(y.ok()) << y.error().text();
  ASSERT_TRUE(j.ok()) << j.error().text();
  EXPECT_EQ(y->filters_json, j->filters_json);
  EXPECT_EQ(y->endpoint(), "/misp/attributes/restSearch");
  EXPECT_EQ(y->url.port, 8443);
  EXPECT_EQ(y->limit, 500);
}

TEST(Config, FiltersAsTheUisYamlText) {
  auto c = parse_config("api_token: k\nfilters: |\n  decayingModel: 2\n  to_ids: 1\n",
                        Dataset::kThreatAttributes);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->filters_json, R"({"decayingModel":2,"to_ids":1})");
}

struct Bad {
  const char* yaml;
  const char* error;  // exact text
};

void PrintTo(const Bad& b, std::ostream* os) {
  *os << b.error;
}

class BadConfig : public ::testing::TestWithParam<Bad> {};

TEST_P(BadConfig, RefusedWithKeyAndReason) {
  auto c = parse_config(GetParam().yaml, Dataset::kThreatAttributes);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadConfig,
    ::testing::Values(
        Bad{"url: http://x\n", "api_token: is required"},
        Bad{"api_token: k\nlimt: 5\n",
            "limt: unknown option (see misp-agent run --help for the list)"},
        Bad{"api_token: k\nlimit: 0\n", "limit: must be between 1 and 10000, got 0"},
        Bad{"api_token: k\nlimit: ten\n", "limit: must be a whole number, got 'ten'"},
        Bad{"api_token: k\nlimit: [1]\n", "limit: must be a whole number, got a list"},
        Bad{"api_token: k\ninterval: 10 minutes\n",
            "interval: must be a duration such as 30s, 10m or 120h, got '10 minutes'"},
        Bad{"api_token: k\ninitial_interval: 5d\n",
            "initial_interval: must be a duration such as 30s, 10m or 120h, got '5d'"},
        Bad{"api_token: k\nurl: ftp://misp\n", "url: must use http or https, got ftp"},
        Bad{"api_token: k\nurl: misp.example\n",
            "url: must be an absolute http:// or https:// URL"},
        Bad{"api_token: k\nurl: https://misp:99999\n", "url: has an invalid port '99999'"},
        Bad{"api_token: k\npreserve_original_event: yes please\n",
            "preserve_original_event: must be true or false, got 'yes please'"},
        Bad{"api_token: k\nssl:\n  verification_mode: strict\n",
            "ssl.verification_mode: must be full, certificate or none"},
        Bad{"api_token: k\nssl:\n  certificate: /c.pem\n", "ssl: certificate and key go together"},
        Bad{"api_token: k\nssl:\n  supported_protocols: [TLSv1.0]\n",
            "ssl.supported_protocols: supports TLSv1.2 and TLSv1.3, got TLSv1.0"},
        Bad{"api_token: k\nioc_expiration_duration: 2w\n",
            "ioc_expiration_duration: must be a number followed by d, h or m, got '2w'"},
        Bad{"api_token: k\noutput: xml\n", "output: must be ecs or raw"},
        Bad{"api_token: k\nhttp_request_rate_limit: -1\n",
            "http_request_rate_limit: must not be negative, got -1"},
        Bad{"api_token: k\nproxy_url: https://proxy:3128\n",
            "proxy_url: must be an http:// proxy URL"},
        Bad{"api_token: k\nfilters: [1, 2]\n",
            "filters: must be a mapping of MISP filters, got a list"},
        Bad{"[unclosed",
            "configuration is neither YAML nor JSON: yaml-cpp: error at line 1, column 1: end of "
            "sequence flow not found"},
        Bad{"- a\n- b\n", "configuration must be a mapping of stream variables"}));

TEST(Config, AttributesOnlyOptionsRefusedForThreat) {
  auto c = parse_config("api_token: k\nenforce_warning_list: true\n", Dataset::kThreat);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(),
            "enforce_warning_list: applies to the threat_attributes data stream only");
}

// Secrets print as <redacted>, and URLs print without credentials.
TEST(Config, SecretsNeverPrint) {
  auto c = parse_config("api_token: topsecret\nproxy_url: http://bob:hunter2@proxy:3128\n",
                        Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  std::ostringstream os;
  os << c->api_token << " " << c->proxy_url->password << " " << c->proxy_url->redacted();
  EXPECT_EQ(os.str(), "<redacted> <redacted> http://proxy:3128");
  EXPECT_EQ(c->proxy_url->user, "bob");
  EXPECT_EQ(c->proxy_url->password.reveal(), "hunter2");
}

TEST(Duration, GoStyle) {
  EXPECT_EQ(parse_duration("120h"), std::chrono::hours(120));
  EXPECT_EQ(parse_duration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(parse_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("5d"));
}

}  // namespace
}  // namespace misp::plugin
