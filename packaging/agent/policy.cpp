#include "packaging/agent/policy.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

namespace misp::agent {

using plugin::Errc;
using plugin::Error;

plugin::Result<Policy> load_policy(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error{Errc::kConfigSyntax, path, "cannot read the policy file"};
  } catch (const YAML::Exception& e) {
    return Error{Errc::kConfigSyntax, path, std::string("is not YAML: ") + e.what()};
  }
  Policy p;
  if (YAML::Node out = root["outputs"]["default"]; out && out.IsMap()) {
    std::string type = out["type"] ? out["type"].as<std::string>() : "";
    if (type == "file") {
      p.output.kind = OutputSpec::Kind::kFile;
      if (!out["path"]) return Error{Errc::kConfigMissing, "outputs.default.path", "is required for a file output"};
      p.output.path = out["path"].as<std::string>();
    } else if (type != "console") {
      return Error{Errc::kConfigValue, "outputs.default.type", "must be file or console, got '" + type + "'"};
    }
  }
  YAML::Node inputs = root["inputs"];
  if (!inputs || !inputs.IsSequence() || inputs.size() == 0)
    return Error{Errc::kConfigMissing, "inputs", "the policy declares no inputs"};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string where = "inputs[" + std::to_string(i) + "]";
    YAML::Node streams = inputs[i]["streams"];
    if (!streams || !streams.IsSequence()) return Error{Errc::kConfigMissing, where + ".streams", "is required"};
    for (std::size_t j = 0; j < streams.size(); ++j) {
      std::string swhere = where + ".streams[" + std::to_string(j) + "]";
      YAML::Node s = streams[j];
      std::string dataset = s["data_stream"]["dataset"] ? s["data_stream"]["dataset"].as<std::string>() : "";
      if (dataset != "ti_misp.threat" && dataset != "ti_misp.threat_attributes")
        return Error{Errc::kConfigValue, swhere + ".data_stream.dataset",
                     "must be ti_misp.threat or ti_misp.threat_attributes, got '" + dataset + "'"};
      YAML::Node vars(YAML::NodeType::Map);
      for (const auto& kv : s) {
        std::string k = kv.first.as<std::string>();
        if (k == "id") continue;
        vars[k] = kv.second;
      }
      StreamSpec spec;
      spec.id = s["id"] ? s["id"].as<std::string>() : "stream-" + std::to_string(i) + "-" + std::to_string(j);
      spec.dataset = dataset;
      spec.config_yaml = YAML::Dump(vars);
      spec.where = swhere;
      spec.tracer = s["enable_request_tracer"] && s["enable_request_tracer"].as<std::string>() == "true";
      spec.has_tracer_path = static_cast<bool>(s["tracer_path"]);
      for (char c : spec.id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
          return Error{Errc::kConfigValue, swhere + ".id", "may hold letters, digits, '-', '_' and '.' only"};
      if (!ids.insert(spec.id).second) return Error{Errc::kConfigValue, swhere + ".id", "duplicate stream id " + spec.id};
      p.streams.push_back(std::move(spec));
    }
  }
  return p;
}

}  // namespace misp::agent
