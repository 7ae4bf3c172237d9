#include "packaging/agent/policy.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <optional>
#include <set>

#include "common/policy_vars.h"

namespace misp::agent {

using plugin::Errc;
using plugin::Error;

namespace {

// The stream's variables as YAML text for the plugin, unsubstituted (the plugin resolves
// ${env.NAME} itself). YAML::Dump would drop quoting, turning `"1"` into the number 1: quoted
// scalars are written double-quoted, plain ones plain.
void emit(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& kv : n) {
        out << YAML::Key;
        emit(out, kv.first);
        out << YAML::Value;
        emit(out, kv.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& e : n) emit(out, e);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str")
        out << YAML::DoubleQuoted << n.Scalar();
      else
        out << n.Scalar();
      break;
    default:
      out << YAML::Null;
  }
}

// A stream value misp-agent reads itself (id, dataset, output...), resolved as the plugin will.
plugin::Result<std::string> resolved(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsScalar()) return std::string();
  auto r = policy_vars::substitute(n.Scalar(), policy_vars::environment());
  if (auto* f = std::get_if<policy_vars::Failure>(&r))
    return Error{Errc::kConfigVariable, where, f->message};
  return std::get<std::string>(std::move(r));
}

// data_stream.<key> of a stream or an input, nested or dotted (Elastic Agent writes both).
YAML::Node data_stream_key(const YAML::Node& parent, const char* key) {
  const YAML::Node& p = parent;  // const: looking up never inserts
  if (!p.IsMap()) return YAML::Node();
  if (p["data_stream"] && p["data_stream"].IsMap() && p["data_stream"][key])
    return p["data_stream"][key];
  return p[std::string("data_stream.") + key];
}

}  // namespace

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
  // ${env.NAME} in the outputs is misp-agent's to resolve; streams go to the plugin as written.
  if (YAML::Node outputs = root["outputs"]) {
    if (auto f = policy_vars::substitute_tree(outputs, policy_vars::environment(), "outputs"))
      return Error{Errc::kConfigVariable, f->key, f->message};
  }
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
    if (!inputs[i].IsMap()) return Error{Errc::kConfigType, where, "must be a mapping"};
    YAML::Node streams = inputs[i]["streams"];
    if (!streams || !streams.IsSequence())
      return Error{Errc::kConfigMissing, where + ".streams", "is required"};
    for (std::size_t j = 0; j < streams.size(); ++j) {
      std::string swhere = where + ".streams[" + std::to_string(j) + "]";
      const YAML::Node s = streams[j];
      if (!s.IsMap()) return Error{Errc::kConfigType, swhere, "must be a mapping"};
      auto dataset = resolved(data_stream_key(s, "dataset"), swhere + ".data_stream.dataset");
      if (!dataset) return dataset.error();
      if (dataset.value() != "ti_misp.threat" && dataset.value() != "ti_misp.threat_attributes")
        return Error{
            Errc::kConfigValue, swhere + ".data_stream.dataset",
            "must be ti_misp.threat or ti_misp.threat_attributes, got '" + dataset.value() + "'"};
      YAML::Emitter vars;
      vars << YAML::BeginMap;
      for (const auto& kv : s) {
        if (kv.first.Scalar() == "id") continue;
        vars << YAML::Key << kv.first.Scalar() << YAML::Value;
        emit(vars, kv.second);
      }
      // The input's data_stream.namespace applies to its streams that set none.
      if (YAML::Node ns = data_stream_key(inputs[i], "namespace");
          ns && !data_stream_key(s, "namespace")) {
        vars << YAML::Key << "data_stream.namespace" << YAML::Value;
        emit(vars, ns);
      }
      vars << YAML::EndMap;
      if (!vars.good())
        return Error{Errc::kConfigValue, swhere,
                     "cannot be written as YAML: " + vars.GetLastError()};
      StreamSpec spec;
      auto id = resolved(s["id"], swhere + ".id");
      auto tracer = resolved(s["enable_request_tracer"], swhere + ".enable_request_tracer");
      auto output = resolved(s["output"], swhere + ".output");
      for (const auto* r : {&id, &tracer, &output})
        if (!*r) return r->error();
      spec.id = s["id"] ? id.value() : "stream-" + std::to_string(i) + "-" + std::to_string(j);
      spec.dataset = dataset.value();
      spec.config_yaml = std::string(vars.c_str()) + "\n";
      spec.where = swhere;
      spec.tracer = tracer.value() == "true";
      spec.has_tracer_path = static_cast<bool>(s["tracer_path"]);
      spec.raw = output.value() == "raw";
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
