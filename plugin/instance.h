// One running stream behind the C ABI: the host it reports to, its validated Config, the poller
// and its metrics. misp_input_instance is the opaque handle of abi/misp_input.h.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "plugin/config.h"
#include "plugin/host.h"
#include "plugin/metrics.h"
#include "plugin/poller.h"

struct misp_input_instance {
  misp::plugin::Host host;
  misp::plugin::Config config;
  std::unique_ptr<misp::plugin::Poller> poller;
  std::atomic<bool> stop{false};
  misp::plugin::StreamMetrics metrics;
};

namespace misp::plugin {

// An instance resuming after `cursor` (validated here: kAbiCursor when this plugin did not write
// it). With a data directory from the host and the tracer on, traces default to
// <data_dir>/logs/http-request-trace-<stream id>.ndjson.
Result<std::unique_ptr<misp_input_instance>> make_instance(Host host, Config config,
                                                           std::string_view cursor);

// run(): polls once or until stopped; failures go to the host with their code.
std::int32_t run_instance(misp_input_instance& inst, bool once);

// committed(): the host made `cursor` durable.
void note_committed(misp_input_instance& inst, std::string_view cursor);

// stream_id, namespace, dataset: the labels of every sample.
prometheus::Labels metric_labels(const misp_input_instance& inst);

}  // namespace misp::plugin
