#include "packaging/agent/run_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <yaml-cpp/yaml.h>
#include "common/policy_vars.h"
#include "mapping/json/write.h"

#include "packaging/agent/output.h"
#include "packaging/agent/output_elasticsearch.h"
#include "packaging/agent/plugin_loader.h"
#include "packaging/agent/policy.h"
#include "plugin/config.h"
#include "plugin/cursor.h"

namespace misp::agent {

namespace {

constexpr const char* kUsage =
    R"(Usage: misp-agent run --policy FILE [--once] [--data-dir DIR] [--check] [--plugin PATH]
                      [--metrics-port PORT]

Polls MISP for every stream of an Elastic Agent standalone policy and writes the documents to the
policy's output (file or console), one JSON document per line. Cursors are kept in DIR/cursors and
move only after the output has the documents (fsync), so a restart resumes where delivery stopped.

  --policy FILE   the agent policy (YAML)
  --once          one complete poll of every stream, then exit (non-zero when a stream failed)
  --data-dir DIR  cursors and request traces (default: ./data)
  --check         validate the policy (with the plugin's own checks) and exit
  --plugin PATH   libmisp_input.so to load (default: next to misp-agent, then ../lib)
  --metrics-port PORT  serve Prometheus metrics on http://127.0.0.1:PORT/metrics (off by default)
)";

// Stop flag and a sleep that wakes on it (SIGTERM/SIGINT).
struct Stopper {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stopping{false};
  bool sleep(std::int64_t ms) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping.load(); });
    return !stopping.load();
  }
  void stop() {
    stopping = true;
    cv.notify_all();
  }
};
Stopper* g_stopper = nullptr;
extern "C" void on_signal(int) {
  if (g_stopper) {
    g_stopper->stopping = true;  // notify from a signal handler is not safe; sleeps poll the flag
  }
}

// temp + fsync + rename: a cursor file is either the old one or the new one, never half.
bool write_cursor(const std::filesystem::path& file, const std::string& token) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  std::string text = token + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return false;
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return false;
  int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
  return true;
}

std::string read_cursor(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  return token;
}

// What the plugin calls back into, for one stream.
struct StreamHost {
  Output* output = nullptr;
  Stopper* stopper = nullptr;
  std::mutex* log_mu = nullptr;
  std::string id;
  bool raw = false;
  std::string delivered_cursor;  // of the newest document written to the output
  std::size_t since_commit = 0;
  std::filesystem::path cursor_file;
  const misp_input_plugin* plugin = nullptr;
  misp_input_instance* instance = nullptr;
  bool commit_failed = false;

  bool dirty = false;  // documents written since the last commit

  // Output first (fsync), then the cursor file (atomic), then tell the plugin. Nothing to do
  // when nothing was written since (the plugin waits in short slices).
  bool commit() {
    if (!dirty) return true;
    if (!output->sync()) return false;
    if (!delivered_cursor.empty()) {
      if (!write_cursor(cursor_file, delivered_cursor)) return false;
      if (plugin->committed)
        plugin->committed(instance, delivered_cursor.data(), delivered_cursor.size());
    }
    dirty = false;
    return true;
  }

  static void log(void* data, int32_t level, const char* msg, size_t len) {
    auto* h = static_cast<StreamHost*>(data);
    std::lock_guard<std::mutex> lock(*h->log_mu);
    std::cerr << (level == MISP_INPUT_LOG_ERROR ? "ERROR " : "") << std::string_view(msg, len)
              << " stream_id=" << h->id << "\n";
  }
  static int32_t emit(void* data, const misp_input_event* e) {
    auto* h = static_cast<StreamHost*>(data);
    if (h->stopper->stopping || h->commit_failed) return 1;
    Document d{
        {e->index, e->index_len}, {e->id, e->id_len}, {e->document, e->document_len}, h->raw};
    if (!h->output->write(d)) return h->commit_failed = true, 1;
    h->dirty = true;
    h->delivered_cursor.assign(e->cursor, e->cursor_len);
    if (++h->since_commit >= 1000) {
      h->since_commit = 0;
      if (!h->commit()) return h->commit_failed = true, 1;
    }
    return 0;
  }
  static int32_t wait(void* data, int64_t ms) {
    auto* h = static_cast<StreamHost*>(data);
    // Commit at every pause between polls, so an idle agent has everything durable.
    if (!h->commit()) return h->commit_failed = true, 0;
    // Wake at least every 200 ms to notice a signal (the handler cannot notify).
    for (std::int64_t left = ms; left > 0; left -= 200)
      if (!h->stopper->sleep(std::min<std::int64_t>(left, 200))) return 0;
    return h->stopper->stopping ? 0 : 1;
  }
};

// Runs one stream through the plugin; returns true when its polls completed.
bool run_stream(const LoadedPlugin& lib, const StreamSpec& spec, Output& output,
                const std::filesystem::path& data_dir, bool once, Stopper& stopper,
                std::mutex& log_mu, std::map<misp_input_instance*, std::function<void()>>& stops,
                std::mutex& stops_mu) {
  const misp_input_plugin& p = lib.table();
  StreamHost host;
  host.output = &output;
  host.stopper = &stopper;
  host.log_mu = &log_mu;
  host.id = spec.id;
  host.plugin = &p;
  host.cursor_file = data_dir / "cursors" / (spec.id + ".cursor");
  host.raw = spec.raw;
  std::string config = spec.config_yaml;
  if (spec.tracer && !spec.has_tracer_path) {
    // Quoted, and escaped for the plugin's ${env.NAME} substitution: the path is taken literally.
    YAML::Emitter line;
    line << YAML::BeginMap << YAML::Key << "tracer_path" << YAML::Value << YAML::DoubleQuoted
         << policy_vars::escape(
                (data_dir / "logs" / ("http-request-trace-" + spec.id + ".ndjson")).string())
         << YAML::EndMap;
    config += "\n" + std::string(line.c_str()) + "\n";
  }
  // Cursors are the plugin's: it reads old formats and refuses damaged ones with a message
  // (the stream then fails), so a bad file never silently restarts from initial_interval.
  std::string token = read_cursor(host.cursor_file);
  misp_input_host h{};
  h.struct_size = sizeof h;
  h.abi_major = MISP_INPUT_ABI_MAJOR;
  h.abi_minor = MISP_INPUT_ABI_MINOR;
  h.host_data = &host;
  h.log = &StreamHost::log;
  h.emit = &StreamHost::emit;
  h.wait = &StreamHost::wait;
  char err[1024] = "";
  misp_input_instance* inst = nullptr;
  if (p.create(&h, spec.dataset.c_str(), config.data(), config.size(), token.data(), token.size(),
               &inst, err, sizeof err) != MISP_INPUT_OK) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << "Stream not started. stream_id=" << spec.id << " error=\"" << err << "\".\n";
    return false;
  }
  host.instance = inst;
  {
    std::lock_guard<std::mutex> lock(stops_mu);
    stops[inst] = [&p, inst] { p.request_stop(inst); };
  }
  int32_t rc = p.run(inst, once ? 1 : 0);
  bool committed = host.commit() && !host.commit_failed;
  {
    std::lock_guard<std::mutex> lock(stops_mu);
    stops.erase(inst);
  }
  p.destroy(inst);
  if (!committed) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << "Output or cursor write failed. stream_id=" << spec.id << ".\n";
    return false;
  }
  return rc == MISP_INPUT_OK || (rc == MISP_INPUT_STOPPED && !once);
}

}  // namespace

int run_command(int argc, char** argv) {
  std::string policy_path, data_dir = "data", plugin_path;
  bool once = false, check = false;
  int metrics_port = 0;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage << "\nStream variables:\n";
      for (const auto& o : plugin::option_docs())
        std::cout << "  " << o.name << " (" << o.type << ", default " << o.default_value
                  << "): " << o.description << "\n";
      return 0;
    } else if (a == "--policy" && i + 1 < argc) {
      policy_path = argv[++i];
    } else if (a == "--data-dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (a == "--plugin" && i + 1 < argc) {
      plugin_path = argv[++i];
    } else if (a == "--once") {
      once = true;
    } else if (a == "--metrics-port" && i + 1 < argc) {
      metrics_port = std::atoi(argv[++i]);
      if (metrics_port < 1 || metrics_port > 65535) {
        std::cerr << "misp-agent run: --metrics-port must be 1-65535\n";
        return 2;
      }
    } else if (a == "--check") {
      check = true;
    } else {
      std::cerr << "misp-agent run: unknown argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (policy_path.empty()) {
    std::cerr << "misp-agent run: --policy is required\n" << kUsage;
    return 2;
  }
  auto policy = load_policy(policy_path);
  if (!policy) {
    std::cerr << "misp-agent run: " << policy.error().text() << "\n";
    return 1;
  }
  auto lib = LoadedPlugin::load(plugin_path);
  if (!lib) {
    std::cerr << "misp-agent run: " << lib.error().text() << "\n";
    return 1;
  }
  const misp_input_plugin& p = lib.value()->table();
  for (const auto& s : policy->streams) {
    char err[1024] = "";
    if (p.validate_config(s.dataset.c_str(), s.config_yaml.data(), s.config_yaml.size(), err,
                          sizeof err) != MISP_INPUT_OK) {
      std::cerr << "misp-agent run: " << s.where << "." << err << "\n";
      return 1;
    }
  }
  if (check) {
    std::cout << "Policy is valid. streams=" << policy->streams.size() << " plugin=" << p.name
              << "/" << p.version << ".\n";
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(data_dir) / "cursors", ec);
  if (ec) {
    std::cerr << "misp-agent run: cannot create " << data_dir << "/cursors: " << ec.message()
              << "\n";
    return 1;
  }
  Stopper stopper;
  g_stopper = &stopper;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::mutex log_mu;
  auto made = make_output(policy->output, [&log_mu](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << line << "\n";
  });
  if (!made) {
    std::cerr << "misp-agent run: " << made.error().text() << "\n";
    return 1;
  }
  Output& output = *made.value();
  std::mutex stops_mu;
  std::map<misp_input_instance*, std::function<void()>> stops;
  std::vector<std::thread> threads;
  std::vector<char> results(policy->streams.size(), 0);
  std::atomic<bool> done{false};
  // Metrics: each running instance's counters plus the output's, in Prometheus text format.
  std::unique_ptr<httplib::Server> metrics;
  std::thread metrics_thread;
  if (metrics_port) {
    metrics = std::make_unique<httplib::Server>();
    metrics->Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
      std::string text;
      std::lock_guard<std::mutex> lock(stops_mu);
      for (const auto& [inst, stop] : stops) {
        char buf[4096];
        std::size_t needed = 0;
        if (p.metrics && p.metrics(inst, buf, sizeof buf, &needed) == MISP_INPUT_OK) text += buf;
      }
      BulkStats b = bulk_stats(output);
      text += "misp_agent_output_indexed_total " + std::to_string(b.indexed) + "\n" +
              "misp_agent_output_duplicates_total " + std::to_string(b.duplicates) + "\n" +
              "misp_agent_output_rejected_total " + std::to_string(b.rejected) + "\n";
      res.set_content(text, "text/plain; version=0.0.4");
    });
    if (!metrics->bind_to_port("127.0.0.1", metrics_port)) {
      std::cerr << "misp-agent run: cannot listen on 127.0.0.1:" << metrics_port << "\n";
      return 1;
    }
    metrics_thread = std::thread([&] { metrics->listen_after_bind(); });
  }
  // Signals only set a flag; this watcher turns it into request_stop() calls.
  std::thread watcher([&] {
    while (!done) {
      if (stopper.stopping) {
        stopper.stop();
        std::lock_guard<std::mutex> lock(stops_mu);
        for (auto& [inst, f] : stops) f();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  for (std::size_t i = 0; i < policy->streams.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = run_stream(*lib.value(), policy->streams[i], output, data_dir, once, stopper,
                              log_mu, stops, stops_mu);
    });
  }
  for (auto& t : threads) t.join();
  done = true;
  watcher.join();
  if (metrics) {
    metrics->stop();
    metrics_thread.join();
  }
  g_stopper = nullptr;
  bool all = std::all_of(results.begin(), results.end(), [](char r) { return r != 0; });
  return all ? 0 : 1;
}

}  // namespace misp::agent
