// Loads libmisp_input.so with dlopen and checks its ABI, as any host of the plugin does.
#pragma once

#include <memory>
#include <string>

#include "abi/misp_input.h"
#include "plugin/result.h"

namespace misp::agent {

class LoadedPlugin {
 public:
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // path empty: next to this executable, then ../lib.
  static plugin::Result<std::shared_ptr<LoadedPlugin>> load(const std::string& path);
  const misp_input_plugin& table() const { return *table_; }
  const std::string& path() const { return path_; }

 private:
  LoadedPlugin() = default;
  void* handle_ = nullptr;
  const misp_input_plugin* table_ = nullptr;
  std::string path_;
};

}  // namespace misp::agent
