// The option table: every stream variable with its type, default, one-line description, flags,
// data sets and setter. The seed integration's variables keep its names and defaults; ours follow
// the style guide (snake_case nouns with a unit suffix).
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/pem_file.h"
#include "plugin/config_options.h"

namespace misp::plugin::config_detail {

namespace {

using Node = YAML::Node;
using MaybeError = std::optional<Error>;

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
MaybeError check_namespace(const std::string& ns, const std::string& key) {
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

// --- connection ------------------------------------------------------------------------------

MaybeError set_url(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a URL", n);
  auto u = parse_url(*s, key);
  if (!u) return u.error();
  c.url = u.value();
  return std::nullopt;
}

MaybeError set_api_token(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a string", n);
  c.api_token = Secret(*s);
  return std::nullopt;
}

// The token from api_token_file: the file's bytes without trailing line breaks.
MaybeError set_api_token_file(const Node& n, Config& c, const std::string& key) {
  auto path = scalar(n);
  if (!path || path->empty()) return type_error(key, "a file path", n);
  std::error_code ec;
  if (std::filesystem::is_directory(*path, ec))
    return Error{Errc::kConfigValue, key, "cannot read " + *path + ": it is a directory"};
  std::ifstream in(*path, std::ios::binary);
  if (!in)
    return Error{Errc::kConfigValue, key, "cannot read " + *path + ": " + std::strerror(errno)};
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{Errc::kConfigValue, key, "cannot read " + *path};
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return Error{Errc::kConfigValue, key, *path + " is empty"};
  c.api_token = Secret(std::move(token));
  return std::nullopt;
}

MaybeError set_proxy_url(const Node& n, Config& c, const std::string& key) {
  if (n.IsNull() || (n.IsScalar() && n.Scalar().empty())) return std::nullopt;
  auto s = scalar(n);
  if (!s) return type_error(key, "a URL", n);
  auto u = parse_url(*s, key);
  if (!u) return u.error();
  if (u->scheme != "http") return Error{Errc::kConfigValue, key, "must be an http:// proxy URL"};
  c.proxy_url = u.value();
  return std::nullopt;
}

MaybeError set_ssl_entry(const std::string& k, const Node& v, SslConfig& ssl,
                         const std::string& path) {
  if (k == "verification_mode") {
    auto s = scalar(v);
    if (s && *s == "full") return ssl.verification_mode = VerificationMode::kFull, std::nullopt;
    if (s && *s == "certificate")
      return ssl.verification_mode = VerificationMode::kCertificate, std::nullopt;
    if (s && *s == "none") return ssl.verification_mode = VerificationMode::kNone, std::nullopt;
    return Error{Errc::kConfigValue, path, "must be full, certificate or none"};
  }
  if (k == "certificate_authorities") {
    if (auto e = parse_string_list(v, ssl.certificate_authorities, path)) return e;
    for (std::size_t i = 0; i < ssl.certificate_authorities.size(); ++i)
      if (auto why = check_pem_certificate_file(ssl.certificate_authorities[i]); !why.empty())
        return Error{Errc::kConfigValue, path + "[" + std::to_string(i) + "]", why};
    return std::nullopt;
  }
  if (k == "certificate" || k == "key") {
    auto s = scalar(v);
    if (!s) return type_error(path, "a file path", v);
    (k == "key" ? ssl.key : ssl.certificate) = *s;
    return std::nullopt;
  }
  if (k == "supported_protocols") {
    if (auto e = parse_string_list(v, ssl.supported_protocols, path)) return e;
    for (const auto& p : ssl.supported_protocols)
      if (p != "TLSv1.2" && p != "TLSv1.3")
        return Error{Errc::kConfigValue, path, "supports TLSv1.2 and TLSv1.3, got " + p};
    return std::nullopt;
  }
  return Error{Errc::kConfigUnknownKey, path, "unknown ssl option"};
}

MaybeError set_ssl(const Node& n, Config& c, const std::string& key) {
  Node m;
  if (auto e = as_mapping(n, key, m)) return e;
  if (m.IsNull()) return std::nullopt;
  if (!m.IsMap()) return type_error(key, "a mapping", m);
  for (const auto& kv : m)
    if (auto e = set_ssl_entry(kv.first.Scalar(), kv.second, c.ssl, key + "." + kv.first.Scalar()))
      return e;
  if (c.ssl.certificate.empty() != c.ssl.key.empty())
    return Error{Errc::kConfigValue, key, "certificate and key go together"};
  return std::nullopt;
}

std::vector<Option> connection_options() {
  return {
      {"url", "url", "", "Base URL of the MISP server (no default: the api_token goes there).",
       kOptionRequired, kBoth, set_url},
      {"api_token", "secret", "",
       "MISP automation key, sent raw in the Authorization header (or use api_token_file).",
       kOptionRequired | kOptionSecret, kBoth, set_api_token},
      {"api_token_file", "path", "",
       "A file holding the MISP automation key (trailing newline trimmed); instead of api_token.",
       0, kBoth, set_api_token_file},
      {"proxy_url", "url", "", "HTTP proxy, optionally with user:password@.", kOptionSecret, kBoth,
       set_proxy_url},
      {"ssl", "mapping", "",
       "verification_mode (full|certificate|none), certificate_authorities, certificate, key, "
       "supported_protocols.",
       0, kBoth, set_ssl},
      {"http_client_timeout", "duration", "30s", "Connect and read timeout of each request.", 0,
       kBoth, duration_opt(&Config::http_client_timeout, std::chrono::milliseconds(1))},
  };
}

// --- requests and paging ---------------------------------------------------------------------

MaybeError set_rate_limit(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  double v = 0;
  if (!s || s->empty() ||
      std::from_chars(s->data(), s->data() + s->size(), v).ptr != s->data() + s->size())
    return type_error(key, "a number", n);
  if (v < 0) return Error{Errc::kConfigValue, key, "must not be negative, got " + *s};
  c.http_request_rate_limit = v;
  return std::nullopt;
}

MaybeError set_filters(const Node& n, Config& c, const std::string& key) {
  Node m;
  if (auto e = as_mapping(n, key, m)) return e;
  if (m.IsNull()) return std::nullopt;
  if (!m.IsMap()) return type_error(key, "a mapping of MISP filters", m);
  for (const auto& kv : m)
    if (const char* why = poller_owned_filter(kv.first.Scalar()))
      return Error{Errc::kConfigValue, key + "." + kv.first.Scalar(),
                   std::string("set by the poller (") + why + ")"};
  try {
    c.filters_json = to_json(m).dump();
  } catch (const nlohmann::json::type_error&) {  // 316: a string that is not UTF-8
    return Error{Errc::kConfigValue, key, "must be UTF-8 text (JSON cannot carry other bytes)"};
  }
  return std::nullopt;
}

MaybeError set_max_response_bytes(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  long long v = 0;
  if (!s || s->empty() ||
      std::from_chars(s->data(), s->data() + s->size(), v).ptr != s->data() + s->size())
    return type_error(key, "a number of bytes", n);
  if (v < 1024) return Error{Errc::kConfigValue, key, "must be at least 1024, got " + *s};
  c.max_response_bytes = v;
  return std::nullopt;
}

std::vector<Option> request_options() {
  using std::chrono::seconds;
  return {
      {"limit", "int", "10", "Events (threat) or attributes (threat_attributes) per page, 1-10000.",
       0, kBoth, int_opt(&Config::limit, 1, 10000)},
      {"initial_interval", "duration", "120h", "How far back the first poll looks.", 0, kBoth,
       duration_opt(&Config::initial_interval, seconds(1))},
      {"interval", "duration", "10m", "Time between polls.", 0, kBoth,
       duration_opt(&Config::interval, seconds(1))},
      {"settle_delay", "duration", "60s",
       "How far behind MISP's own clock (its Date header) each poll's window ends, so rows MISP "
       "is still saving are never inside a window.",
       0, kBoth, duration_opt(&Config::settle_delay, seconds(1), std::chrono::hours(24))},
      {"http_request_rate_limit", "number", "1", "Requests per second at most; 0 for no limit.", 0,
       kBoth, set_rate_limit},
      {"filters", "mapping", "{}",
       "MISP restSearch filters (type, tags, to_ids, decayingModel...), passed through.", 0, kBoth,
       set_filters},
      {"enforce_warning_list", "bool", "false", "Let MISP drop warninglisted values.", 0,
       kAttributes, bool_opt(&Config::enforce_warning_list)},
      {"refetch", "bool", "false", "Start over from now - initial_interval every refetch_interval.",
       0, kBoth, bool_opt(&Config::refetch)},
      {"refetch_interval", "duration", "24h", "How often a refetch starts over.", 0, kBoth,
       duration_opt(&Config::refetch_interval, seconds(60))},
      {"max_response_bytes", "size", "268435456", "Largest response body accepted.", 0, kBoth,
       set_max_response_bytes},
      {"retry_max_attempts", "int", "5",
       "Tries per request on connection errors, 5xx (not 501) and 429.", 0, kBoth,
       int_opt(&Config::retry_max_attempts, 1, 100)},
      {"retry_wait_min", "duration", "1s", "First backoff; it doubles per retry, with jitter.", 0,
       kBoth, duration_opt(&Config::retry_wait_min, std::chrono::milliseconds(1))},
      {"retry_wait_max", "duration", "60s", "Longest backoff (and longest wait on a 429).", 0,
       kBoth, duration_opt(&Config::retry_wait_max, std::chrono::milliseconds(1))},
      {"enable_request_tracer", "bool", "false",
       "Write requests and responses (secrets redacted) to an NDJSON trace file.", 0, kBoth,
       bool_opt(&Config::enable_request_tracer)},
      {"tracer_path", "path", "<data dir>/logs/http-request-trace-<stream id>.ndjson",
       "Where the request tracer writes (the host gives the data dir and stream id).", 0, kBoth,
       string_opt(&Config::tracer_path)},
  };
}

// --- the documents ---------------------------------------------------------------------------

// Nd, Nh or Nm, read once into minutes; the mapping gets the same span back (mapping_options).
MaybeError set_ioc_expiration(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a duration such as 90d, 12h or 30m", n);
  const std::string bad = "must be a number followed by d, h or m, got '" + *s + "'";
  if (s->size() < 2 || std::string("dhm").find(s->back()) == std::string::npos)
    return Error{Errc::kConfigValue, key, bad};
  std::int64_t amount = 0;
  const char* end = s->data() + s->size() - 1;
  if (!std::isdigit(static_cast<unsigned char>((*s)[0])) ||
      std::from_chars(s->data(), end, amount).ptr != end)
    return Error{Errc::kConfigValue, key, bad};
  const std::int64_t per = s->back() == 'd' ? 1440 : s->back() == 'h' ? 60 : 1;
  constexpr std::int64_t kMaxMinutes = 36500LL * 1440;  // a hundred years
  if (amount > kMaxMinutes / per)
    return Error{Errc::kConfigValue, key, "must be at most 36500d, got '" + *s + "'"};
  c.ioc_expiration_duration = std::chrono::minutes(amount * per);
  return std::nullopt;
}

MaybeError set_output(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (s && *s == "ecs") return c.output = OutputMode::kEcs, std::nullopt;
  if (s && *s == "raw") return c.output = OutputMode::kRaw, std::nullopt;
  return Error{Errc::kConfigValue, key, "must be ecs or raw"};
}

MaybeError set_split(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (s && *s == "per-indicator") return c.split = SplitMode::kPerIndicator, std::nullopt;
  if (s && *s == "elastic") return c.split = SplitMode::kElasticCrossProduct, std::nullopt;
  return Error{Errc::kConfigValue, key, "must be per-indicator or elastic"};
}

MaybeError set_tags(const Node& n, Config& c, const std::string& key) {
  return parse_string_list(n, c.tags, key);
}

std::vector<Option> document_options() {
  return {
      {"tags", "list", "[forwarded, misp-{stream}]", "Tags added to every document.",
       kOptionMapping, kBoth, set_tags},
      {"preserve_original_event", "bool", "false", "Keep the MISP JSON in event.original.",
       kOptionMapping, kBoth, bool_opt(&Config::preserve_original_event)},
      {"ioc_expiration_duration", "duration", "90d",
       "Expiry after max(timestamp, last_seen): Nd, Nh or Nm.", kOptionMapping, kAttributes,
       set_ioc_expiration},
      {"output", "string", "ecs",
       "ecs: mapped documents; raw: httpjson's message, for Elastic's own pipelines.",
       kOptionMapping, kBoth, set_output},
      {"strict_elastic_parity", "bool", "false",
       "Reproduce Elastic's output where it loses information (docs/divergences.md).",
       kOptionMapping, kBoth, bool_opt(&Config::strict_elastic_parity)},
      {"split", "string", "per-indicator",
       "per-indicator: one document per indicator; elastic: httpjson's cross product of event "
       "and object attributes.",
       kOptionMapping, kThreat, set_split},
  };
}

// --- data_stream -----------------------------------------------------------------------------

MaybeError set_type(const Node& n, Config&, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a string", n);
  if (*s != "logs") return Error{Errc::kConfigValue, key, "must be logs, got '" + *s + "'"};
  return std::nullopt;
}

MaybeError set_dataset(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a string", n);
  std::string want = mapping::dataset_name(c.dataset);
  if (*s != want)
    return Error{Errc::kConfigValue, key, "is '" + *s + "' but the stream is loaded as " + want};
  return std::nullopt;
}

MaybeError set_namespace(const Node& n, Config& c, const std::string& key) {
  auto s = scalar(n);
  if (!s) return type_error(key, "a string", n);
  if (auto e = check_namespace(*s, key)) return e;
  c.data_stream_namespace = *s;
  return std::nullopt;
}

std::vector<Option> data_stream_options() {
  return {
      {"data_stream.type", "string", "logs",
       "Elastic Agent's data stream type; only logs. Nested (data_stream: {type: logs}) or "
       "dotted.",
       0, kBoth, set_type},
      {"data_stream.dataset", "string", "ti_misp.{stream}",
       "When given, must be the data set the host loads the stream as.", 0, kBoth, set_dataset},
      {"data_stream.namespace", "string", "default",
       "data_stream.namespace of the documents: lowercase, no '-', at most 100 bytes.",
       kOptionMapping, kBoth, set_namespace},
  };
}

}  // namespace

const std::vector<Option>& option_table() {
  static const std::vector<Option> kTable = [] {
    std::vector<Option> all;
    for (auto group : {connection_options, request_options, document_options, data_stream_options})
      for (auto& o : group()) all.push_back(std::move(o));
    return all;
  }();
  return kTable;
}

}  // namespace misp::plugin::config_detail
