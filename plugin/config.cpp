#include "plugin/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/policy_vars.h"

namespace misp::plugin {

namespace {

using Setter = std::function<std::optional<Error>(const YAML::Node&, Config&, const std::string&)>;

struct Option {
  OptionDoc doc;
  Setter set;
  bool attributes_only = false;
};

Error type_error(const std::string& key, const char* want, const YAML::Node& n) {
  std::string got = n.IsSequence() ? "a list"
                    : n.IsMap()    ? "a mapping"
                    : n.IsNull()   ? "null"
                                   : "'" + n.Scalar() + "'";
  return {Errc::kConfigType, key, std::string("must be ") + want + ", got " + got};
}

std::optional<std::string> scalar(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  return n.Scalar();
}

Setter string_opt(std::string Config::*field) {
  return [field](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
    auto s = scalar(n);
    if (!s) return type_error(key, "a string", n);
    c.*field = *s;
    return std::nullopt;
  };
}

Setter bool_opt(bool Config::*field) {
  return [field](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
    auto s = scalar(n);
    if (s && (*s == "true" || *s == "True")) return c.*field = true, std::nullopt;
    if (s && (*s == "false" || *s == "False")) return c.*field = false, std::nullopt;
    return type_error(key, "true or false", n);
  };
}

template <typename Dur>
Setter duration_opt(Dur Config::*field, std::chrono::milliseconds min,
                    std::optional<std::chrono::milliseconds> max = std::nullopt) {
  return [field, min, max](const YAML::Node& n, Config& c,
                           const std::string& key) -> std::optional<Error> {
    auto s = scalar(n);
    auto d = s ? parse_duration(*s) : std::nullopt;
    if (!d) return type_error(key, "a duration such as 30s, 10m or 120h", n);
    if (*d < min)
      return Error{Errc::kConfigValue, key,
                   "must be at least " + std::to_string(min.count()) + "ms, got " + *s};
    if (max && *d > *max)
      return Error{Errc::kConfigValue, key,
                   "must be at most " + std::to_string(max->count()) + "ms, got " + *s};
    c.*field = std::chrono::duration_cast<Dur>(*d);
    return std::nullopt;
  };
}

Setter int_opt(int Config::*field, int min, int max) {
  return [field, min, max](const YAML::Node& n, Config& c,
                           const std::string& key) -> std::optional<Error> {
    auto s = scalar(n);
    int v = 0;
    if (!s || s->empty() ||
        std::from_chars(s->data(), s->data() + s->size(), v).ptr != s->data() + s->size())
      return type_error(key, "a whole number", n);
    if (v < min || v > max)
      return Error{
          Errc::kConfigValue, key,
          "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + *s};
    c.*field = v;
    return std::nullopt;
  };
}

// The integration's UI gives `filters` and `ssl` as YAML text blocks; policies give mappings.
std::optional<Error> as_mapping(const YAML::Node& n, const std::string& key, YAML::Node& out) {
  out = n;
  if (n.IsScalar()) {
    try {
      out = YAML::Load(n.Scalar());
    } catch (const YAML::Exception& e) {
      return Error{Errc::kConfigSyntax, key, std::string("is not YAML: ") + e.what()};
    }
  }
  return std::nullopt;
}

std::optional<Error> parse_string_list(const YAML::Node& n, std::vector<std::string>& out,
                                       const std::string& key) {
  out.clear();
  if (n.IsNull()) return std::nullopt;
  if (!n.IsSequence()) return type_error(key, "a list of strings", n);
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) return type_error(key + "[" + std::to_string(i) + "]", "a string", n[i]);
    out.push_back(n[i].Scalar());
  }
  return std::nullopt;
}

// A plain YAML scalar as the YAML 1.2 core schema reads it: true/false, null, integers (decimal,
// 0o, 0x), floats; anything else (and .inf/.nan, which JSON cannot hold) stays a string.
nlohmann::json plain_scalar_json(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return nullptr;
  std::string_view v(s);
  bool negative = !v.empty() && v[0] == '-';
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  auto whole = [](std::string_view t, int base, std::int64_t& out) {
    return !t.empty() &&
           std::from_chars(t.data(), t.data() + t.size(), out, base).ptr == t.data() + t.size();
  };
  std::int64_t i = 0;
  if (whole(v, 10, i) && v.find_first_not_of("0123456789") == std::string_view::npos)
    return negative ? -i : i;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o') &&
      whole(v.substr(2), s[1] == 'x' ? 16 : 8, i))
    return i;
  // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  std::size_t k = 0, digits = 0;
  while (k < v.size() && std::isdigit(static_cast<unsigned char>(v[k]))) ++k, ++digits;
  if (k < v.size() && v[k] == '.') {
    ++k;
    while (k < v.size() && std::isdigit(static_cast<unsigned char>(v[k]))) ++k, ++digits;
  }
  if (digits > 0 && k < v.size() && (v[k] == 'e' || v[k] == 'E')) {
    std::size_t e = ++k;
    if (k < v.size() && (v[k] == '-' || v[k] == '+')) ++k;
    std::size_t exp_digits = k;
    while (k < v.size() && std::isdigit(static_cast<unsigned char>(v[k]))) ++k;
    if (k == exp_digits || e == v.size()) digits = 0;
  }
  double d = 0;
  if (digits > 0 && k == v.size() &&
      std::from_chars(v.data(), v.data() + v.size(), d).ptr == v.data() + v.size())
    return negative ? -d : d;
  return s;
}

// MISP filters keep the types YAML gives them: a quoted scalar (or !!str) stays a string.
nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.Scalar()] = to_json(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : n) j.push_back(to_json(e));
    return j;
  }
  if (n.IsNull() || !n.IsDefined()) return nullptr;
  if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return n.Scalar();
  return plain_scalar_json(n.Scalar());
}

// restSearch parameters the poller sets on every request; a user's value would be overwritten.
const char* poller_owned_filter(const std::string& name) {
  if (name == "timestamp") return "use initial_interval";
  if (name == "limit") return "use the limit option";
  if (name == "page") return "the poller pages by itself";
  if (name == "order") return "the poller reads in (timestamp, id) order";
  if (name == "returnFormat") return "always json";
  return nullptr;
}

// Elastic's rules for a data stream namespace (it becomes part of the index name).
std::optional<Error> check_namespace(const std::string& ns, const std::string& key) {
  if (ns.empty()) return Error{Errc::kConfigValue, key, "must not be empty"};
  if (ns.size() > 100)
    return Error{Errc::kConfigValue, key, "must be at most 100 bytes, got " + ns};
  for (char ch : ns) {
    if (std::isupper(static_cast<unsigned char>(ch)))
      return Error{Errc::kConfigValue, key, "must be lowercase, got " + ns};
    if (std::strchr("\\/*?\"<>|,#:- \t", ch))
      return Error{Errc::kConfigValue, key,
                   std::string("must not contain '") + ch + "', got '" + ns + "'"};
  }
  return std::nullopt;
}

// The token from api_token_file: the file's bytes without trailing line breaks.
std::optional<Error> read_token_file(const std::string& path, const std::string& key, Config& c) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{Errc::kConfigValue, key, "cannot read " + path + ": it is a directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{Errc::kConfigValue, key, "cannot read " + path + ": " + std::strerror(errno)};
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{Errc::kConfigValue, key, "cannot read " + path};
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return Error{Errc::kConfigValue, key, path + " is empty"};
  c.api_token = Secret(std::move(token));
  return std::nullopt;
}

const std::vector<Option>& options() {
  static const std::vector<Option> kOptions = {
      {{"url", "url", "https://mispserver.com", "Base URL of the MISP server."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a URL", n);
         auto u = parse_url(*s, key);
         if (!u) return u.error();
         c.url = u.value();
         return std::nullopt;
       }},
      {{"api_token", "secret", "(required)",
        "MISP automation key, sent raw in the Authorization header."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a string", n);
         c.api_token = Secret(*s);
         return std::nullopt;
       }},
      {{"api_token_file", "path", "",
        "A file holding the MISP automation key (trailing newline trimmed); instead of "
        "api_token."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s || s->empty()) return type_error(key, "a file path", n);
         return read_token_file(*s, key, c);
       }},
      {{"limit", "int", "10",
        "Events (threat) or attributes (threat_attributes) per page, 1-10000."},
       int_opt(&Config::limit, 1, 10000)},
      {{"initial_interval", "duration", "120h", "How far back the first poll looks."},
       duration_opt(&Config::initial_interval, std::chrono::seconds(1))},
      {{"interval", "duration", "10m", "Time between polls."},
       duration_opt(&Config::interval, std::chrono::seconds(1))},
      {{"settle_delay", "duration", "60s",
        "How far behind MISP's own clock (its Date header) each poll's window ends, so rows MISP "
        "is still saving are never inside a window."},
       duration_opt(&Config::settle_delay, std::chrono::seconds(1), std::chrono::hours(24))},
      {{"http_client_timeout", "duration", "30s", "Connect and read timeout of each request."},
       duration_opt(&Config::http_client_timeout, std::chrono::milliseconds(1))},
      {{"http_request_rate_limit", "number", "1", "Requests per second at most; 0 for no limit."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         double v = 0;
         if (!s ||
             std::from_chars(s->data(), s->data() + s->size(), v).ptr != s->data() + s->size() ||
             s->empty())
           return type_error(key, "a number", n);
         if (v < 0) return Error{Errc::kConfigValue, key, "must not be negative, got " + *s};
         c.http_request_rate_limit = v;
         return std::nullopt;
       }},
      {{"filters", "yaml", "{}",
        "MISP restSearch filters (type, tags, to_ids, decayingModel...), passed through."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         YAML::Node m;
         if (auto e = as_mapping(n, key, m)) return e;
         if (m.IsNull()) return std::nullopt;
         if (!m.IsMap()) return type_error(key, "a mapping of MISP filters", m);
         for (const auto& kv : m)
           if (const char* why = poller_owned_filter(kv.first.Scalar()))
             return Error{Errc::kConfigValue, key + "." + kv.first.Scalar(),
                          std::string("set by the poller (") + why + ")"};
         c.filters_json = to_json(m).dump();
         return std::nullopt;
       }},
      {{"proxy_url", "url", "", "HTTP proxy, optionally with user:password@."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         if (n.IsNull() || (n.IsScalar() && n.Scalar().empty())) return std::nullopt;
         auto s = scalar(n);
         if (!s) return type_error(key, "a URL", n);
         auto u = parse_url(*s, key);
         if (!u) return u.error();
         if (u->scheme != "http")
           return Error{Errc::kConfigValue, key, "must be an http:// proxy URL"};
         c.proxy_url = u.value();
         return std::nullopt;
       }},
      {{"ssl", "yaml", "",
        "verification_mode (full|certificate|none), certificate_authorities, certificate, key, "
        "supported_protocols."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         YAML::Node m;
         if (auto e = as_mapping(n, key, m)) return e;
         if (m.IsNull()) return std::nullopt;
         if (!m.IsMap()) return type_error(key, "a mapping", m);
         for (const auto& kv : m) {
           std::string k = kv.first.Scalar(), path = key + "." + k;
           if (k == "verification_mode") {
             auto s = scalar(kv.second);
             if (s && *s == "full")
               c.ssl.verification_mode = VerificationMode::kFull;
             else if (s && *s == "certificate")
               c.ssl.verification_mode = VerificationMode::kCertificate;
             else if (s && *s == "none")
               c.ssl.verification_mode = VerificationMode::kNone;
             else
               return Error{Errc::kConfigValue, path, "must be full, certificate or none"};
           } else if (k == "certificate_authorities") {
             if (auto e = parse_string_list(kv.second, c.ssl.certificate_authorities, path))
               return e;
           } else if (k == "certificate" || k == "key") {
             auto s = scalar(kv.second);
             if (!s) return type_error(path, "a file path", kv.second);
             (k == "key" ? c.ssl.key : c.ssl.certificate) = *s;
           } else if (k == "supported_protocols") {
             if (auto e = parse_string_list(kv.second, c.ssl.supported_protocols, path)) return e;
             for (const auto& p : c.ssl.supported_protocols)
               if (p != "TLSv1.2" && p != "TLSv1.3")
                 return Error{Errc::kConfigValue, path, "supports TLSv1.2 and TLSv1.3, got " + p};
           } else {
             return Error{Errc::kConfigUnknownKey, path, "unknown ssl option"};
           }
         }
         if (c.ssl.certificate.empty() != c.ssl.key.empty())
           return Error{Errc::kConfigValue, key, "certificate and key go together"};
         return std::nullopt;
       }},
      {{"tags", "list", "[forwarded, misp-<dataset>]", "Tags added to every document."},
       [](const YAML::Node& n, Config& c, const std::string& key) {
         return parse_string_list(n, c.tags, key);
       }},
      {{"preserve_original_event", "bool", "false", "Keep the MISP JSON in event.original."},
       bool_opt(&Config::preserve_original_event)},
      {{"enforce_warning_list", "bool", "false",
        "threat_attributes: let MISP drop warninglisted values."},
       bool_opt(&Config::enforce_warning_list),
       true},
      {{"ioc_expiration_duration", "string", "90d",
        "threat_attributes: expiry after max(timestamp, last_seen); Nd, Nh or Nm."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a duration such as 90d, 12h or 30m", n);
         if (s->size() < 2 || std::string("dhm").find(s->back()) == std::string::npos)
           return Error{Errc::kConfigValue, key,
                        "must be a number followed by d, h or m, got '" + *s + "'"};
         for (std::size_t i = 0; i + 1 < s->size(); ++i)
           if (!std::isdigit(static_cast<unsigned char>((*s)[i])))
             return Error{Errc::kConfigValue, key,
                          "must be a number followed by d, h or m, got '" + *s + "'"};
         c.ioc_expiration_duration = *s;
         return std::nullopt;
       },
       true},
      {{"refetch", "bool", "false",
        "Start over from now - initial_interval every refetch_interval."},
       bool_opt(&Config::refetch)},
      {{"refetch_interval", "duration", "24h", "How often a refetch starts over."},
       duration_opt(&Config::refetch_interval, std::chrono::seconds(60))},
      {{"enable_request_tracer", "bool", "false",
        "Write requests and responses (secrets redacted) to an NDJSON trace file."},
       bool_opt(&Config::enable_request_tracer)},
      {{"tracer_path", "string", "<data dir>/http-request-trace-<stream>.ndjson",
        "Where the request tracer writes."},
       string_opt(&Config::tracer_path)},
      {{"output", "string", "ecs",
        "ecs: mapped documents; raw: httpjson's message, for Elastic's own pipelines."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (s && *s == "ecs") return c.output = OutputMode::kEcs, std::nullopt;
         if (s && *s == "raw") return c.output = OutputMode::kRaw, std::nullopt;
         return Error{Errc::kConfigValue, key, "must be ecs or raw"};
       }},
      {{"max_response_bytes", "int", "268435456", "Largest response body accepted."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         long long v = 0;
         if (!s || s->empty() ||
             std::from_chars(s->data(), s->data() + s->size(), v).ptr != s->data() + s->size())
           return type_error(key, "a number of bytes", n);
         if (v < 1024) return Error{Errc::kConfigValue, key, "must be at least 1024, got " + *s};
         c.max_response_bytes = v;
         return std::nullopt;
       }},
      {{"retry_max_attempts", "int", "5",
        "Tries per request on connection errors, 5xx (not 501) and 429."},
       int_opt(&Config::retry_max_attempts, 1, 100)},
      {{"retry_wait_min", "duration", "1s", "First backoff; it doubles per retry, with jitter."},
       duration_opt(&Config::retry_wait_min, std::chrono::milliseconds(1))},
      {{"retry_wait_max", "duration", "60s", "Longest backoff (and longest wait on a 429)."},
       duration_opt(&Config::retry_wait_max, std::chrono::milliseconds(1))},
      {{"strict_elastic_parity", "bool", "false",
        "Reproduce Elastic's output where it loses information (docs/divergences.md)."},
       bool_opt(&Config::strict_elastic_parity)},
      {{"split", "string", "per-indicator",
        "threat: per-indicator, or elastic for httpjson's cross product."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (s && *s == "per-indicator") return c.split = SplitMode::kPerIndicator, std::nullopt;
         if (s && *s == "elastic") return c.split = SplitMode::kElasticCrossProduct, std::nullopt;
         return Error{Errc::kConfigValue, key, "must be per-indicator or elastic"};
       }},
      {{"data_stream.type", "string", "logs",
        "Elastic Agent's data stream type; only logs. Nested (data_stream: {type: logs}) or "
        "dotted."},
       [](const YAML::Node& n, Config&, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a string", n);
         if (*s != "logs") return Error{Errc::kConfigValue, key, "must be logs, got '" + *s + "'"};
         return std::nullopt;
       }},
      {{"data_stream.dataset", "string", "(the stream's)",
        "ti_misp.threat or ti_misp.threat_attributes; when given, must be the data set the host "
        "loads the stream as."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a string", n);
         std::string want = mapping::dataset_name(c.dataset);
         if (*s != want)
           return Error{Errc::kConfigValue, key,
                        "is '" + *s + "' but the stream is loaded as " + want};
         return std::nullopt;
       }},
      {{"data_stream.namespace", "string", "default",
        "data_stream.namespace of the documents: lowercase, no '-', at most 100 bytes."},
       [](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
         auto s = scalar(n);
         if (!s) return type_error(key, "a string", n);
         if (auto e = check_namespace(*s, key)) return e;
         c.data_stream_namespace = *s;
         return std::nullopt;
       }},
  };
  return kOptions;
}

}  // namespace

Result<Config> parse_config(std::string_view text, mapping::Dataset dataset) {
  return parse_config(text, dataset, policy_vars::environment());
}

Result<Config> parse_config(std::string_view text, mapping::Dataset dataset,
                            const VariableLookup& lookup) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{Errc::kConfigSyntax, "",
                 std::string("configuration is neither YAML nor JSON: ") + e.what()};
  }
  Config c;
  c.dataset = dataset;
  c.tags = mapping::default_tags(dataset);
  auto url = parse_url("https://mispserver.com", "url");
  c.url = url.value();
  if (root.IsNull()) return Error{Errc::kConfigMissing, "api_token", "is required"};
  if (!root.IsMap())
    return Error{Errc::kConfigType, "", "configuration must be a mapping of stream variables"};
  auto given = [&root](const char* key) {
    YAML::Node n = static_cast<const YAML::Node&>(root)[key];  // const: looks, never inserts
    return n && !n.IsNull() && !(n.IsScalar() && n.Scalar().empty());
  };
  if (given("api_token") && given("api_token_file"))
    return Error{Errc::kConfigValue, "api_token_file", "cannot be set together with api_token"};
  // Elastic Agent writes data_stream nested ({type, dataset, namespace}) or dotted; one form.
  std::vector<std::pair<std::string, YAML::Node>> entries;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key != "data_stream") {
      entries.emplace_back(key, kv.second);
      continue;
    }
    if (!kv.second.IsMap())
      return type_error(key, "a mapping of type, dataset and namespace", kv.second);
    for (const auto& d : kv.second) entries.emplace_back(key + "." + d.first.Scalar(), d.second);
  }
  std::set<std::string> seen;
  for (auto& [key, value] : entries) {
    const Option* opt = nullptr;
    for (const auto& o : options())
      if (key == o.doc.name) opt = &o;
    if (!opt)
      return Error{Errc::kConfigUnknownKey, key,
                   "unknown option (see misp-agent run --help for the list)"};
    if (opt->attributes_only && dataset != mapping::Dataset::kThreatAttributes)
      return Error{Errc::kConfigUnknownKey, key,
                   "applies to the threat_attributes data stream only"};
    // A repeated plain key keeps its last value (as before); data_stream's two forms conflict.
    if (!seen.insert(key).second && key.rfind("data_stream.", 0) == 0)
      return Error{Errc::kConfigValue, key, "is set twice"};
    // A YAML text block (the integration UI's filters and ssl) is parsed first, so variables
    // are substituted in its values, never in its syntax.
    if (std::string_view(opt->doc.type) == "yaml") {
      YAML::Node parsed;
      if (auto e = as_mapping(value, key, parsed)) return *e;
      value.reset(parsed);
    }
    if (auto f = policy_vars::substitute_tree(value, lookup, key))
      return Error{Errc::kConfigVariable, f->key, f->message};
    if (auto err = opt->set(value, c, key)) return *err;
  }
  const char* token_key = seen.count("api_token_file") ? "api_token_file" : "api_token";
  if (c.api_token.empty()) return Error{Errc::kConfigMissing, "api_token", "is required"};
  if (c.api_token.reveal().find_first_of("\r\n") != std::string::npos)
    return Error{Errc::kConfigValue, token_key, "the token must not contain line breaks"};
  if (dataset == mapping::Dataset::kThreatAttributes && c.split != SplitMode::kPerIndicator &&
      seen.count("split"))
    return Error{Errc::kConfigValue, "split", "applies to the threat data stream only"};
  // A first window is [now - initial_interval, MISP's now - settle_delay]: it must not be empty.
  if (c.settle_delay >= c.initial_interval)
    return Error{
        Errc::kConfigValue, seen.count("settle_delay") ? "settle_delay" : "initial_interval",
        "settle_delay must be shorter than initial_interval, or the first window is empty"};
  return c;
}

mapping::Options Config::mapping_options(std::int64_t now_ms) const {
  mapping::Options o;
  o.dataset = dataset;
  o.tags = mapping::compose_tags(preserve_original_event, tags);
  o.data_stream_namespace = data_stream_namespace;
  o.now_ms = now_ms;
  o.strict_elastic_parity = strict_elastic_parity;
  o.ioc_expiration_duration = ioc_expiration_duration;
  return o;
}

std::string Config::endpoint() const {
  return url.path +
         (dataset == mapping::Dataset::kThreat ? "/events/restSearch" : "/attributes/restSearch");
}

const std::vector<OptionDoc>& option_docs() {
  static const std::vector<OptionDoc> docs = [] {
    std::vector<OptionDoc> d;
    for (const auto& o : options()) d.push_back(o.doc);
    return d;
  }();
  return docs;
}

}  // namespace misp::plugin
