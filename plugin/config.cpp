// parse_config: YAML or JSON text -> the option table's setters -> cross-field rules -> Config.
#include "plugin/config.h"

#include <set>
#include <utility>

#include "common/policy_vars.h"
#include "plugin/config_options.h"

namespace misp::plugin {

namespace {

using config_detail::Option;
using Entries = std::vector<std::pair<std::string, YAML::Node>>;

const char* stream_name(mapping::Dataset d) {
  return d == mapping::Dataset::kThreat ? "threat" : "threat_attributes";
}

unsigned dataset_bit(mapping::Dataset d) {
  return d == mapping::Dataset::kThreat ? config_detail::kThreat : config_detail::kAttributes;
}

const Option* find_option(const std::string& key) {
  for (const auto& o : config_detail::option_table())
    if (key == o.name) return &o;
  return nullptr;
}

// The stream's variables as (key, value) pairs. Elastic Agent writes data_stream nested
// ({type, dataset, namespace}) or dotted: both become data_stream.<key>.
Result<Entries> flatten(const YAML::Node& root) {
  Entries entries;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key != "data_stream") {
      entries.emplace_back(key, kv.second);
      continue;
    }
    if (!kv.second.IsMap())
      return config_detail::type_error(key, "a mapping of type, dataset and namespace", kv.second);
    for (const auto& d : kv.second) entries.emplace_back(key + "." + d.first.Scalar(), d.second);
  }
  return entries;
}

// One variable through its row of the table: known for this data set, set once, variables
// substituted, then the setter.
std::optional<Error> apply(const std::string& key, YAML::Node value, Config& c,
                           std::set<std::string>& seen, const VariableLookup& lookup) {
  const Option* opt = find_option(key);
  if (!opt)
    return Error{Errc::kConfigUnknownKey, key,
                 "unknown option (see misp-agent run --help for the list)"};
  if (!(opt->datasets & dataset_bit(c.dataset)))
    return Error{Errc::kConfigUnknownKey, key,
                 std::string("applies to the ") +
                     (opt->datasets == config_detail::kThreat ? "threat" : "threat_attributes") +
                     " data stream only"};
  // A repeated plain key keeps its last value (as before); data_stream's two forms conflict.
  if (!seen.insert(key).second && key.rfind("data_stream.", 0) == 0)
    return Error{Errc::kConfigValue, key, "is set twice"};
  // A YAML text block (the integration UI's filters and ssl) is parsed first, so variables are
  // substituted in its values, never in its syntax.
  if (std::string_view(opt->type) == "mapping") {
    YAML::Node parsed;
    if (auto e = config_detail::as_mapping(value, key, parsed)) return e;
    value.reset(parsed);
  }
  if (auto f = policy_vars::substitute_tree(value, lookup, key))
    return Error{Errc::kConfigVariable, f->key, f->message};
  return opt->set(value, c, key);
}

// Rules between options, once every option is read.
std::optional<Error> check_cross_fields(const Config& c, const std::set<std::string>& seen,
                                        Use use) {
  const char* token_key = seen.count("api_token_file") ? "api_token_file" : "api_token";
  if (use == Use::kPoll && c.api_token.empty())
    return Error{Errc::kConfigMissing, "api_token", "is required"};
  if (c.api_token.reveal().find_first_of("\r\n") != std::string::npos)
    return Error{Errc::kConfigValue, token_key, "the token must not contain line breaks"};
  // A first window is [now - initial_interval, MISP's now - settle_delay]: it must not be empty.
  if (c.settle_delay >= c.initial_interval)
    return Error{
        Errc::kConfigValue, seen.count("settle_delay") ? "settle_delay" : "initial_interval",
        "settle_delay must be shorter than initial_interval, or the first window is empty"};
  // No default server: a placeholder would receive the api_token.
  if (use == Use::kPoll && !seen.count("url"))
    return Error{Errc::kConfigMissing, "url", "is required (the MISP server's base URL)"};
  return std::nullopt;
}

Config defaults(mapping::Dataset dataset) {
  Config c;
  c.dataset = dataset;
  c.tags = mapping::default_tags(dataset);
  return c;
}

}  // namespace

Result<Config> parse_config(std::string_view text, mapping::Dataset dataset, Use use) {
  return parse_config(text, dataset, policy_vars::environment(), use);
}

Result<Config> parse_config(std::string_view text, mapping::Dataset dataset,
                            const VariableLookup& lookup, Use use) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{Errc::kConfigSyntax, "",
                 std::string("configuration is neither YAML nor JSON: ") + e.what()};
  }
  Config c = defaults(dataset);
  if (root.IsNull() && use == Use::kMap) return c;
  if (root.IsNull()) return Error{Errc::kConfigMissing, "api_token", "is required"};
  if (!root.IsMap())
    return Error{Errc::kConfigType, "", "configuration must be a mapping of stream variables"};
  auto given = [&root](const char* key) {
    YAML::Node n = static_cast<const YAML::Node&>(root)[key];  // const: looks, never inserts
    return n && !n.IsNull() && !(n.IsScalar() && n.Scalar().empty());
  };
  if (given("api_token") && given("api_token_file"))
    return Error{Errc::kConfigValue, "api_token_file", "cannot be set together with api_token"};
  auto entries = flatten(root);
  if (!entries) return entries.error();
  std::set<std::string> seen;
  for (auto& [key, value] : entries.value())
    if (auto e = apply(key, value, c, seen, lookup)) return *e;
  if (auto e = check_cross_fields(c, seen, use)) return *e;
  return c;
}

mapping::Options Config::mapping_options(std::int64_t now_ms) const {
  mapping::Options o;
  o.dataset = dataset;
  o.tags = mapping::compose_tags(preserve_original_event, tags);
  if (envelope) o.data_stream_namespace = data_stream_namespace;
  o.now_ms = now_ms;
  o.strict_elastic_parity = strict_elastic_parity;
  // The pipeline's script reads the duration as text: the span parsed at load, in minutes.
  o.ioc_expiration_duration = std::to_string(ioc_expiration_duration.count()) + "m";
  return o;
}

std::string Config::endpoint() const {
  return url.path +
         (dataset == mapping::Dataset::kThreat ? "/events/restSearch" : "/attributes/restSearch");
}

const std::vector<OptionDoc>& option_docs(mapping::Dataset dataset) {
  static const auto build = [](mapping::Dataset d) {
    std::vector<OptionDoc> docs;
    for (const auto& o : config_detail::option_table()) {
      if (!(o.datasets & dataset_bit(d))) continue;
      std::string def = o.default_value;
      if (auto at = def.find("{stream}"); at != std::string::npos)
        def.replace(at, 8, stream_name(d));
      docs.push_back({o.name, o.type, def, o.description, o.flags});
    }
    return docs;
  };
  static const std::vector<OptionDoc> threat = build(mapping::Dataset::kThreat);
  static const std::vector<OptionDoc> attributes = build(mapping::Dataset::kThreatAttributes);
  return dataset == mapping::Dataset::kThreat ? threat : attributes;
}

}  // namespace misp::plugin
