#include "packaging/agent/input_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace misp::agent {

namespace {

// A MISP feed: every <uuid>.json is an event export; the manifest only indexes them.
std::size_t read_feed(const std::string& path, const OnSource& on_source,
                      const OnReadError& on_error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().filename() != "manifest.json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    on_error(path + ": no event files (*.json besides manifest.json) in this directory");
    return 1;
  }
  std::size_t errors = 0;
  for (const auto& f : files) errors += read_sources(f.string(), on_source, on_error);
  return errors;
}

}  // namespace

std::size_t read_sources(const std::string& path, const OnSource& on_source,
                         const OnReadError& on_error) {
  if (path == "-") {
    on_source("<stdin>", stdin);
    return 0;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return read_feed(path, on_source, on_error);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) {
    on_error(path + ": cannot open: " + std::strerror(errno));
    return 1;
  }
  on_source(path, in.get());
  return 0;
}

}  // namespace misp::agent
