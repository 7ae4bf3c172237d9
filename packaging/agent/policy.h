// An Elastic Agent standalone policy, reduced to what misp-agent runs:
//   outputs: {default: {type: file, path: ...} | {type: console} | {type: elasticsearch, hosts:
//   [...]}} inputs: [{type: misp, id: ..., streams: [{id: ..., data_stream: {dataset, namespace},
//   <vars>}]}]
// data_stream is read nested or dotted (data_stream.dataset), as Elastic Agent writes both; an
// input's data_stream.namespace applies to its streams that set none. ${env.NAME} variables
// (common/policy_vars.h) in outputs are resolved here; the stream variables are handed to the
// plugin as YAML text, unsubstituted and with their quoting kept: the plugin resolves and
// validates them. misp-agent reads no stream variable of its own: which data sets exist and what
// each option means is the plugin's to say.
#pragma once

#include <string>
#include <vector>

#include "packaging/agent/error.h"
#include "packaging/agent/output.h"

namespace misp::agent {

struct StreamSpec {
  std::string id;           // unique; names the cursor file
  std::string dataset;      // ti_misp.threat | ti_misp.threat_attributes
  std::string config_yaml;  // the stream's variables (data_stream.namespace included)
  std::string where;        // inputs[i].streams[j], for messages
};

struct Policy {
  OutputSpec output;
  std::vector<StreamSpec> streams;
};

Result<Policy> load_policy(const std::string& path);

}  // namespace misp::agent
