// One stream of an agent policy -> a validated Config. The options are the seed integration's
// stream variables, with the same names and defaults, plus ours (output, max_response_bytes,
// strict_elastic_parity, split). Everything is checked at load; runtime code trusts the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mapping/options.h"
#include "plugin/result.h"
#include "plugin/split.h"

namespace misp::plugin {

// A string that never prints: api_token, proxy password, client key passphrase.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  const std::string& reveal() const { return v_; }
  bool empty() const { return v_.empty(); }
  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  std::string v_;
};

enum class VerificationMode { kFull, kCertificate, kNone };
enum class OutputMode { kEcs, kRaw };

struct SslConfig {
  VerificationMode verification_mode = VerificationMode::kFull;
  std::vector<std::string> certificate_authorities;  // file paths
  std::string certificate;                           // client certificate (file path)
  std::string key;                                   // client key (file path)
  std::vector<std::string> supported_protocols;      // TLSv1.2, TLSv1.3
};

struct Url {
  std::string scheme, host, path;  // path without a trailing slash
  int port = 0;
  std::string user;
  Secret password;
  std::string redacted() const;  // scheme://host:port/path, credentials left out
};

struct Config {
  mapping::Dataset dataset = mapping::Dataset::kThreat;
  std::string data_stream_namespace = "default";
  Url url;
  Secret api_token;
  int limit = 10;
  std::chrono::seconds initial_interval{120 * 3600};
  std::chrono::seconds interval{600};
  std::chrono::seconds settle_delay{60};  // window ends this far behind MISP's Date header
  std::chrono::milliseconds http_client_timeout{30'000};
  double http_request_rate_limit = 1.0;  // requests per second; 0 = unlimited
  std::string filters_json = "{}";       // MISP restSearch filters, passed through
  std::optional<Url> proxy_url;
  SslConfig ssl;
  std::vector<std::string> tags;
  bool preserve_original_event = false;
  bool enforce_warning_list = false;
  std::string ioc_expiration_duration = "90d";
  bool refetch = false;
  std::chrono::seconds refetch_interval{24 * 3600};
  bool enable_request_tracer = false;
  std::string tracer_path;  // where the tracer writes (defaults under the data dir)
  OutputMode output = OutputMode::kEcs;
  std::int64_t max_response_bytes = 256LL << 20;
  int retry_max_attempts = 5;  // per request, the first try included
  std::chrono::milliseconds retry_wait_min{1000};
  std::chrono::milliseconds retry_wait_max{60'000};
  bool strict_elastic_parity = false;
  SplitMode split = SplitMode::kPerIndicator;

  // The mapping options this stream implies.
  mapping::Options mapping_options(std::int64_t now_ms) const;
  std::string endpoint() const;  // "/events/restSearch" or "/attributes/restSearch"
};

// Parses a stream's variables given as YAML or JSON text (a mapping of variable -> value), for the
// dataset (threat | threat_attributes). Every problem is an Error naming the key.
// ${env.NAME} variables in any string value are replaced from the environment first
// (common/policy_vars.h: Elastic Agent's env provider syntax; $${ is a literal ${).
Result<Config> parse_config(std::string_view text, mapping::Dataset dataset);
// The same with the variables looked up elsewhere (tests): NAME -> value, nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;
Result<Config> parse_config(std::string_view text, mapping::Dataset dataset,
                            const VariableLookup& lookup);

// Go-style durations: "120h", "10m", "30s", "1h30m", "500ms".
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
Result<Url> parse_url(std::string_view text, std::string_view key);

// The table of options: name, type, default, description (docs/configuration.md, --help).
struct OptionDoc {
  const char* name;
  const char* type;
  const char* default_value;
  const char* description;
};
const std::vector<OptionDoc>& option_docs();

}  // namespace misp::plugin
