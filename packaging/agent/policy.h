// An Elastic Agent standalone policy, reduced to what misp-agent runs:
//   outputs: {default: {type: file, path: ...} | {type: console}}
//   inputs: [{type: misp, id: ..., streams: [{id: ..., data_stream: {dataset, namespace}, <vars>}]}]
#pragma once

#include <string>
#include <vector>

#include "plugin/config.h"
#include "plugin/result.h"

namespace misp::agent {

struct StreamSpec {
  std::string id;  // unique; names the cursor file
  plugin::Config config;
};

struct OutputSpec {
  enum class Kind { kFile, kConsole } kind = Kind::kConsole;
  std::string path;
};

struct Policy {
  OutputSpec output;
  std::vector<StreamSpec> streams;
};

plugin::Result<Policy> load_policy(const std::string& path);

}  // namespace misp::agent
