// misp-agent: the standalone host of the MISP input. It knows the plugin only through
// abi/misp_input.h: subcommands run (poll), map (offline mapping) and options (the plugin's
// option table) all go through the loaded libmisp_input.so; setup (the Elasticsearch assets onto
// the policy's cluster) needs no plugin.
#include <cstring>
#include <exception>
#include <iostream>

#include "packaging/agent/map_command.h"
#include "packaging/agent/options_text.h"
#include "packaging/agent/run_command.h"
#include "packaging/agent/setup_command.h"

#ifndef MISP_AGENT_VERSION
#error "MISP_AGENT_VERSION comes from CMake's project version"
#endif

namespace {

constexpr const char* kUsage = R"(Usage: misp-agent COMMAND [options]

Commands:
  run      poll MISP for every stream of an agent policy (see misp-agent run --help)
  setup    install the Elasticsearch assets on the policy's elasticsearch output (--policy FILE)
  map      map MISP JSON you already have (files, feed directories, stdin) to ECS NDJSON
  options  print the plugin's stream variables [--format text|markdown] [--plugin PATH]

Run 'misp-agent COMMAND --help' for a command's options; 'misp-agent --version' for the version.
)";

// `misp-agent options`: the loaded plugin's option table (docs/configuration.md is its markdown).
int options_command(int argc, char** argv) {
  std::string format = "text", plugin_path;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" && i + 1 < argc &&
        (std::strcmp(argv[i + 1], "text") == 0 || std::strcmp(argv[i + 1], "markdown") == 0)) {
      format = argv[++i];
    } else if (a == "--plugin" && i + 1 < argc) {
      plugin_path = argv[++i];
    } else {
      std::cerr << "misp-agent options: unknown argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  auto lib = misp::agent::LoadedPlugin::load(plugin_path);
  if (!lib) return std::cerr << "misp-agent options: " << lib.error().text() << "\n", 1;
  if (!lib.value()->has_options())
    return std::cerr << "misp-agent options: " << lib.value()->too_old("options").text() << "\n", 1;
  std::cout << (format == "markdown" ? misp::agent::options_markdown(*lib.value())
                                     : misp::agent::options_help(*lib.value()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::cout << "misp-agent " << MISP_AGENT_VERSION << " (plugin ABI " << MISP_INPUT_ABI_MAJOR
              << "." << MISP_INPUT_ABI_MINOR << ")\n";
    return 0;
  }
  try {
    if (std::strcmp(argv[1], "map") == 0) return misp::agent::map_command(argc - 2, argv + 2);
    if (std::strcmp(argv[1], "run") == 0) return misp::agent::run_command(argc - 2, argv + 2);
    if (std::strcmp(argv[1], "setup") == 0) return misp::agent::setup_command(argc - 2, argv + 2);
    if (std::strcmp(argv[1], "options") == 0) return options_command(argc - 2, argv + 2);
  } catch (const std::exception& e) {
    std::cerr << "misp-agent: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "misp-agent: unknown command '" << argv[1] << "'\n" << kUsage;
  return 2;
}
