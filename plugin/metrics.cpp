#include "plugin/metrics.h"

namespace misp::plugin {

namespace {

double lag(std::int64_t now_s, std::int64_t timestamp) {
  return timestamp > 0 && now_s > timestamp ? static_cast<double>(now_s - timestamp) : 0;
}

}  // namespace

void for_each_sample(const StreamMetrics& m, std::int64_t now_s,
                     const std::function<void(const Sample&)>& fn) {
  using prometheus::Type;
  auto count = [](const std::atomic<std::uint64_t>& c) { return static_cast<double>(c.load()); };
  fn({"misp_input_documents_total", "Documents delivered to the host.", Type::kCounter,
      count(m.documents)});
  fn({"misp_input_pipeline_errors_total",
      "Delivered documents that became event.kind: pipeline_error.", Type::kCounter,
      count(m.pipeline_errors)});
  fn({"misp_input_polls_total", "Polls finished, completed or not.", Type::kCounter,
      count(m.polls)});
  fn({"misp_input_failed_polls_total", "Polls that did not complete (the reason is logged).",
      Type::kCounter, count(m.failed_polls)});
  fn({"misp_input_requests_total", "HTTP requests sent to MISP, retries included.", Type::kCounter,
      count(m.requests)});
  fn({"misp_input_pages_total", "restSearch pages received from MISP.", Type::kCounter,
      count(m.pages)});
  fn({"misp_input_commits_total", "Cursors the host reported durable (committed()).",
      Type::kCounter, count(m.commits)});
  fn({"misp_input_cursor_lag_seconds",
      "Now minus the MISP timestamp of the last delivered document's cursor.", Type::kGauge,
      lag(now_s, m.delivered_timestamp.load())});
  fn({"misp_input_committed_cursor_lag_seconds",
      "Now minus the MISP timestamp of the cursor the host last committed.", Type::kGauge,
      lag(now_s, m.committed_timestamp.load())});
}

std::string exposition(const StreamMetrics& m, std::int64_t now_s,
                       const prometheus::Labels& labels) {
  prometheus::Exposition out;
  for_each_sample(m, now_s,
                  [&](const Sample& s) { out.add(s.name, s.type, s.help, labels, s.value); });
  return out.text();
}

}  // namespace misp::plugin
