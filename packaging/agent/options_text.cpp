#include "packaging/agent/options_text.h"

#include <algorithm>

namespace misp::agent {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// "all" when every data set has it, else the data sets' names.
std::string datasets_text(const MergedOption& o, std::size_t all) {
  return o.datasets.size() == all ? "all" : join(o.datasets, ", ");
}

std::string flags_text(std::uint32_t flags) {
  std::vector<std::string> out;
  if (flags & MISP_INPUT_OPTION_REQUIRED) out.emplace_back("required");
  if (flags & MISP_INPUT_OPTION_SECRET) out.emplace_back("secret");
  if (flags & MISP_INPUT_OPTION_MAPPING) out.emplace_back("shapes documents");
  return join(out, ", ");
}

std::string markdown_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::vector<MergedOption> merged_options(const LoadedPlugin& plugin) {
  std::vector<MergedOption> out;
  std::vector<std::vector<std::string>> defaults;  // per option: each data set's default
  for (const auto& dataset : plugin.datasets()) {
    for (const auto& row : plugin.options(dataset)) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const MergedOption& m) { return m.row.name == row.name; });
      if (it == out.end()) {
        out.push_back({row, {}, ""});
        defaults.emplace_back();
        it = out.end() - 1;
      }
      it->datasets.push_back(dataset);
      defaults[static_cast<std::size_t>(it - out.begin())].push_back(row.default_value);
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& d = defaults[i];
    if (std::all_of(d.begin(), d.end(), [&](const std::string& v) { return v == d.front(); })) {
      out[i].default_text = d.front();
      continue;
    }
    std::vector<std::string> each;
    for (std::size_t k = 0; k < d.size(); ++k)
      each.push_back((d[k].empty() ? "none" : d[k]) + " (" + out[i].datasets[k] + ")");
    out[i].default_text = join(each, ", ");
  }
  return out;
}

std::string option_flag(const std::string& option_name) {
  std::string name = option_name;
  if (name.rfind("data_stream.", 0) == 0) name = name.substr(12);
  std::replace(name.begin(), name.end(), '_', '-');
  return "--" + name;
}

std::string options_help(const LoadedPlugin& plugin) {
  if (!plugin.has_options())
    return "Stream variables: " + plugin.too_old("the option table").text() + "\n";
  const std::size_t all = plugin.datasets().size();
  std::string out = "Stream variables (" + plugin.path() + ", ABI " + plugin.abi() + "):\n";
  for (const auto& o : merged_options(plugin)) {
    out += "  " + o.row.name + " (" + o.row.type;
    if (!o.default_text.empty()) out += ", default " + o.default_text;
    if (o.datasets.size() != all) out += ", " + datasets_text(o, all) + " only";
    if (o.row.flags & MISP_INPUT_OPTION_REQUIRED) out += ", required";
    out += "): " + o.row.doc + "\n";
  }
  return out;
}

std::string options_markdown(const LoadedPlugin& plugin) {
  if (!plugin.has_options()) return plugin.too_old("the option table").text() + "\n";
  const std::size_t all = plugin.datasets().size();
  std::string out =
      "<!-- GENERATED from the plugin's option table (plugin/config_options.cpp) by `misp-agent "
      "options --format markdown` -- do not edit; `cmake --build <dir> --target "
      "configuration_md` regenerates it. -->\n"
      "# Configuration\n\n"
      "The variables of one stream (an Elastic Agent policy stream, a syslog-ng `policy()` "
      "file, or the `config` text a host passes to the plugin), for the data sets " +
      join(plugin.datasets(), " and ") +
      ". `misp-agent run --help` prints the same table from the plugin it loads.\n\n"
      "| name | type | default | data sets | notes | description |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& o : merged_options(plugin))
    out += "| `" + o.row.name + "` | " + o.row.type + " | " +
           markdown_cell(o.default_text.empty() ? "" : "`" + o.default_text + "`") + " | " +
           datasets_text(o, all) + " | " + flags_text(o.row.flags) + " | " +
           markdown_cell(o.row.doc) + " |\n";
  return out;
}

}  // namespace misp::agent
