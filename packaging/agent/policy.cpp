#include "packaging/agent/policy.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <optional>
#include <set>
#include <vector>

#include "common/pem_file.h"
#include "common/policy_vars.h"
#include "packaging/agent/output_elasticsearch.h"

namespace misp::agent {

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

// A stream value misp-agent reads itself (id, dataset), resolved as the plugin will.
Result<std::string> resolved(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsScalar()) return std::string();
  auto r = policy_vars::substitute(n.Scalar(), policy_vars::environment());
  if (auto* f = std::get_if<policy_vars::Failure>(&r)) return Error{where, f->message};
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

const char* kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "null";
  }
}

// Every mapping of the policy, keys unique: yaml-cpp keeps a repeated key and reads the first.
std::optional<Error> check_duplicates(const YAML::Node& n, const std::string& where) {
  if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i)
      if (auto e = check_duplicates(n[i], where + "[" + std::to_string(i) + "]")) return e;
  } else if (n.IsMap()) {
    std::set<std::string> keys;
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      const std::string at = where.empty() ? key : where + "." + key;
      if (!keys.insert(key).second) return Error{at, "is set twice (duplicate key)"};
      if (auto e = check_duplicates(kv.second, at)) return e;
    }
  }
  return std::nullopt;
}

// Keys of a mapping at `where` that are not in `allowed`.
std::optional<Error> check_keys(const YAML::Node& n, const std::string& where,
                                std::initializer_list<const char*> allowed) {
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      return Error{where + "." + key, "unknown key (known here: " + list + ")"};
    }
  }
  return std::nullopt;
}

// outputs.default.<k> as a string: absent is empty; a list or mapping is refused by key path.
std::optional<Error> str(const YAML::Node& out, const char* k, std::string& v) {
  const YAML::Node n = out[k];
  if (!n || n.IsNull()) return v.clear(), std::nullopt;
  if (!n.IsScalar())
    return Error{std::string("outputs.default.") + k,
                 std::string("must be a string, got ") + kind(n)};
  v = n.Scalar();
  return std::nullopt;
}

// A string or a list of strings (hosts, certificate_authorities).
std::optional<Error> strings(const YAML::Node& n, const std::string& where,
                             std::vector<std::string>& v) {
  if (!n || n.IsNull()) return std::nullopt;
  if (n.IsScalar()) return v.push_back(n.Scalar()), std::nullopt;
  if (!n.IsSequence())
    return Error{where, std::string("must be a string or a list of strings, got ") + kind(n)};
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar())
      return Error{where + "[" + std::to_string(i) + "]",
                   std::string("must be a string, got ") + kind(n[i])};
    v.push_back(n[i].Scalar());
  }
  return std::nullopt;
}

std::optional<Error> num(const YAML::Node& out, const char* k, std::int64_t& v) {
  if (!out[k]) return std::nullopt;
  try {
    v = out[k].as<std::int64_t>();
  } catch (const YAML::Exception&) {
    return Error{std::string("outputs.default.") + k, "must be a whole number"};
  }
  return std::nullopt;
}

std::optional<Error> read_file_output(const YAML::Node& out, OutputSpec& o) {
  o.kind = OutputSpec::Kind::kFile;
  if (auto e = check_keys(out, "outputs.default", {"type", "path", "rotate_bytes", "keep_files"}))
    return e;
  if (auto e = str(out, "path", o.path)) return e;
  if (o.path.empty()) return Error{"outputs.default.path", "is required for a file output"};
  std::int64_t keep = o.keep_files;
  if (auto e = num(out, "rotate_bytes", o.rotate_bytes)) return e;
  if (auto e = num(out, "keep_files", keep)) return e;
  if (o.rotate_bytes < 1024) return Error{"outputs.default.rotate_bytes", "must be at least 1024"};
  if (keep < 0 || keep > 1000)
    return Error{"outputs.default.keep_files", "must be between 0 and 1000"};
  o.keep_files = static_cast<int>(keep);
  return std::nullopt;
}

std::optional<Error> read_elasticsearch_output(const YAML::Node& out, OutputSpec& o) {
  o.kind = OutputSpec::Kind::kElasticsearch;
  if (auto e = check_keys(out, "outputs.default",
                          {"type", "hosts", "api_key", "username", "password", "ssl",
                           "bulk_max_size", "max_retries", "backoff_ms"}))
    return e;
  if (auto e = strings(out["hosts"], "outputs.default.hosts", o.hosts)) return e;
  for (std::size_t i = 0; i < o.hosts.size(); ++i)
    if (!o.hosts[i].empty())
      if (auto url = parse_elasticsearch_host(o.hosts[i]); !url)
        return Error{"outputs.default.hosts[" + std::to_string(i) + "]", url.error()};
  std::erase(o.hosts, std::string());
  if (o.hosts.empty())
    return Error{"outputs.default.hosts", "is required for an elasticsearch output"};
  std::string api_key, password;
  if (auto e = str(out, "api_key", api_key)) return e;
  if (auto e = str(out, "username", o.username)) return e;
  if (auto e = str(out, "password", password)) return e;
  o.api_key = Secret(api_key), o.password = Secret(password);
  if (YAML::Node ssl = out["ssl"]; ssl && !ssl.IsNull()) {
    if (!ssl.IsMap())
      return Error{"outputs.default.ssl", std::string("must be a mapping, got ") + kind(ssl)};
    if (auto e = check_keys(ssl, "outputs.default.ssl",
                            {"certificate_authorities", "verification_mode"}))
      return e;
    if (auto e = strings(ssl["certificate_authorities"],
                         "outputs.default.ssl.certificate_authorities", o.certificate_authorities))
      return e;
    for (std::size_t i = 0; i < o.certificate_authorities.size(); ++i)
      if (auto why = check_pem_certificate_file(o.certificate_authorities[i]); !why.empty())
        return Error{"outputs.default.ssl.certificate_authorities[" + std::to_string(i) + "]", why};
    if (YAML::Node mode = ssl["verification_mode"]; mode && !mode.IsNull()) {
      if (!mode.IsScalar() || (mode.Scalar() != "full" && mode.Scalar() != "none"))
        return Error{"outputs.default.ssl.verification_mode", "must be full or none"};
      o.verify_certificates = mode.Scalar() != "none";
    }
  }
  std::int64_t bulk = o.bulk_max_size, retries = o.max_retries;
  if (auto e = num(out, "bulk_max_size", bulk)) return e;
  if (auto e = num(out, "max_retries", retries)) return e;
  if (auto e = num(out, "backoff_ms", o.backoff_ms)) return e;
  if (bulk < 1 || bulk > 100000)
    return Error{"outputs.default.bulk_max_size", "must be between 1 and 100000"};
  o.bulk_max_size = static_cast<int>(bulk);
  if (retries < 0 || retries > 1000)
    return Error{"outputs.default.max_retries", "must be between 0 and 1000"};
  if (o.backoff_ms < 0 || o.backoff_ms > 3600000)
    return Error{"outputs.default.backoff_ms", "must be between 0 and 3600000"};
  o.max_retries = static_cast<int>(retries);
  return std::nullopt;
}

// outputs.default, with ${env.NAME} resolved: misp-agent's to resolve, unlike the streams.
std::optional<Error> read_output(YAML::Node root, OutputSpec& o) {
  YAML::Node outputs = root["outputs"];
  if (!outputs || outputs.IsNull()) return std::nullopt;
  if (!outputs.IsMap())
    return Error{"outputs", std::string("must be a mapping with default, got ") + kind(outputs)};
  if (auto e = check_keys(outputs, "outputs", {"default"})) return e;
  if (auto f = policy_vars::substitute_tree(outputs, policy_vars::environment(), "outputs"))
    return Error{f->key, f->message};
  YAML::Node out = outputs["default"];
  if (!out || out.IsNull()) return std::nullopt;
  if (!out.IsMap())
    return Error{"outputs.default", std::string("must be a mapping with a type, got ") + kind(out)};
  std::string type;
  if (auto e = str(out, "type", type)) return e;
  if (type == "console") return check_keys(out, "outputs.default", {"type"});
  if (type == "file") return read_file_output(out, o);
  if (type == "elasticsearch") return read_elasticsearch_output(out, o);
  return Error{"outputs.default.type",
               "must be file, console or elasticsearch, got '" + type + "'"};
}

// The stream's variables as YAML text for the plugin, the input's namespace added when the
// stream sets none.
Result<std::string> stream_text(const YAML::Node& input, const YAML::Node& s,
                                const std::string& where) {
  YAML::Emitter vars;
  vars << YAML::BeginMap;
  for (const auto& kv : s) {
    if (kv.first.Scalar() == "id") continue;
    vars << YAML::Key << kv.first.Scalar() << YAML::Value;
    emit(vars, kv.second);
  }
  if (YAML::Node ns = data_stream_key(input, "namespace"); ns && !data_stream_key(s, "namespace")) {
    vars << YAML::Key << "data_stream.namespace" << YAML::Value;
    emit(vars, ns);
  }
  vars << YAML::EndMap;
  if (!vars.good()) return Error{where, "cannot be written as YAML: " + vars.GetLastError()};
  return std::string(vars.c_str()) + "\n";
}

Result<StreamSpec> read_stream(const YAML::Node& input, const YAML::Node& s, std::size_t i,
                               std::size_t j) {
  StreamSpec spec;
  spec.where = "inputs[" + std::to_string(i) + "].streams[" + std::to_string(j) + "]";
  if (!s.IsMap()) return Error{spec.where, "must be a mapping"};
  auto dataset = resolved(data_stream_key(s, "dataset"), spec.where + ".data_stream.dataset");
  if (!dataset) return dataset.error();
  // Which data sets exist is the plugin's to say (run_command checks against its list).
  if (dataset.value().empty()) return Error{spec.where + ".data_stream.dataset", "is required"};
  spec.dataset = dataset.value();
  auto text = stream_text(input, s, spec.where);
  if (!text) return text.error();
  spec.config_yaml = text.value();
  auto id = resolved(s["id"], spec.where + ".id");
  if (!id) return id.error();
  spec.id = s["id"] ? id.value() : "stream-" + std::to_string(i) + "-" + std::to_string(j);
  for (char c : spec.id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return Error{spec.where + ".id", "may hold letters, digits, '-', '_' and '.' only"};
  return spec;
}

}  // namespace

Result<Policy> load_policy(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error{path, "cannot read the policy file"};
  } catch (const YAML::Exception& e) {
    return Error{path, std::string("is not YAML: ") + e.what()};
  }
  if (!root.IsMap()) return Error{path, "must be a mapping with outputs and inputs"};
  if (auto e = check_duplicates(root, "")) return *e;
  Policy p;
  if (auto e = read_output(root, p.output)) return *e;
  YAML::Node inputs = root["inputs"];
  if (!inputs || !inputs.IsSequence() || inputs.size() == 0)
    return Error{"inputs", "the policy declares no inputs"};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string where = "inputs[" + std::to_string(i) + "]";
    if (!inputs[i].IsMap()) return Error{where, "must be a mapping"};
    YAML::Node streams = inputs[i]["streams"];
    if (!streams || !streams.IsSequence()) return Error{where + ".streams", "is required"};
    for (std::size_t j = 0; j < streams.size(); ++j) {
      auto spec = read_stream(inputs[i], streams[j], i, j);
      if (!spec) return spec.error();
      if (!ids.insert(spec->id).second)
        return Error{spec->where + ".id", "duplicate stream id " + spec->id};
      p.streams.push_back(std::move(spec.value()));
    }
  }
  return p;
}

}  // namespace misp::agent
