// The option table behind parse_config() and option_docs(): one row per stream variable with its
// type, default, description, flags, data sets and setter (Fluent Bit's config_map). Internal to
// plugin/config*.cpp; everything else reads option_docs() or the C ABI's option() slot.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/config.h"

namespace misp::plugin::config_detail {

// Reads one value into the Config; key is the path for messages.
using Setter = std::function<std::optional<Error>(const YAML::Node&, Config&, const std::string&)>;

inline constexpr unsigned kThreat = 1, kAttributes = 2, kBoth = kThreat | kAttributes;

struct Option {
  const char* name;
  const char* type;
  const char* default_value;  // "{stream}" stands for threat / threat_attributes
  const char* description;
  unsigned flags;     // kOption*
  unsigned datasets;  // kThreat, kAttributes or kBoth
  Setter set;
};

const std::vector<Option>& option_table();

// --- value readers shared by the setters (config_setters.cpp) --------------------------------
Error type_error(const std::string& key, const char* want, const YAML::Node& n);
std::optional<std::string> scalar(const YAML::Node& n);
Setter string_opt(std::string Config::*field);
Setter bool_opt(bool Config::*field);
Setter int_opt(int Config::*field, int min, int max);
// A duration at least min (and at most max), stored as Dur.
std::optional<Error> read_duration(const YAML::Node& n, const std::string& key,
                                   std::chrono::milliseconds min,
                                   std::optional<std::chrono::milliseconds> max,
                                   std::chrono::milliseconds& out);
template <typename Dur>
Setter duration_opt(Dur Config::*field, std::chrono::milliseconds min,
                    std::optional<std::chrono::milliseconds> max = std::nullopt) {
  return [field, min, max](const YAML::Node& n, Config& c,
                           const std::string& key) -> std::optional<Error> {
    std::chrono::milliseconds d{};
    if (auto e = read_duration(n, key, min, max, d)) return e;
    c.*field = std::chrono::duration_cast<Dur>(d);
    return std::nullopt;
  };
}
// The integration's UI gives `filters` and `ssl` as YAML text blocks; policies give mappings.
std::optional<Error> as_mapping(const YAML::Node& n, const std::string& key, YAML::Node& out);
std::optional<Error> parse_string_list(const YAML::Node& n, std::vector<std::string>& out,
                                       const std::string& key);
// MISP filters keep the types YAML gives them: a quoted scalar (or !!str) stays a string.
nlohmann::json to_json(const YAML::Node& n);

}  // namespace misp::plugin::config_detail
