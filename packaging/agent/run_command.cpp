#include "packaging/agent/run_command.h"

#include <pthread.h>
#include <algorithm>
#include <atomic>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "packaging/agent/metrics_server.h"
#include "packaging/agent/options_text.h"
#include "packaging/agent/output.h"
#include "packaging/agent/plugin_loader.h"
#include "packaging/agent/policy.h"
#include "packaging/agent/stream_host.h"

namespace misp::agent {

namespace {

constexpr const char* kUsage =
    R"(Usage: misp-agent run --policy FILE [--once] [--data-dir DIR] [--check] [--plugin PATH]
                      [--metrics-port PORT]

Polls MISP for every stream of an Elastic Agent standalone policy and writes the documents to the
policy's output (file, console or elasticsearch). Cursors are kept in DIR/cursors and move only
after the output has the documents (fsync, or Elasticsearch's acknowledgement), so a restart
resumes where delivery stopped.

  --policy FILE   the agent policy (YAML)
  --once          one complete poll of every stream, then exit (non-zero when a stream failed)
  --data-dir DIR  cursors and request traces (default: ./data)
  --check         validate the policy (with the plugin's own checks) and exit
  --plugin PATH   libmisp_input.so to load (default: next to misp-agent, then ../lib)
  --metrics-port PORT  serve Prometheus metrics on http://127.0.0.1:PORT/metrics (off by default)
)";

struct RunArgs {
  std::string policy_path, data_dir = "data", plugin_path;
  bool once = false, check = false, help = false;
  int metrics_port = 0;
};

// An error message for a usage error.
std::optional<std::string> parse_args(int argc, char** argv, RunArgs& a) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "-h" || arg == "--help") {
      a.help = true;
    } else if (arg == "--policy" && has_value) {
      a.policy_path = argv[++i];
    } else if (arg == "--data-dir" && has_value) {
      a.data_dir = argv[++i];
    } else if (arg == "--plugin" && has_value) {
      a.plugin_path = argv[++i];
    } else if (arg == "--once") {
      a.once = true;
    } else if (arg == "--metrics-port" && has_value) {
      a.metrics_port = std::atoi(argv[++i]);
      if (a.metrics_port < 1 || a.metrics_port > 65535) return "--metrics-port must be 1-65535";
    } else if (arg == "--check") {
      a.check = true;
    } else {
      return "unknown argument '" + arg + "'";
    }
  }
  if (!a.help && a.policy_path.empty()) return "--policy is required";
  return std::nullopt;
}

int fail(const std::string& message) {
  std::cerr << "misp-agent run: " << message << "\n";
  return 1;
}

// Every stream's data set is one the plugin serves, and its variables pass the plugin's checks.
std::optional<std::string> validate(const LoadedPlugin& plugin, const Policy& policy) {
  const auto datasets = plugin.datasets();  // empty for a 1.0 plugin: validate_config decides
  const misp_input_plugin& p = plugin.table();
  for (const auto& s : policy.streams) {
    if (!datasets.empty() &&
        std::find(datasets.begin(), datasets.end(), s.dataset) == datasets.end()) {
      std::string list;
      for (const auto& d : datasets) list += (list.empty() ? "" : " or ") + d;
      return s.where + ".data_stream.dataset: must be " + list + ", got '" + s.dataset + "'";
    }
    char err[1024] = "";
    if (p.validate_config(s.dataset.c_str(), s.config_yaml.data(), s.config_yaml.size(), err,
                          sizeof err) != MISP_INPUT_OK)
      return s.where + "." + err;
  }
  return std::nullopt;
}

// SIGINT and SIGTERM stop the agent; SIGUSR1 only ends the watcher. Blocked in every thread (run()
// blocks them before it starts any) and taken by one watcher with sigwait(), which may notify and
// call request_stop() as a handler may not: nothing polls a flag, so an idle agent sleeps.
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

// Runs every stream on its own thread until they end; true when all succeeded.
bool run_streams(const Policy& policy, StreamContext& ctx) {
  const sigset_t set = watched_signals();
  std::thread watcher([&] {
    const misp_input_plugin& p = ctx.plugin.table();
    for (int sig = 0; sigwait(&set, &sig) == 0 && sig != SIGUSR1;) {
      ctx.stopper.stop();
      ctx.running.for_each(
          [&](misp_input_instance* inst, const std::string&) { p.request_stop(inst); });
    }
  });
  std::vector<char> results(policy.streams.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < policy.streams.size(); ++i)
    threads.emplace_back([&, i] { results[i] = run_stream(policy.streams[i], ctx); });
  for (auto& t : threads) t.join();
  pthread_kill(watcher.native_handle(), SIGUSR1);
  watcher.join();
  return std::all_of(results.begin(), results.end(), [](char r) { return r != 0; });
}

// The run itself, once the policy and the plugin passed.
int run(const RunArgs& args, const Policy& policy, const LoadedPlugin& plugin) {
  const sigset_t signals = watched_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: they all inherit it
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(args.data_dir) / "cursors", ec);
  if (ec) return fail("cannot create " + args.data_dir + "/cursors: " + ec.message());
  std::mutex log_mu;
  OutputSpec spec = policy.output;  // refused documents go next to the cursors
  spec.dead_letter_path =
      (std::filesystem::path(args.data_dir) / "dead_letter" / "elasticsearch.ndjson").string();
  auto made = make_output(spec, [&log_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << line << "\n";
  });
  if (!made) return fail(made.error().text());
  Stopper stopper;
  Running running;
  StreamContext ctx{plugin, *made.value(), args.data_dir, args.once, stopper, log_mu, running};
  std::unique_ptr<MetricsServer> metrics;
  if (args.metrics_port) {
    metrics = std::make_unique<MetricsServer>(plugin, running, *made.value());
    if (!metrics->listen(args.metrics_port))
      return fail("cannot listen on 127.0.0.1:" + std::to_string(args.metrics_port));
  }
  bool all = run_streams(policy, ctx);
  metrics.reset();
  return all ? 0 : 1;
}

}  // namespace

int run_command(int argc, char** argv) {
  RunArgs args;
  if (auto e = parse_args(argc, argv, args)) {
    std::cerr << "misp-agent run: " << *e << "\n" << kUsage;
    return 2;
  }
  auto lib = LoadedPlugin::load(args.plugin_path);
  if (args.help) {
    std::cout << kUsage << "\n"
              << (lib ? options_help(*lib.value())
                      : "Stream variables: " + lib.error().text() + "\n");
    return 0;
  }
  auto policy = load_policy(args.policy_path);
  if (!policy) return fail(policy.error().text());
  if (!lib) return fail(lib.error().text());
  const LoadedPlugin& plugin = *lib.value();
  if (auto e = validate(plugin, policy.value())) return fail(*e);
  if (args.check) {
    std::cout << "Policy is valid. streams=" << policy->streams.size()
              << " plugin=" << plugin.table().name << "/" << plugin.table().version
              << " abi=" << plugin.abi() << ".\n";
    return 0;
  }
  return run(args, policy.value(), plugin);
}

}  // namespace misp::agent
