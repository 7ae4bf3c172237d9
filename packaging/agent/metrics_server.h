// misp-agent's /metrics: every running instance's samples (the plugin's collect_metrics, ABI 1.1)
// and the output's counters, through one builder (common/prometheus.h) into one valid Prometheus
// text exposition: a # HELP and # TYPE per family, unique series.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "packaging/agent/output.h"
#include "packaging/agent/plugin_loader.h"
#include "packaging/agent/stream_host.h"

namespace httplib {
class Server;
}

namespace misp::agent {

// The exposition as it stands now.
std::string metrics_text(const LoadedPlugin& plugin, Running& running, const Output& output);

// Serves metrics_text on http://127.0.0.1:port/metrics until destroyed.
class MetricsServer {
 public:
  MetricsServer(const LoadedPlugin& plugin, Running& running, const Output& output);
  ~MetricsServer();
  bool listen(int port);  // false when the port cannot be bound

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace misp::agent
