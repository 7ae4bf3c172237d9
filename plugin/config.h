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

#include "common/secret.h"
#include "common/url.h"
#include "mapping/options.h"
#include "plugin/result.h"
#include "plugin/split.h"

namespace misp::plugin {

using misp::Secret;  // common/secret.h: never prints
using misp::Url;     // common/url.h: credentials kept apart, printed redacted

enum class VerificationMode { kFull, kCertificate, kNone };
enum class OutputMode { kEcs, kRaw };

struct SslConfig {
  VerificationMode verification_mode = VerificationMode::kFull;
  std::vector<std::string> certificate_authorities;  // file paths
  std::string certificate;                           // client certificate (file path)
  std::string key;                                   // client key (file path)
  std::vector<std::string> supported_protocols;      // TLSv1.2, TLSv1.3
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
  std::chrono::minutes ioc_expiration_duration{90 * 24 * 60};  // Nd, Nh or Nm at load
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
  // Filebeat's envelope (data_stream.*, event.dataset...) on each document; only the offline
  // mapping entry turns it off (MISP_INPUT_MAP_NO_ENVELOPE), no stream variable does.
  bool envelope = true;

  // The mapping options this stream implies: the one builder, for the poller and map() alike.
  mapping::Options mapping_options(std::int64_t now_ms) const;
  std::string endpoint() const;  // "/events/restSearch" or "/attributes/restSearch"
};

// What the configuration is for: polling MISP, or the offline mapping entry (no api_token needed;
// options that do not shape documents are checked and ignored).
enum class Use { kPoll, kMap };

// Parses a stream's variables given as YAML or JSON text (a mapping of variable -> value), for the
// dataset (threat | threat_attributes). Every problem is an Error naming the key.
// ${env.NAME} variables in any string value are replaced from the environment first
// (common/policy_vars.h: Elastic Agent's env provider syntax; $${ is a literal ${).
Result<Config> parse_config(std::string_view text, mapping::Dataset dataset, Use use = Use::kPoll);
// The same with the variables looked up elsewhere (tests): NAME -> value, nullopt when unset.
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;
Result<Config> parse_config(std::string_view text, mapping::Dataset dataset,
                            const VariableLookup& lookup, Use use = Use::kPoll);

// Go-style durations: "120h", "10m", "30s", "1h30m", "500ms". One of 2^53 ms or more (about
// 285,000 years) is milliseconds::max(), which callers report as too large.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// An http(s) URL; errors name `key`.
Result<Url> parse_url(std::string_view text, std::string_view key);

// Option flags, as the C ABI's MISP_INPUT_OPTION_* bits.
inline constexpr unsigned kOptionRequired = 1, kOptionSecret = 2, kOptionMapping = 4;

// One row of the option table as a data set sees it (its own defaults): the C ABI's option()
// slot, misp-agent's --help and docs/configuration.md all read this.
struct OptionDoc {
  std::string name;
  std::string type;  // string, bool, int, number, size, duration, url, path, secret, list, mapping
  std::string default_value;
  std::string description;
  unsigned flags = 0;
};
const std::vector<OptionDoc>& option_docs(mapping::Dataset dataset);

}  // namespace misp::plugin
