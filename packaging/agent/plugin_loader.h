// Loads libmisp_input.so with dlopen and checks its ABI, as any host of the plugin does: the
// magic, the major version, and struct_size before every slot added after 1.0 (a 1.0 plugin has
// no option table and no map entry; the accessors say so instead of calling past its table).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "abi/misp_input.h"
#include "packaging/agent/error.h"

namespace misp::agent {

// One row of the plugin's option table, copied out of it.
struct PluginOption {
  std::string name, type, default_value, doc;
  std::uint32_t flags = 0;
};

class LoadedPlugin {
 public:
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // path empty: next to this executable, then ../lib.
  static Result<std::shared_ptr<LoadedPlugin>> load(const std::string& path);
  const misp_input_plugin& table() const { return *table_; }
  const std::string& path() const { return path_; }
  std::string abi() const;  // "1.1" as the plugin reports it

  // ABI 1.1 slots; false for an older plugin.
  bool has_options() const;
  bool has_map() const;
  bool has_collect_metrics() const;
  // The plugin's data sets (empty for a 1.0 plugin) and a data set's options.
  std::vector<std::string> datasets() const;
  std::vector<PluginOption> options(const std::string& dataset) const;
  // An Error naming the slot when the plugin is older than the ABI 1.1 feature `what` needs.
  Error too_old(const std::string& what) const;

 private:
  LoadedPlugin() = default;
  void* handle_ = nullptr;
  const misp_input_plugin* table_ = nullptr;
  std::string path_;
};

}  // namespace misp::agent
