#include "packaging/agent/plugin_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <vector>

namespace misp::agent {

using plugin::Errc;
using plugin::Error;

LoadedPlugin::~LoadedPlugin() {
  if (handle_) dlclose(handle_);
}

plugin::Result<std::shared_ptr<LoadedPlugin>> LoadedPlugin::load(const std::string& path) {
  std::vector<std::string> candidates;
  if (!path.empty()) {
    candidates.push_back(path);
  } else {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    candidates.push_back((exe / "libmisp_input.so").string());
    candidates.push_back((exe / ".." / "lib" / "libmisp_input.so").string());
  }
  std::string tried;
  for (const auto& c : candidates) {
    void* h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      tried += std::string(tried.empty() ? "" : "; ") + dlerror();
      continue;
    }
    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin());
    p->handle_ = h;
    p->path_ = c;
    auto entry = reinterpret_cast<misp_input_entry_fn>(dlsym(h, MISP_INPUT_ENTRY_SYMBOL));
    if (!entry)
      return Error{Errc::kConfigValue, c, "not a misp_input plugin (no misp_input_entry symbol)"};
    char err[512] = "";
    if (entry(MISP_INPUT_ABI_MAJOR, MISP_INPUT_ABI_MINOR, &p->table_, err, sizeof err) !=
        MISP_INPUT_OK)
      return Error{Errc::kConfigValue, c, err};
    if (p->table_->magic != MISP_INPUT_MAGIC)
      return Error{Errc::kConfigValue, c, "wrong magic number"};
    return p;
  }
  return Error{Errc::kConfigValue, "plugin", "cannot load libmisp_input.so: " + tried};
}

}  // namespace misp::agent
