#include "plugin/instance.h"

#include <algorithm>
#include <chrono>

namespace misp::plugin {

namespace {

// A stored cursor may be any bytes (a damaged file): shown with every byte outside printable
// ASCII, and the backslash, escaped as \xNN (so no NUL or control byte reaches a log, and the
// bytes can be told apart), cut after 96 bytes.
std::string printable(std::string_view in) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (char ch : in.substr(0, 96)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += ch;
    } else {
      s += "\\x";
      s += kHex[c >> 4];
      s += kHex[c & 15];
    }
  }
  if (in.size() > 96) s += "...";
  return s;
}

// The host's wait: in one piece when the host promises it wakes on stop, else in slices of at
// most 200 ms so request_stop() ends it within that. False when stopping.
bool wait_for(misp_input_instance* self, std::int64_t ms) {
  constexpr std::int64_t kStopSliceMs = 200;
  const std::int64_t slice = self->host.wait_wakes_on_stop() ? ms : kStopSliceMs;
  while (ms > 0) {
    if (self->stop) return false;
    std::int64_t step = std::min(ms, slice);
    if (!self->host.wait(step)) return false;
    ms -= step;
  }
  return !self->stop;
}

// The document as the C ABI hands it over; counted once the host accepted it.
bool deliver(misp_input_instance* self, const Delivery& d) {
  if (self->stop) return false;
  misp_input_event ev{};
  ev.struct_size = sizeof(misp_input_event);
  ev.document = d.document.data(), ev.document_len = d.document.size();
  ev.id = d.id.data(), ev.id_len = d.id.size();
  ev.index = d.index.data(), ev.index_len = d.index.size();
  ev.cursor = d.cursor.data(), ev.cursor_len = d.cursor.size();
  ev.time_ms = d.time_ms;
  ev.pipeline_error = d.pipeline_error ? 1 : 0;
  ev.format =
      self->config.output == OutputMode::kRaw ? MISP_INPUT_FORMAT_RAW : MISP_INPUT_FORMAT_ECS;
  ev.error = "", ev.source = "";
  if (!self->host.emit(ev)) return false;
  ++self->metrics.documents;
  if (d.pipeline_error) ++self->metrics.pipeline_errors;
  if (auto c = Cursor::decode(d.cursor)) self->metrics.delivered_timestamp = c->timestamp;
  return true;
}

void default_tracer_path(const Host& host, Config& config) {
  if (!config.enable_request_tracer || !config.tracer_path.empty() || host.data_dir().empty())
    return;
  std::string name =
      host.stream_id().empty() ? mapping::dataset_name(config.dataset) : host.stream_id();
  config.tracer_path = host.data_dir() + "/logs/http-request-trace-" + name + ".ndjson";
}

}  // namespace

Result<std::unique_ptr<misp_input_instance>> make_instance(Host host, Config config,
                                                           std::string_view cursor) {
  if (!Cursor::decode(cursor))
    return Error{Errc::kAbiCursor, "cursor",
                 "'" + printable(cursor) +
                     "' is not a cursor this plugin wrote (v2:<timestamp>:<id|*>:<refetch>, or v1: "
                     "from the previous version); remove the stored cursor to start over from "
                     "initial_interval"};
  auto inst = std::make_unique<misp_input_instance>();
  default_tracer_path(host, config);
  inst->host = std::move(host);
  inst->config = std::move(config);
  misp_input_instance* self = inst.get();
  Runtime rt;
  rt.now_ms = [self] { return self->host.now_ms(); };
  rt.sleep_ms = [self](std::int64_t ms) { return wait_for(self, ms); };
  rt.log = self->host.sink();
  rt.on_request = [self] { ++self->metrics.requests; };
  rt.on_page = [self] { ++self->metrics.pages; };
  inst->poller = std::make_unique<Poller>(inst->config, rt, std::string(cursor),
                                          [self](const Delivery& d) { return deliver(self, d); });
  return inst;
}

std::int32_t run_instance(misp_input_instance& inst, bool once) {
  while (!inst.stop) {
    PollStats s = inst.poller->poll();
    ++inst.metrics.polls;
    if (!s.completed) {
      if (s.error.code == Errc::kStopped || inst.stop) return MISP_INPUT_STOPPED;
      ++inst.metrics.failed_polls;
      inst.host.fail("Poll failed.", s.error);
      if (once) return MISP_INPUT_ERR_POLL;
    } else if (once) {
      return MISP_INPUT_OK;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(inst.config.interval).count();
    if (!wait_for(&inst, ms)) return MISP_INPUT_STOPPED;
  }
  return MISP_INPUT_STOPPED;
}

void note_committed(misp_input_instance& inst, std::string_view cursor) {
  ++inst.metrics.commits;
  if (auto c = Cursor::decode(cursor); c && !c->empty())
    inst.metrics.committed_timestamp = c->timestamp;
}

prometheus::Labels metric_labels(const misp_input_instance& inst) {
  return {{"stream_id", inst.host.stream_id()},
          {"namespace", inst.config.data_stream_namespace},
          {"dataset", mapping::dataset_name(inst.config.dataset)}};
}

}  // namespace misp::plugin
