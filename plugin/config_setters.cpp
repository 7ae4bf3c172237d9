// The value readers of the option table: typed values from YAML nodes, every problem an Error
// naming the key and saying what was expected and what came.
#include <cctype>
#include <charconv>

#include "plugin/config_options.h"

namespace misp::plugin::config_detail {

namespace {

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

}  // namespace

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

std::optional<Error> read_duration(const YAML::Node& n, const std::string& key,
                                   std::chrono::milliseconds min,
                                   std::optional<std::chrono::milliseconds> max,
                                   std::chrono::milliseconds& out) {
  auto s = scalar(n);
  auto d = s ? parse_duration(*s) : std::nullopt;
  if (!d) return type_error(key, "a duration such as 30s, 10m or 120h", n);
  if (*d == std::chrono::milliseconds::max())
    return Error{Errc::kConfigValue, key, "too large, got " + *s};
  if (*d < min)
    return Error{Errc::kConfigValue, key,
                 "must be at least " + std::to_string(min.count()) + "ms, got " + *s};
  if (max && *d > *max)
    return Error{Errc::kConfigValue, key,
                 "must be at most " + std::to_string(max->count()) + "ms, got " + *s};
  out = *d;
  return std::nullopt;
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
  if (n.IsNull() || !n.IsDefined()) return nullptr;
  if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return n.Scalar();
  return plain_scalar_json(n.Scalar());
}

}  // namespace misp::plugin::config_detail
