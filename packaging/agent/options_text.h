// The plugin's option table as people read it: `misp-agent run --help`, `misp-agent options`
// (docs/configuration.md is its markdown), and the command-line flags of `misp-agent map`. All
// of it comes from the loaded plugin (ABI 1.1 option()), none from misp-agent.
#pragma once

#include <string>
#include <vector>

#include "packaging/agent/plugin_loader.h"

namespace misp::agent {

// One option across the plugin's data sets.
struct MergedOption {
  PluginOption row;                   // the first data set's row
  std::vector<std::string> datasets;  // the data sets that have it
  std::string default_text;           // one default, or each data set's
};
std::vector<MergedOption> merged_options(const LoadedPlugin& plugin);

// --tags for tags, --namespace for data_stream.namespace.
std::string option_flag(const std::string& option_name);

// "Stream variables:" and a line per option, for --help.
std::string options_help(const LoadedPlugin& plugin);
// docs/configuration.md.
std::string options_markdown(const LoadedPlugin& plugin);

}  // namespace misp::agent
