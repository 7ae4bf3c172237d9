// One stream of the policy run through the plugin: the host callbacks (noexcept, guarded: a
// failing output or a C++ exception never unwinds through the plugin's frames), the cursor file,
// and the commit order output -> cursor file -> committed().
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "packaging/agent/output.h"
#include "packaging/agent/plugin_loader.h"
#include "packaging/agent/policy.h"

namespace misp::agent {

// Stop flag and a sleep that wakes on it (SIGTERM/SIGINT).
struct Stopper {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stopping{false};
  bool sleep(std::int64_t ms);  // false when stopping
  void stop();
};

// The instances running now, for request_stop() on a signal and for /metrics.
class Running {
 public:
  void add(misp_input_instance* inst, const std::string& stream_id);
  void remove(misp_input_instance* inst);
  // fn(instance, stream_id) for each, under the lock (instances stay alive meanwhile).
  void for_each(const std::function<void(misp_input_instance*, const std::string&)>& fn);

 private:
  std::mutex mu_;
  std::map<misp_input_instance*, std::string> running_;
};

// Everything one stream's thread needs.
struct StreamContext {
  const LoadedPlugin& plugin;
  Output& output;
  std::filesystem::path data_dir;
  bool once = false;
  Stopper& stopper;
  std::mutex& log_mu;  // one writer at a time on stderr
  Running& running;
};

// Runs one stream through the plugin; true when its polls completed (or it was stopped).
bool run_stream(const StreamSpec& spec, StreamContext& ctx);

}  // namespace misp::agent
