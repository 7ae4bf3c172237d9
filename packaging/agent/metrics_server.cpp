#include "packaging/agent/metrics_server.h"

#include <httplib.h>

#include <chrono>

#include "common/prometheus.h"

#ifndef MISP_AGENT_VERSION
#error "MISP_AGENT_VERSION comes from CMake's project version"
#endif

namespace misp::agent {

namespace {

using prometheus::Exposition;
using prometheus::Type;

void add_sample(void* user_data, const misp_input_metric* m) {
  auto* out = static_cast<Exposition*>(user_data);
  try {
    prometheus::Labels labels;
    for (std::size_t i = 0; i < m->label_count; ++i)
      labels.emplace_back(m->label_names[i], m->label_values[i]);
    out->add(m->name, m->type == MISP_INPUT_METRIC_COUNTER ? Type::kCounter : Type::kGauge,
             m->help ? m->help : "", labels, m->value);
  } catch (...) {  // a C callback: nothing may unwind into the plugin
  }
}

struct OutputCounter {
  const char* name;
  const char* help;
  std::uint64_t OutputStats::*field;
  bool elasticsearch_only;
};

constexpr OutputCounter kOutputCounters[] = {
    {"misp_agent_output_documents_total", "Documents the output accepted.", &OutputStats::documents,
     false},
    {"misp_agent_output_syncs_total",
     "Syncs that made every written document durable (cursors move only then).",
     &OutputStats::syncs, false},
    {"misp_agent_output_failed_syncs_total",
     "Syncs that failed (the cursor stayed; the documents are sent again).",
     &OutputStats::failed_syncs, false},
    {"misp_agent_output_indexed_total", "Documents Elasticsearch stored.", &OutputStats::indexed,
     true},
    {"misp_agent_output_duplicates_total",
     "Documents Elasticsearch already had under the same _id (409).", &OutputStats::duplicates,
     true},
    {"misp_agent_output_rejected_total",
     "Documents Elasticsearch refused for good (a 4xx item other than 409 and 429), written to "
     "the dead-letter file.",
     &OutputStats::rejected, true},
    {"misp_agent_output_retried_total", "Documents sent again after a 429 or 5xx.",
     &OutputStats::retried, true},
    {"misp_agent_output_requests_total", "_bulk requests sent.", &OutputStats::requests, true},
};

void add_output(Exposition& out, const Output& output) {
  const OutputStats s = output.stats();
  const bool es = std::string_view(output.type()) == "elasticsearch";
  for (const auto& c : kOutputCounters)
    if (es || !c.elasticsearch_only)
      out.add(c.name, Type::kCounter, c.help, {{"output", output.type()}},
              static_cast<double>(s.*c.field));
}

}  // namespace

std::string metrics_text(const LoadedPlugin& plugin, Running& running, const Output& output) {
  Exposition out;
  out.add("misp_agent_build_info", Type::kGauge, "misp-agent's version and the plugin's.",
          {{"version", MISP_AGENT_VERSION},
           {"plugin_version", plugin.table().version ? plugin.table().version : ""},
           {"plugin_abi", plugin.abi()}},
          1);
  std::string legacy;  // a 1.0 plugin's own text, which misp-agent cannot merge
  const misp_input_plugin& p = plugin.table();
  running.for_each([&](misp_input_instance* inst, const std::string&) {
    if (plugin.has_collect_metrics()) {
      p.collect_metrics(inst, &add_sample, &out);
    } else if (p.metrics) {
      char buf[8192];
      std::size_t needed = 0;
      if (p.metrics(inst, buf, sizeof buf, &needed) == MISP_INPUT_OK) legacy += buf;
    }
  });
  add_output(out, output);
  return out.text() + legacy;
}

MetricsServer::MetricsServer(const LoadedPlugin& plugin, Running& running, const Output& output)
    : server_(std::make_unique<httplib::Server>()) {
  server_->Get(
      "/metrics", [&plugin, &running, &output](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics_text(plugin, running, output), "text/plain; version=0.0.4");
      });
}

MetricsServer::~MetricsServer() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

bool MetricsServer::listen(int port) {
  // cpp-httplib's accept loop wakes every 100 ms by default; stop() closes the socket, which ends
  // the wait at once, so an idle agent need not wake at all.
  server_->set_idle_interval(std::chrono::hours(1));
  if (!server_->bind_to_port("127.0.0.1", port)) return false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

}  // namespace misp::agent
