// Elastic Agent's variable syntax in policy values, env provider only: `${env.NAME}` anywhere in
// a string is replaced by the environment variable NAME; `${env.A|env.B|'fallback'}` tries each
// alternative in turn and a quoted constant ends the list; `$${` is a literal `${` (as in
// Elastic Agent, which also leaves a lone `$$` alone). Other providers (`${host.name}`...) and an
// unterminated `${` are errors. Nothing is substituted twice: inserted values are not rescanned.
//
// Header-only and free of plugin/ and agent/ types, so the plugin (stream variables) and
// misp-agent (outputs) share one implementation without misp-agent linking plugin/ code. Pure:
// the caller passes the lookup (environment() reads the process environment). Messages name the
// variable and never a value, so a secret's value cannot reach an error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace misp::policy_vars {

// NAME -> its value, or nullopt when unset.
using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

inline Lookup environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

// Why a value could not be resolved: the first variable concerned ("" when none) and a sentence.
struct Failure {
  std::string variable;
  std::string message;
};

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The inside of one ${...}: alternatives separated by '|', each env.NAME or a quoted constant.
inline std::variant<std::string, Failure> resolve(std::string_view inner, const Lookup& lookup) {
  std::vector<std::string> unset;
  std::size_t start = 0;
  while (start <= inner.size()) {
    std::size_t bar = start;
    char quote = 0;
    for (; bar < inner.size(); ++bar) {
      char ch = inner[bar];
      if (quote) {
        if (ch == quote) quote = 0;
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
      } else if (ch == '|') {
        break;
      }
    }
    std::string_view alt = trim(inner.substr(start, bar - start));
    start = bar + 1;
    if (alt.size() >= 2 && (alt.front() == '\'' || alt.front() == '"') && alt.back() == alt.front())
      return std::string(alt.substr(1, alt.size() - 2));  // a constant ends the list
    if (alt.substr(0, 4) != "env." || alt.size() == 4) {
      std::string var = "${" + std::string(inner) + "}";
      return Failure{std::string(alt), "uses " + var +
                                           ": only ${env.NAME} (Elastic Agent's env provider) is "
                                           "supported; write $${ for a literal ${"};
    }
    std::string name(alt.substr(4));
    if (auto v = lookup(name)) return std::move(*v);
    unset.push_back(std::move(name));
  }
  std::string names, refs;
  for (std::size_t i = 0; i < unset.size(); ++i) names += (i ? ", " : "") + unset[i];
  return Failure{unset.front(), (unset.size() == 1 ? "environment variable " + names + " is"
                                                   : "environment variables " + names + " are") +
                                    " not set (${" + std::string(inner) + "})"};
}

}  // namespace detail

// Replaces every ${...} in text; the result, or the first Failure.
inline std::variant<std::string, Failure> substitute(std::string_view text, const Lookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return Failure{"", "has an unterminated ${ (write $${ for a literal ${)"};
    auto r = detail::resolve(text.substr(i + 2, close - i - 2), lookup);
    if (auto* f = std::get_if<Failure>(&r)) return std::move(*f);
    out += std::get<std::string>(r);
    i = close + 1;
  }
  return out;
}

// The text that substitute() turns back into `literal`: every "${" written "$${".
inline std::string escape(std::string_view literal) {
  std::string out;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    if (literal.compare(i, 2, "${") == 0) out += '$';
    out += literal[i];
  }
  return out;
}

// A Failure with the key path where it happened ("outputs.default.hosts[0]", "filters.tags").
struct TreeFailure {
  std::string key;
  std::string message;
};

// Substitutes every scalar value (never a key) of a YAML tree in place; a quoted scalar stays
// quoted. `path` is the key path of `node`, for messages. A node reached twice through a YAML
// alias is substituted once.
inline std::optional<TreeFailure> substitute_tree(YAML::Node node, const Lookup& lookup,
                                                  const std::string& path,
                                                  std::vector<YAML::Node>* done = nullptr) {
  std::vector<YAML::Node> seen;
  if (!done) done = &seen;
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s.find("${") == std::string::npos) return std::nullopt;
    for (const auto& d : *done)
      if (d.is(node)) return std::nullopt;
    auto r = substitute(s, lookup);
    if (auto* f = std::get_if<Failure>(&r)) return TreeFailure{path, std::move(f->message)};
    node = std::get<std::string>(r);  // assigns the scalar in place; the tag (quoting) stays
    done->push_back(node);
    return std::nullopt;
  }
  if (node.IsMap()) {
    for (auto kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      if (auto f = substitute_tree(kv.second, lookup, path.empty() ? key : path + "." + key, done))
        return f;
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      if (auto f = substitute_tree(node[i], lookup, path + "[" + std::to_string(i) + "]", done))
        return f;
  }
  return std::nullopt;
}

}  // namespace misp::policy_vars
