#include "packaging/agent/policy.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <optional>
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
    auto str = [&](const char* k) {
      return out[k] && out[k].IsScalar() ? out[k].as<std::string>() : std::string();
    };
    auto num = [&](const char* k, std::int64_t& v) -> std::optional<Error> {
      if (!out[k]) return std::nullopt;
      try {
        v = out[k].as<std::int64_t>();
      } catch (const YAML::Exception&) {
        return Error{Errc::kConfigType, std::string("outputs.default.") + k,
                     "must be a whole number"};
      }
      return std::nullopt;
    };
    std::string type = str("type");
    if (type == "file") {
      p.output.kind = OutputSpec::Kind::kFile;
      p.output.path = str("path");
      if (p.output.path.empty())
        return Error{Errc::kConfigMissing, "outputs.default.path", "is required for a file output"};
      std::int64_t keep = p.output.keep_files;
      if (auto e = num("rotate_bytes", p.output.rotate_bytes)) return *e;
      if (auto e = num("keep_files", keep)) return *e;
      if (p.output.rotate_bytes < 1024)
        return Error{Errc::kConfigValue, "outputs.default.rotate_bytes", "must be at least 1024"};
      if (keep < 0 || keep > 1000)
        return Error{Errc::kConfigValue, "outputs.default.keep_files",
                     "must be between 0 and 1000"};
      p.output.keep_files = static_cast<int>(keep);
    } else if (type == "elasticsearch") {
      p.output.kind = OutputSpec::Kind::kElasticsearch;
      if (out["hosts"] && out["hosts"].IsSequence())
        for (const auto& h : out["hosts"]) p.output.hosts.push_back(h.as<std::string>());
      else if (!str("hosts").empty())
        p.output.hosts.push_back(str("hosts"));
      if (p.output.hosts.empty())
        return Error{Errc::kConfigMissing, "outputs.default.hosts",
                     "is required for an elasticsearch output"};
      p.output.api_key = plugin::Secret(str("api_key"));
      p.output.username = str("username");
      p.output.password = plugin::Secret(str("password"));
      if (YAML::Node ssl = out["ssl"]; ssl && ssl.IsMap()) {
        if (ssl["certificate_authorities"])
          for (const auto& ca : ssl["certificate_authorities"])
            p.output.certificate_authorities.push_back(ca.as<std::string>());
        if (ssl["verification_mode"] && ssl["verification_mode"].as<std::string>() == "none")
          p.output.verify_certificates = false;
      }
      std::int64_t bulk = p.output.bulk_max_size, retries = p.output.max_retries;
      if (auto e = num("bulk_max_size", bulk)) return *e;
      if (auto e = num("max_retries", retries)) return *e;
      if (auto e = num("backoff_ms", p.output.backoff_ms)) return *e;
      if (bulk < 1 || bulk > 100000)
        return Error{Errc::kConfigValue, "outputs.default.bulk_max_size",
                     "must be between 1 and 100000"};
      p.output.bulk_max_size = static_cast<int>(bulk);
      p.output.max_retries = static_cast<int>(retries);
    } else if (type != "console") {
      return Error{Errc::kConfigValue, "outputs.default.type",
                   "must be file, console or elasticsearch, got '" + type + "'"};
    }
  }
  YAML::Node inputs = root["inputs"];
  if (!inputs || !inputs.IsSequence() || inputs.size() == 0)
    return Error{Errc::kConfigMissing, "inputs", "the policy declares no inputs"};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string where = "inputs[" + std::to_string(i) + "]";
    YAML::Node streams = inputs[i]["streams"];
    if (!streams || !streams.IsSequence())
      return Error{Errc::kConfigMissing, where + ".streams", "is required"};
    for (std::size_t j = 0; j < streams.size(); ++j) {
      std::string swhere = where + ".streams[" + std::to_string(j) + "]";
      YAML::Node s = streams[j];
      std::string dataset =
          s["data_stream"]["dataset"] ? s["data_stream"]["dataset"].as<std::string>() : "";
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
      spec.id = s["id"] ? s["id"].as<std::string>()
                        : "stream-" + std::to_string(i) + "-" + std::to_string(j);
      spec.dataset = dataset;
      spec.config_yaml = YAML::Dump(vars);
      spec.where = swhere;
      spec.tracer =
          s["enable_request_tracer"] && s["enable_request_tracer"].as<std::string>() == "true";
      spec.has_tracer_path = static_cast<bool>(s["tracer_path"]);
      spec.raw = s["output"] && s["output"].IsScalar() && s["output"].as<std::string>() == "raw";
      for (char c : spec.id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
          return Error{Errc::kConfigValue, swhere + ".id",
                       "may hold letters, digits, '-', '_' and '.' only"};
      if (!ids.insert(spec.id).second)
        return Error{Errc::kConfigValue, swhere + ".id", "duplicate stream id " + spec.id};
      p.streams.push_back(std::move(spec));
    }
  }
  return p;
}

}  // namespace misp::agent
