// libFuzzer: an Elastic Agent standalone policy through misp-agent's load_policy. The loader reads
// a path, so each input is an in-memory file (memfd) read through /proc/self/fd. A stream it
// accepts is handed to the plugin as YAML text, which must load again.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "packaging/agent/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("policy.yml", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    __builtin_trap();  // the harness, not the code under test
  auto policy = misp::agent::load_policy(path);
  if (!policy) return 0;
  for (const auto& s : policy->streams) {
    try {
      YAML::Node vars = YAML::Load(s.config_yaml);
      if (!vars.IsMap()) __builtin_trap();
    } catch (const YAML::Exception&) {
      __builtin_trap();  // the stream's variables were written as YAML the plugin cannot read
    }
  }
  return 0;
}
