// misp-agent: the standalone host of the MISP input. Subcommands: map (offline mapping).
#include <cstring>
#include <exception>
#include <iostream>

#include "packaging/agent/map_command.h"
#include "packaging/agent/run_command.h"

namespace {

constexpr const char* kUsage = R"(Usage: misp-agent COMMAND [options]

Commands:
  run    poll MISP for every stream of an agent policy (see misp-agent run --help)
  map    map MISP JSON you already have (files, feed directories, stdin) to ECS NDJSON

Run 'misp-agent COMMAND --help' for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  try {
    if (std::strcmp(argv[1], "map") == 0) return misp::agent::map_command(argc - 2, argv + 2);
    if (std::strcmp(argv[1], "run") == 0) return misp::agent::run_command(argc - 2, argv + 2);
  } catch (const std::exception& e) {
    std::cerr << "misp-agent: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "misp-agent: unknown command '" << argv[1] << "'\n" << kUsage;
  return 2;
}
