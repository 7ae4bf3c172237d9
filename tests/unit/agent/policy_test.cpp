// misp-agent's policy reader: Elastic Agent's layouts (data_stream nested or dotted, the input's
// namespace), ${env.NAME} resolved in outputs, and stream variables handed to the plugin
// unsubstituted with their YAML quoting intact.
#include "packaging/agent/policy.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "plugin/config.h"

namespace misp::agent {
namespace {

class PolicyFile : public ::testing::Test {
 protected:
  static std::string file_name() {  // a parameterised test's name holds '/'
    std::string n = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(n.begin(), n.end(), '/', '_');
    return n;
  }
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() / (std::string("misp-policy-") + file_name() + ".yml");
  Result<Policy> load(const std::string& yaml) {
    std::ofstream(path_) << yaml;
    return load_policy(path_.string());
  }
  void SetUp() override {
    ::setenv("MISP_POLICY_TEST_ES", "https://es.example:9200", 1);
    ::setenv("MISP_POLICY_TEST_KEY", "id:es-secret", 1);
    ::setenv("MISP_POLICY_TEST_DATASET", "ti_misp.threat_attributes", 1);
    ::unsetenv("MISP_POLICY_TEST_UNSET");
  }
  void TearDown() override { std::filesystem::remove(path_); }
};

// Both spellings Elastic Agent writes name the data set; type: logs goes through to the plugin.
TEST_F(PolicyFile, DataStreamNestedOrDotted) {
  auto p = load(R"(
inputs:
  - type: misp
    data_stream: {namespace: team}
    streams:
      - id: nested
        data_stream: {type: logs, dataset: ti_misp.threat}
        url: https://misp.example
        api_token: k
      - id: dotted
        data_stream.type: logs
        data_stream.dataset: ${env.MISP_POLICY_TEST_DATASET}
        data_stream.namespace: own
        url: https://misp.example
        api_token: k
)");
  ASSERT_TRUE(p.ok()) << p.error().text();
  ASSERT_EQ(p->streams.size(), 2u);
  EXPECT_EQ(p->streams[0].dataset, "ti_misp.threat");
  EXPECT_EQ(p->streams[1].dataset, "ti_misp.threat_attributes");
  auto nested = plugin::parse_config(p->streams[0].config_yaml, mapping::Dataset::kThreat);
  ASSERT_TRUE(nested.ok()) << nested.error().text() << "\n" << p->streams[0].config_yaml;
  EXPECT_EQ(nested->data_stream_namespace, "team") << "the input's namespace is inherited";
  auto dotted =
      plugin::parse_config(p->streams[1].config_yaml, mapping::Dataset::kThreatAttributes);
  ASSERT_TRUE(dotted.ok()) << dotted.error().text() << "\n" << p->streams[1].config_yaml;
  EXPECT_EQ(dotted->data_stream_namespace, "own") << "a stream's own namespace wins";
}

// The plugin sees the stream's YAML types: "1" stays a string, 1 a number.
TEST_F(PolicyFile, StreamQuotingKept) {
  auto p = load(R"(
inputs:
  - streams:
      - data_stream: {dataset: ti_misp.threat_attributes}
        url: https://misp.example
        api_token: "0123"
        filters:
          eventid: "1"
          to_ids: 1
          threshold: 0.5
          published: true
          tag: 'true'
)");
  ASSERT_TRUE(p.ok()) << p.error().text();
  auto c = plugin::parse_config(p->streams[0].config_yaml, mapping::Dataset::kThreatAttributes);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->api_token.reveal(), "0123");
  EXPECT_EQ(nlohmann::json::parse(c->filters_json),
            nlohmann::json::parse(
                R"({"eventid":"1","to_ids":1,"threshold":0.5,"published":true,"tag":"true"})"));
}

// Outputs are resolved by misp-agent; streams reach the plugin with ${env.NAME} as written.
TEST_F(PolicyFile, EnvironmentInOutputsNotInStreamText) {
  auto p = load(R"(
outputs:
  default:
    type: elasticsearch
    hosts: ["${env.MISP_POLICY_TEST_ES}"]
    api_key: ${env.MISP_POLICY_TEST_KEY}
inputs:
  - streams:
      - data_stream: {dataset: ti_misp.threat}
        url: https://misp.example
        api_token: ${env.MISP_POLICY_TEST_KEY}
        tags: ["$${literal}"]
)");
  ASSERT_TRUE(p.ok()) << p.error().text();
  EXPECT_EQ(p->output.hosts, std::vector<std::string>{"https://es.example:9200"});
  EXPECT_EQ(p->output.api_key.reveal(), "id:es-secret");
  const std::string& text = p->streams[0].config_yaml;
  EXPECT_NE(text.find("${env.MISP_POLICY_TEST_KEY}"), std::string::npos) << text;
  EXPECT_EQ(text.find("es-secret"), std::string::npos) << text;
  auto c = plugin::parse_config(text, mapping::Dataset::kThreat);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->api_token.reveal(), "id:es-secret");
  EXPECT_EQ(c->tags, std::vector<std::string>{"${literal}"}) << "substituted once, by the plugin";
}

TEST_F(PolicyFile, UnsetVariableNamesKey) {
  auto p = load(R"(
outputs:
  default:
    type: elasticsearch
    hosts: [https://es:9200]
    password: "${env.MISP_POLICY_TEST_UNSET}"
inputs:
  - streams:
      - data_stream: {dataset: ti_misp.threat}
)");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().text(),
            "outputs.default.password: environment variable MISP_POLICY_TEST_UNSET is not set "
            "(${env.MISP_POLICY_TEST_UNSET})");
  auto q = load(R"(
inputs:
  - streams:
      - data_stream.dataset: ${env.MISP_POLICY_TEST_UNSET}
)");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().text(),
            "inputs[0].streams[0].data_stream.dataset: environment variable "
            "MISP_POLICY_TEST_UNSET is not set (${env.MISP_POLICY_TEST_UNSET})");
}

// A policy mistake is refused by its key path, never with yaml-cpp's own words ("bad conversion",
// "operator[] call on a scalar") and never by quietly writing to the console.
struct BadPolicy {
  const char* name;
  std::string yaml;
  std::string error;
};

class Issue10_BadPolicy : public PolicyFile, public ::testing::WithParamInterface<BadPolicy> {};

TEST_P(Issue10_BadPolicy, RefusedWithTheKeyPath) {
  const std::string inputs =
      "inputs:\n  - streams:\n      - data_stream: {dataset: ti_misp.threat}\n";
  auto p =
      load(GetParam().yaml + (GetParam().yaml.find("inputs:") == std::string::npos ? inputs : ""));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().text(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Issue10_BadPolicy,
    ::testing::Values(
        BadPolicy{"DefaultIsAList", "outputs:\n  default: [1]\n",
                  "outputs.default: must be a mapping with a type, got a list"},
        BadPolicy{"OutputsIsAScalar", "outputs: file\n",
                  "outputs: must be a mapping with default, got a scalar"},
        BadPolicy{"UnknownOutput", "outputs:\n  default: {type: console}\n  other: {type: file}\n",
                  "outputs.other: unknown key (known here: default)"},
        BadPolicy{"UnknownFileKey", "outputs:\n  default: {type: file, path: /tmp/x, rotate: 5}\n",
                  "outputs.default.rotate: unknown key (known here: type, path, rotate_bytes, "
                  "keep_files)"},
        BadPolicy{"UnknownConsoleKey", "outputs:\n  default: {type: console, path: /tmp/x}\n",
                  "outputs.default.path: unknown key (known here: type)"},
        BadPolicy{"HostIsAMapping", "outputs:\n  default: {type: elasticsearch, hosts: [{a: 1}]}\n",
                  "outputs.default.hosts[0]: must be a string, got a mapping"},
        BadPolicy{"PathIsAList", "outputs:\n  default: {type: file, path: [a]}\n",
                  "outputs.default.path: must be a string, got a list"},
        BadPolicy{"SslIsAScalar", "outputs:\n  default: {type: elasticsearch, hosts: h, ssl: on}\n",
                  "outputs.default.ssl: must be a mapping, got a scalar"},
        BadPolicy{"CaIsAMapping",
                  "outputs:\n  default: {type: elasticsearch, hosts: h, ssl: "
                  "{certificate_authorities: {a: b}}}\n",
                  "outputs.default.ssl.certificate_authorities: must be a string or a list of "
                  "strings, got a mapping"},
        BadPolicy{"VerificationMode",
                  "outputs:\n  default: {type: elasticsearch, hosts: h, ssl: "
                  "{verification_mode: [none]}}\n",
                  "outputs.default.ssl.verification_mode: must be full or none"},
        BadPolicy{"DuplicateOutputKey",
                  "outputs:\n  default:\n    type: file\n    path: /a\n    path: /b\n",
                  "outputs.default.path: is set twice (duplicate key)"},
        BadPolicy{"DuplicateStreamKey",
                  "inputs:\n  - streams:\n      - data_stream: {dataset: ti_misp.threat}\n"
                  "        url: https://a\n        url: https://b\n",
                  "inputs[0].streams[0].url: is set twice (duplicate key)"}),
    [](const auto& info) { return std::string(info.param.name); });

// The Elasticsearch output's CA file must exist and hold a PEM certificate (checked at load).
TEST_F(PolicyFile, Issue10_OutputCaFileMustBePem) {
  auto p = load(
      "outputs:\n  default: {type: elasticsearch, hosts: h, ssl: {certificate_authorities: "
      "[/nonexistent/misp-ca.pem]}}\n"
      "inputs:\n  - streams:\n      - data_stream: {dataset: ti_misp.threat}\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().text(),
            "outputs.default.ssl.certificate_authorities[0]: cannot read /nonexistent/misp-ca.pem: "
            "No such file or directory");
}

// A policy that is YAML but not a mapping names the file instead of yaml-cpp's subscript error.
TEST_F(PolicyFile, Issue10_ScalarPolicyRefused) {
  auto p = load("hello\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "must be a mapping with outputs and inputs");
}

}  // namespace
}  // namespace misp::agent
