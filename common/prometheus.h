// One builder of Prometheus text exposition (format 0.0.4) for the plugin's metrics() and
// misp-agent's /metrics alike: samples are grouped by family, each family gets one # HELP and
// one # TYPE line, label values are escaped, and a series added twice (same name and labels)
// keeps its last value, so the output never holds a duplicate series. Header-only.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace misp::prometheus {

enum class Type { kCounter, kGauge };

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  void add(std::string_view name, Type type, std::string_view help, const Labels& labels,
           double value) {
    auto [it, fresh] = index_.try_emplace(std::string(name), families_.size());
    if (fresh) families_.push_back({std::string(name), type, std::string(help), {}, {}});
    Family& f = families_[it->second];
    std::string series = f.name + braces(labels);
    auto [s, added] = f.position.try_emplace(series, f.samples.size());
    if (added) f.samples.emplace_back(series, value);
    f.samples[s->second].second = value;
  }

  std::string text() const {
    std::string out;
    for (const Family& f : families_) {
      out += "# HELP " + f.name + " " + escape(f.help, false) + "\n";
      out += "# TYPE " + f.name + (f.type == Type::kCounter ? " counter\n" : " gauge\n");
      for (const auto& [series, value] : f.samples) out += series + " " + number(value) + "\n";
    }
    return out;
  }

 private:
  struct Family {
    std::string name;
    Type type;
    std::string help;
    std::vector<std::pair<std::string, double>> samples;  // series text, value
    std::map<std::string, std::size_t> position;          // series text -> samples index
  };

  // Label values escape backslash, double quote and line feed; HELP text the first and last.
  static std::string escape(std::string_view s, bool quote) {
    std::string out;
    for (char c : s) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += "\\n";
      else if (c == '"' && quote)
        out += "\\\"";
      else
        out += c;
    }
    return out;
  }

  static std::string braces(const Labels& labels) {
    if (labels.empty()) return "";
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out += ',';
      out += labels[i].first + "=\"" + escape(labels[i].second, true) + "\"";
    }
    return out + "}";
  }

  // Whole numbers without a fraction (counters), others with up to 17 significant digits.
  static std::string number(double v) {
    char buf[32];
    if (v == static_cast<double>(static_cast<long long>(v)) && v < 9e15 && v > -9e15)
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
      std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }

  std::vector<Family> families_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace misp::prometheus
