#include "plugin/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

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
Setter duration_opt(Dur Config::*field, std::chrono::milliseconds min) {
  return
      [field, min](const YAML::Node& n, Config& c, const std::string& key) -> std::optional<Error> {
        auto s = scalar(n);
        auto d = s ? parse_duration(*s) : std::nullopt;
        if (!d) return type_error(key, "a duration such as 30s, 10m or 120h", n);
        if (*d < min)
          return Error{Errc::kConfigValue, key,
                       "must be at least " + std::to_string(min.count()) + "ms, got " + *s};
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
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted in YAML: keep a string
  long long i = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), i);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return i;
  if (s == "true") return true;
  if (s == "false") return false;
  return s;
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
      {{"limit", "int", "10",
        "Events (threat) or attributes (threat_attributes) per page, 1-10000."},
       int_opt(&Config::limit, 1, 10000)},
      {{"initial_interval", "duration", "120h", "How far back the first poll looks."},
       duration_opt(&Config::initial_interval, std::chrono::seconds(1))},
      {{"interval", "duration", "10m", "Time between polls."},
       duration_opt(&Config::interval, std::chrono::seconds(1))},
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
      {{"data_stream.namespace", "string", "default", "data_stream.namespace of the documents."},
       string_opt(&Config::data_stream_namespace)},
  };
  return kOptions;
}

}  // namespace

std::string Url::redacted() const {
  std::string out = scheme + "://" + host;
  if (port) out += ":" + std::to_string(port);
  return out + path;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double v = 0;
    if (std::from_chars(s.data() + start, s.data() + i, v).ptr != s.data() + i) return std::nullopt;
    std::size_t u = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(u, i - u);
    double per = unit == "h"    ? 3.6e6
                 : unit == "m"  ? 6e4
                 : unit == "s"  ? 1e3
                 : unit == "ms" ? 1
                                : -1;
    if (per < 0) return std::nullopt;
    total_ms += static_cast<std::int64_t>(v * per);
  }
  return std::chrono::milliseconds(total_ms);
}

Result<Url> parse_url(std::string_view text, std::string_view key) {
  Url u;
  std::string k(key);
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return Error{Errc::kConfigValue, k, "must be an absolute http:// or https:// URL"};
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return Error{Errc::kConfigValue, k, "must use http or https, got " + u.scheme};
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos)
    return Error{Errc::kConfigValue, k, "must not carry a query or fragment"};
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  u.path = std::string(path);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view creds = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = creds.find(':');
    u.user = std::string(creds.substr(0, colon));
    if (colon != std::string_view::npos) u.password = Secret(std::string(creds.substr(colon + 1)));
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return Error{Errc::kConfigValue, k, "has an unterminated IPv6 host"};
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 1);
    if (!port.empty()) port.remove_prefix(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error{Errc::kConfigValue, k, "has no host"};
  u.host = std::string(host);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    int p = 0;
    if (std::from_chars(port.data(), port.data() + port.size(), p).ptr !=
            port.data() + port.size() ||
        p < 1 || p > 65535)
      return Error{Errc::kConfigValue, k, "has an invalid port '" + std::string(port) + "'"};
    u.port = p;
  }
  return u;
}

Result<Config> parse_config(std::string_view text, mapping::Dataset dataset) {
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
  std::set<std::string> seen;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    YAML::Node value = kv.second;
    if (key == "data_stream" && value.IsMap()) {  // nested form of data_stream.namespace
      for (const auto& d : value) {
        std::string sub = "data_stream." + d.first.Scalar();
        if (sub == "data_stream.dataset") continue;  // chosen by the caller
        if (sub != "data_stream.namespace")
          return Error{Errc::kConfigUnknownKey, sub, "unknown option"};
        if (!d.second.IsScalar()) return type_error(sub, "a string", d.second);
        c.data_stream_namespace = d.second.Scalar();
      }
      continue;
    }
    const Option* opt = nullptr;
    for (const auto& o : options())
      if (key == o.doc.name) opt = &o;
    if (!opt)
      return Error{Errc::kConfigUnknownKey, key,
                   "unknown option (see misp-agent run --help for the list)"};
    if (opt->attributes_only && dataset != mapping::Dataset::kThreatAttributes)
      return Error{Errc::kConfigUnknownKey, key,
                   "applies to the threat_attributes data stream only"};
    if (auto err = opt->set(value, c, key)) return *err;
    seen.insert(key);
  }
  if (c.api_token.empty()) return Error{Errc::kConfigMissing, "api_token", "is required"};
  if (c.api_token.reveal().find_first_of("\r\n") != std::string::npos)
    return Error{Errc::kConfigValue, "api_token", "must not contain line breaks"};
  if (c.data_stream_namespace.empty())
    return Error{Errc::kConfigValue, "data_stream.namespace", "must not be empty"};
  if (dataset == mapping::Dataset::kThreatAttributes && c.split != SplitMode::kPerIndicator &&
      seen.count("split"))
    return Error{Errc::kConfigValue, "split", "applies to the threat data stream only"};
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
