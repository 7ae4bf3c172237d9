#include "packaging/agent/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

namespace misp::agent {

namespace {

// Opens one candidate and checks entry, magic and the table's size.
Result<const misp_input_plugin*> open_table(void* handle, const std::string& path) {
  auto entry = reinterpret_cast<misp_input_entry_fn>(dlsym(handle, MISP_INPUT_ENTRY_SYMBOL));
  if (!entry) return Error{path, "not a misp_input plugin (no misp_input_entry symbol)"};
  char err[512] = "";
  const misp_input_plugin* table = nullptr;
  if (entry(MISP_INPUT_ABI_MAJOR, MISP_INPUT_ABI_MINOR, &table, err, sizeof err) != MISP_INPUT_OK ||
      !table)
    return Error{path, err};
  if (table->magic != MISP_INPUT_MAGIC) return Error{path, "wrong magic number"};
  if (!MISP_INPUT_HAS_FIELD(table, misp_input_plugin, destroy))
    return Error{path, "function table shorter than ABI 1.0's"};
  return table;
}

#ifndef MISP_AGENT_PLUGIN_LIBDIR
#define MISP_AGENT_PLUGIN_LIBDIR "../lib"  // the library directory, relative to misp-agent's
#endif
#ifndef MISP_AGENT_PLUGIN_SONAME
#define MISP_AGENT_PLUGIN_SONAME "libmisp_input.so.1"
#endif

// Without --plugin: the build tree (next to the executable), then the installed tree's library
// directory relative to the executable (bin/ -> lib/, or lib/<multiarch> as configured with
// GNUInstallDirs), then ../lib. The soname first (what the runtime package libmisp-input1
// ships), then libmisp_input.so (the build tree's, and -dev's link).
std::vector<std::string> default_candidates() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  std::vector<std::filesystem::path> dirs{exe, exe / MISP_AGENT_PLUGIN_LIBDIR, exe / ".." / "lib"};
  std::vector<std::string> out;
  for (const auto& d : dirs)
    for (const char* name : {MISP_AGENT_PLUGIN_SONAME, "libmisp_input.so"}) {
      auto c = (d / name).lexically_normal().string();
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  return out;
}

}  // namespace

LoadedPlugin::~LoadedPlugin() {
  if (handle_) dlclose(handle_);
}

Result<std::shared_ptr<LoadedPlugin>> LoadedPlugin::load(const std::string& path) {
  std::vector<std::string> candidates =
      path.empty() ? default_candidates() : std::vector<std::string>{path};
  std::string tried, absent;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (path.empty() && !std::filesystem::exists(c, ec)) {
      absent += std::string(absent.empty() ? "" : ", ") + c;
      continue;
    }
    void* h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      tried += std::string(tried.empty() ? "" : "; ") + dlerror();
      continue;
    }
    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin());
    p->handle_ = h;
    p->path_ = c;
    auto table = open_table(h, c);
    if (!table) return table.error();
    p->table_ = table.value();
    return p;
  }
  if (tried.empty()) tried = "not found (looked for " + absent + ")";
  return Error{"plugin", "cannot load libmisp_input.so: " + tried};
}

std::string LoadedPlugin::abi() const {
  return std::to_string(table_->abi_major) + "." + std::to_string(table_->abi_minor);
}

bool LoadedPlugin::has_options() const {
  return MISP_INPUT_HAS_FIELD(table_, misp_input_plugin, option) && table_->dataset &&
         table_->option;
}

bool LoadedPlugin::has_map() const {
  return MISP_INPUT_HAS_FIELD(table_, misp_input_plugin, map) && table_->map;
}

bool LoadedPlugin::has_collect_metrics() const {
  return MISP_INPUT_HAS_FIELD(table_, misp_input_plugin, collect_metrics) &&
         table_->collect_metrics;
}

std::vector<std::string> LoadedPlugin::datasets() const {
  std::vector<std::string> out;
  if (!has_options()) return out;
  for (std::size_t i = 0; const char* d = table_->dataset(i); ++i) out.emplace_back(d);
  return out;
}

std::vector<PluginOption> LoadedPlugin::options(const std::string& dataset) const {
  std::vector<PluginOption> out;
  if (!has_options()) return out;
  for (std::size_t i = 0; const misp_input_option* o = table_->option(dataset.c_str(), i); ++i) {
    PluginOption row;
    row.name = o->name ? o->name : "";
    row.type = o->type ? o->type : "";
    row.default_value = o->default_value ? o->default_value : "";
    row.doc = o->doc ? o->doc : "";
    row.flags = o->flags;
    out.push_back(std::move(row));
  }
  return out;
}

Error LoadedPlugin::too_old(const std::string& what) const {
  return Error{path_, what + " needs a plugin with ABI 1.1 or later; this one implements " + abi()};
}

}  // namespace misp::agent
