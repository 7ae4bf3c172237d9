// Stream configuration: the seed's variables with its defaults, YAML or JSON, and every bad value
// refused before any request with a message naming the key.
#include "plugin/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/secrets.h"

namespace misp::plugin {
namespace {

using mapping::Dataset;

TEST(Config, DefaultsAreTheIntegrations) {
  auto c = parse_config("url: https://misp.example\napi_token: abc\n", Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->url.redacted(), "https://misp.example:443");
  EXPECT_EQ(c->limit, 10);
  EXPECT_EQ(c->initial_interval, std::chrono::hours(120));
  EXPECT_EQ(c->interval, std::chrono::minutes(10));
  EXPECT_EQ(c->settle_delay, std::chrono::seconds(60));
  EXPECT_EQ(c->http_client_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->http_request_rate_limit, 1.0);
  EXPECT_EQ(c->tags, (std::vector<std::string>{"forwarded", "misp-threat"}));
  EXPECT_FALSE(c->preserve_original_event);
  EXPECT_EQ(c->ioc_expiration_duration, std::chrono::hours(90 * 24));
  EXPECT_EQ(c->refetch_interval, std::chrono::hours(24));
  EXPECT_EQ(c->output, OutputMode::kEcs);
  EXPECT_EQ(c->endpoint(), "/events/restSearch");
  auto a = parse_config("url: https://misp.example\napi_token: abc\n", Dataset::kThreatAttributes);
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
  auto c = parse_config(
      "url: https://misp.example\napi_token: k\nfilters: |\n  decayingModel: 2\n  to_ids: 1\n",
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
        Bad{"api_token: k\nsettle_delay: 500ms\n",
            "settle_delay: must be at least 1000ms, got 500ms"},
        Bad{"api_token: k\nsettle_delay: 25h\n",
            "settle_delay: must be at most 86400000ms, got 25h"},
        Bad{"api_token: k\ninterval: 99999999999999h\n",
            "interval: too large, got 99999999999999h"},  // Issue10: was signed overflow
        Bad{"api_token: k\nsettle_delay: 2562047788015215h30m\n",
            "settle_delay: too large, got 2562047788015215h30m"},
        Bad{"api_token: k\nsettle_delay: soon\n",
            "settle_delay: must be a duration such as 30s, 10m or 120h, got 'soon'"},
        Bad{"api_token: k\nsettle_delay: 2h\ninitial_interval: 1h\n",
            "settle_delay: settle_delay must be shorter than initial_interval, or the first window "
            "is empty"},
        Bad{"api_token: k\ninitial_interval: 30s\n",
            "initial_interval: settle_delay must be shorter than initial_interval, or the first "
            "window is empty"},
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
        Bad{"- a\n- b\n", "configuration must be a mapping of stream variables"},
        Bad{"api_token: k\ndata_stream.type: metrics\n",
            "data_stream.type: must be logs, got 'metrics'"},
        Bad{"api_token: k\ndata_stream:\n  type: synthetics\n",
            "data_stream.type: must be logs, got 'synthetics'"},
        Bad{"api_token: k\ndata_stream:\n  dataset: ti_misp.threat\n",
            "data_stream.dataset: is 'ti_misp.threat' but the stream is loaded as "
            "ti_misp.threat_attributes"},
        Bad{"api_token: k\ndata_stream.namespace: Prod\n",
            "data_stream.namespace: must be lowercase, got Prod"},
        Bad{"api_token: k\ndata_stream: {namespace: team-a}\n",
            "data_stream.namespace: must not contain '-', got 'team-a'"},
        Bad{"api_token: k\ndata_stream.namespace: ''\n",
            "data_stream.namespace: must not be empty"},
        Bad{"api_token: k\ndata_stream: {namespace: a}\ndata_stream.namespace: b\n",
            "data_stream.namespace: is set twice"},
        Bad{"api_token: k\ndata_stream: {stream: x}\n",
            "data_stream.stream: unknown option (see misp-agent run --help for the list)"},
        Bad{"api_token: k\ndata_stream: logs\n",
            "data_stream: must be a mapping of type, dataset and namespace, got 'logs'"},
        Bad{"api_token: k\nfilters:\n  timestamp: 1d\n",
            "filters.timestamp: set by the poller (use initial_interval)"},
        Bad{"api_token: k\nfilters:\n  limit: 5\n",
            "filters.limit: set by the poller (use the limit option)"},
        Bad{"api_token: k\nfilters: |\n  page: 2\n",
            "filters.page: set by the poller (the poller pages by itself)"},
        Bad{"api_token: k\nfilters: {order: id desc}\n",
            "filters.order: set by the poller (the poller reads in (timestamp, id) order)"},
        Bad{"api_token: k\nfilters:\n  returnFormat: csv\n",
            "filters.returnFormat: set by the poller (always json)"},
        Bad{"api_token: k\napi_token_file: /run/secrets/misp\n",
            "api_token_file: cannot be set together with api_token"},
        Bad{"api_token_file: /nonexistent/misp-token\n",
            "api_token_file: cannot read /nonexistent/misp-token: No such file or directory"},
        Bad{"api_token_file: /\n", "api_token_file: cannot read /: it is a directory"},
        Bad{"api_token: k\nurl: https://${host.name}/\n",
            "url: uses ${host.name}: only ${env.NAME} (Elastic Agent's env provider) is supported; "
            "write $${ for a literal ${"}));

TEST(Config, AttributesOnlyOptionsRefusedForThreat) {
  auto c = parse_config("url: https://misp.example\napi_token: k\nenforce_warning_list: true\n",
                        Dataset::kThreat);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(),
            "enforce_warning_list: applies to the threat_attributes data stream only");
}

// Secrets print as <redacted>, and URLs print without credentials.
TEST(Config, SecretsNeverPrint) {
  auto c =
      parse_config("url: https://misp.example\napi_token: " + std::string(test::kSecretApiToken) +
                       "\nproxy_url: http://bob:" + test::kSecretProxyPassword + "@proxy:3128\n",
                   Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  std::ostringstream os;
  os << c->api_token << " " << c->proxy_url->password << " " << c->proxy_url->redacted();
  EXPECT_EQ(os.str(), "<redacted> <redacted> http://proxy:3128");
  EXPECT_EQ(c->proxy_url->user, "bob");
  EXPECT_EQ(c->proxy_url->password.reveal(), test::kSecretProxyPassword);
}

// settle_delay is a Go duration like the other intervals; whole seconds are kept.
TEST(Config, SettleDelay) {
  auto c =
      parse_config("url: https://misp.example\napi_token: k\nsettle_delay: 2m\n", Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->settle_delay, std::chrono::minutes(2));
  auto one = parse_config("url: https://misp.example\napi_token: k\nsettle_delay: 1s\n",
                          Dataset::kThreatAttributes);
  ASSERT_TRUE(one.ok()) << one.error().text();
  EXPECT_EQ(one->settle_delay, std::chrono::seconds(1));
}

// Elastic Agent writes data_stream nested or dotted, with type, dataset and namespace; all are
// accepted when they agree with the data set the host loads the stream as.
TEST(Config, DataStreamAsElasticAgentWritesIt) {
  const std::string url = "url: https://misp.example\n";
  for (const std::string& yaml :
       {url + "api_token: k\ndata_stream:\n  type: logs\n  dataset: ti_misp.threat\n"
              "  namespace: prod\n",
        url + "api_token: k\ndata_stream.type: logs\ndata_stream.dataset: ti_misp.threat\n"
              "data_stream.namespace: prod\n",
        url + "api_token: k\ndata_stream: {type: logs, dataset: ti_misp.threat}\n"
              "data_stream.namespace: prod\n",
        std::string(R"({"url":"https://misp.example","api_token":"k",)"
                    R"("data_stream":{"type":"logs","namespace":"prod"}})")}) {
    auto c = parse_config(yaml, Dataset::kThreat);
    ASSERT_TRUE(c.ok()) << yaml << ": " << c.error().text();
    EXPECT_EQ(c->data_stream_namespace, "prod") << yaml;
  }
}

// Filters keep the types YAML gives them (the YAML 1.2 core schema); quoting makes a string.
TEST(Config, FiltersKeepYamlTypes) {
  auto c = parse_config(
      "url: https://misp.example\napi_token: k\nfilters:\n"
      "  threshold: 0.5\n  published: true\n  to_ids: false\n  eventid: \"1\"\n  n: 1\n"
      "  neg: -3\n  exp: 1e3\n  hex: 0x10\n  none: null\n  tilde: ~\n  word: abc\n"
      "  quoted_bool: 'true'\n  quoted_null: \"null\"\n  tagged: !!str 5\n  inf: .inf\n"
      "  version: 1.2.3\n  list: [1, \"2\", 2.5, TRUE]\n",
      Dataset::kThreatAttributes);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(nlohmann::json::parse(c->filters_json), nlohmann::json::parse(R"({
    "threshold": 0.5, "published": true, "to_ids": false, "eventid": "1", "n": 1, "neg": -3,
    "exp": 1000.0, "hex": 16, "none": null, "tilde": null, "word": "abc", "quoted_bool": "true",
    "quoted_null": "null", "tagged": "5", "inf": ".inf", "version": "1.2.3",
    "list": [1, "2", 2.5, true]})"));
  // Integers stay integers in the request body MISP receives.
  EXPECT_NE(c->filters_json.find(R"("n":1,)"), std::string::npos) << c->filters_json;
}

// A CA file is read at load (Issue 10): the variable names a directory the test fills.
const std::filesystem::path kCaDir = std::filesystem::temp_directory_path() / "misp-config-test-ca";

std::map<std::string, std::string> kEnv = {{"MISP_URL", "https://misp.example:8443"},
                                           {"MISP_TOKEN", "env-token"},
                                           {"MISP_TAG", "tlp:green"},
                                           {"CA_DIR", kCaDir.string()},
                                           {"NS", "prod"},
                                           {"TWO_LINES", "first\nsecond"}};

VariableLookup fake_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = kEnv.find(name);
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
}

// ${env.NAME} is replaced in any string value: top level, inside filters and ssl (also when they
// are the UI's YAML text blocks), and in the middle of a string; $${ is a literal ${.
TEST(Config, EnvironmentVariables) {
  std::filesystem::create_directories(kCaDir);
  std::ofstream(kCaDir / "ca.pem")
      << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto c = parse_config(
      "url: ${env.MISP_URL}/misp\napi_token: ${env.MISP_TOKEN}\n"
      "data_stream: {namespace: '${env.NS}'}\n"
      "filters:\n  tags: {OR: ['${env.MISP_TAG}', 'x-${env.MISP_TAG}']}\n"
      "  comment: \"$${env.MISP_TAG} stays\"\n"
      "ssl: |\n  certificate_authorities:\n    - ${env.CA_DIR}/ca.pem\n",
      Dataset::kThreatAttributes, fake_env());
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->url.redacted(), "https://misp.example:8443/misp");
  EXPECT_EQ(c->api_token.reveal(), "env-token");
  EXPECT_EQ(c->data_stream_namespace, "prod");
  EXPECT_EQ(nlohmann::json::parse(c->filters_json), nlohmann::json::parse(R"({
    "tags": {"OR": ["tlp:green", "x-tlp:green"]}, "comment": "${env.MISP_TAG} stays"})"));
  EXPECT_EQ(c->ssl.certificate_authorities, std::vector<std::string>{(kCaDir / "ca.pem").string()});
  auto text = parse_config(
      "url: https://misp.example\napi_token: k\nfilters: |\n  tags: ['${env.MISP_TAG}']\n",
      Dataset::kThreatAttributes, fake_env());
  ASSERT_TRUE(text.ok()) << text.error().text();
  EXPECT_EQ(text->filters_json, R"({"tags":["tlp:green"]})");
}

// An unset variable is refused with the variable's name and the key where it appears.
TEST(Config, UnsetVariableNamesVariableAndKey) {
  struct {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"api_token: ${env.NOPE}\n", "api_token: environment variable NOPE is not set (${env.NOPE})"},
      {"api_token: k\nfilters:\n  tags: {OR: [a, '${env.NOPE}']}\n",
       "filters.tags.OR[1]: environment variable NOPE is not set (${env.NOPE})"},
      {"api_token: k\nssl: |\n  certificate: /c/${env.NOPE}.pem\n  key: /k.pem\n",
       "ssl.certificate: environment variable NOPE is not set (${env.NOPE})"},
      {"api_token: k\ndata_stream:\n  namespace: ${env.NOPE}\n",
       "data_stream.namespace: environment variable NOPE is not set (${env.NOPE})"},
  };
  for (const auto& t : cases) {
    auto c = parse_config(t.yaml, Dataset::kThreatAttributes, fake_env());
    ASSERT_FALSE(c.ok()) << t.yaml;
    EXPECT_EQ(c.error().text(), t.error);
    EXPECT_EQ(c.error().code, Errc::kConfigVariable);
  }
}

class TokenFile : public ::testing::Test {
 protected:
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() /
      ("misp-token-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void write(const std::string& bytes) { std::ofstream(path_, std::ios::binary) << bytes; }
  Result<Config> load() {
    return parse_config("url: https://misp.example\napi_token_file: " + path_.string() + "\n",
                        Dataset::kThreat);
  }
  void TearDown() override { std::filesystem::remove(path_); }
};

// api_token_file: the token is the file's content without its trailing newline.
TEST_F(TokenFile, TrailingNewlineTrimmed) {
  for (const char* bytes : {"file-token\n", "file-token\r\n", "file-token"}) {
    write(bytes);
    auto c = load();
    ASSERT_TRUE(c.ok()) << c.error().text();
    EXPECT_EQ(c->api_token.reveal(), "file-token");
  }
}

TEST_F(TokenFile, EmptyFileNamesThePath) {
  write("\n");
  auto c = load();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "api_token_file: " + path_.string() + " is empty");
}

// The token is a secret: no error message carries it, wherever it came from.
TEST_F(TokenFile, TokenNeverInAnError) {
  write("s3cr3t-one\ns3cr3t-two\n");
  auto c = load();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "api_token_file: the token must not contain line breaks");
  auto e = parse_config("url: https://misp.example\napi_token: ${env.TWO_LINES}\n",
                        Dataset::kThreat, fake_env());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().text(), "api_token: the token must not contain line breaks");
  EXPECT_EQ(e.error().text().find("first"), std::string::npos);
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

// The option table is per data set: its own options and defaults, and the same rows that parse.
TEST(OptionTable, Issue9_PerDataSetRowsDriveParsing) {
  auto find = [](Dataset d, const std::string& name) -> const OptionDoc* {
    for (const auto& o : option_docs(d))
      if (o.name == name) return &o;
    return nullptr;
  };
  ASSERT_NE(find(Dataset::kThreat, "limit"), nullptr);
  EXPECT_EQ(find(Dataset::kThreat, "limit")->type, "int");
  EXPECT_EQ(find(Dataset::kThreat, "tags")->default_value, "[forwarded, misp-threat]");
  EXPECT_EQ(find(Dataset::kThreatAttributes, "tags")->default_value,
            "[forwarded, misp-threat_attributes]");
  EXPECT_EQ(find(Dataset::kThreat, "ioc_expiration_duration"), nullptr);
  EXPECT_EQ(find(Dataset::kThreatAttributes, "split"), nullptr);
  EXPECT_TRUE(find(Dataset::kThreat, "api_token")->flags & kOptionRequired);
  EXPECT_TRUE(find(Dataset::kThreat, "url")->flags & kOptionRequired);  // Issue10: no default
  EXPECT_EQ(find(Dataset::kThreat, "url")->default_value, "");
  EXPECT_TRUE(find(Dataset::kThreat, "api_token")->flags & kOptionSecret);
  EXPECT_TRUE(find(Dataset::kThreat, "tags")->flags & kOptionMapping);
  auto c = parse_config("url: https://misp.example\napi_token: k\nsplit: elastic\n",
                        Dataset::kThreatAttributes);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "split: applies to the threat data stream only");
}

// ioc_expiration_duration is parsed once, at load, into a span; the mapping gets that span back
// (no option travels through the documents).
TEST(Config, Issue9_IocExpirationParsedOnce) {
  auto c = parse_config("url: https://misp.example\napi_token: k\nioc_expiration_duration: 2d\n",
                        Dataset::kThreatAttributes);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->ioc_expiration_duration, std::chrono::hours(48));
  EXPECT_EQ(c->mapping_options(0).ioc_expiration_duration, "2880m");
  auto huge = parse_config(
      "url: https://misp.example\napi_token: k\nioc_expiration_duration: 99999999999999d\n",
      Dataset::kThreatAttributes);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().text(),
            "ioc_expiration_duration: must be at most 36500d, got '99999999999999d'");
}

// There is no default server: a stream without url is refused, naming url, before anything could
// send the api_token to a placeholder host. The offline mapping needs no server.
TEST(Config, Issue10_UrlIsRequired) {
  auto c = parse_config("api_token: k\n", Dataset::kThreat);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kConfigMissing);
  EXPECT_EQ(c.error().text(), "url: is required (the MISP server's base URL)");
  EXPECT_FALSE(parse_config("api_token: k\nurl:\n", Dataset::kThreatAttributes).ok());
  EXPECT_TRUE(parse_config("tags: []\n", Dataset::kThreat, Use::kMap).ok());
}

// A CA file that is missing or holds no PEM certificate is refused at load, so --check fails too.
TEST(Config, Issue10_CaFileMustBePem) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string missing = (dir / "misp-issue10-missing-ca.pem").string();
  const std::string not_pem = (dir / "misp-issue10-not-pem.pem").string();
  const std::string pem = (dir / "misp-issue10-ca.pem").string();
  std::ofstream(not_pem) << "hello\n";
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto with_ca = [](const std::string& file) {
    return parse_config(
        "url: https://misp.example\napi_token: k\nssl:\n  certificate_authorities: [" + file +
            "]\n",
        Dataset::kThreat);
  };
  auto m = with_ca(missing);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().text(), "ssl.certificate_authorities[0]: cannot read " + missing +
                                  ": No such file or directory");
  auto n = with_ca(not_pem);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().text(), "ssl.certificate_authorities[0]: " + not_pem +
                                  " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  EXPECT_TRUE(with_ca(pem).ok()) << with_ca(pem).error().text();
  std::filesystem::remove(not_pem);
  std::filesystem::remove(pem);
}

// Spans past the millisecond range are refused as too large, never computed with overflow.
TEST(Config, Issue10_HugeDurationsAreTooLarge) {
  EXPECT_EQ(parse_duration("99999999999999h"), std::chrono::milliseconds::max());
  EXPECT_EQ(parse_duration("2562047h"), std::chrono::hours(2562047));
  EXPECT_EQ(parse_duration("1" + std::string(400, '0') + "s"), std::chrono::milliseconds::max());
  auto days = parse_config(
      "url: https://misp.example\napi_token: k\nioc_expiration_duration: 10000000000000d\n",
      Dataset::kThreatAttributes);
  ASSERT_FALSE(days.ok());
  EXPECT_EQ(days.error().text(),
            "ioc_expiration_duration: must be at most 36500d, got '10000000000000d'");
}

// The offline mapping needs no api_token; everything else is checked as for polling.
TEST(Config, Issue9_MapUseNeedsNoToken) {
  EXPECT_TRUE(parse_config("", Dataset::kThreat, Use::kMap).ok());
  EXPECT_TRUE(parse_config("tags: []\n", Dataset::kThreat, Use::kMap).ok());
  auto bad = parse_config("limit: 0\n", Dataset::kThreat, Use::kMap);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kConfigValue);
  auto no_envelope = parse_config("", Dataset::kThreat, Use::kMap);
  no_envelope->envelope = false;
  EXPECT_FALSE(no_envelope->mapping_options(0).data_stream_namespace);
}

// Issue 10 (fuzz_config): a filter value that is not UTF-8 is an Error naming filters, not a
// nlohmann::json::type_error thrown out of parse_config (MISP receives the filters as JSON).
TEST(Config, Issue10_FiltersNotUtf8AreRefused) {
  for (const char* yaml : {"filters:\n  value: \"a\x8b\"\n", "filters: |\n  tags: [\"\xff\"]\n"}) {
    Result<Config> c = Error{Errc::kConfigValue, "", ""};
    ASSERT_NO_THROW(c = parse_config(yaml, Dataset::kThreat, Use::kMap)) << yaml;
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_EQ(c.error().text(), "filters: must be UTF-8 text (JSON cannot carry other bytes)");
  }
}

}  // namespace
}  // namespace misp::plugin
