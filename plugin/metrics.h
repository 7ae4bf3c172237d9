// The counters of one instance, and the one place that lists them: name, type, help, value.
// metrics() renders them as Prometheus text (common/prometheus.h), collect_metrics() hands them
// to the host one sample at a time; both carry the labels stream_id, namespace and dataset.
// Counters move as documents are delivered, so a scrape during a long poll sees progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/prometheus.h"

namespace misp::plugin {

struct StreamMetrics {
  std::atomic<std::uint64_t> documents{0}, pipeline_errors{0}, polls{0}, failed_polls{0},
      requests{0}, pages{0}, commits{0};
  // MISP timestamps (Unix seconds) of the cursors last delivered and last committed; 0: none.
  std::atomic<std::int64_t> delivered_timestamp{0}, committed_timestamp{0};
};

struct Sample {
  const char* name;
  const char* help;
  prometheus::Type type;
  double value;
};

// Every sample of m, the lags measured against now_s (the host's clock).
void for_each_sample(const StreamMetrics& m, std::int64_t now_s,
                     const std::function<void(const Sample&)>& fn);

// The same as Prometheus text exposition, each sample with `labels`.
std::string exposition(const StreamMetrics& m, std::int64_t now_s,
                       const prometheus::Labels& labels);

}  // namespace misp::plugin
