// The C edge of the plugin. First half: the C++ implementations, each catching everything.
// Second half (shim_wrappers.cpp): the one-line C wrappers and the exported entry point.
#include "plugin/shim.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>

#include "plugin/config.h"
#include "plugin/poller.h"

struct misp_input_instance {
  misp_input_host host{};
  misp::plugin::Config config;
  std::unique_ptr<misp::plugin::Poller> poller;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> documents{0}, pipeline_errors{0}, polls{0}, failed_polls{0},
      requests{0};
  std::atomic<std::int64_t> last_timestamp{0};  // MISP timestamp of the newest delivered row
  std::mutex committed_mu;
  std::string committed;
};

namespace misp::plugin::shim {

namespace {

void write_error(char* err, std::size_t cap, const std::string& message) {
  if (!err || cap == 0) return;
  std::size_t n = std::min(cap - 1, message.size());
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

std::optional<mapping::Dataset> dataset_of(const char* dataset) {
  if (!dataset) return std::nullopt;
  std::string_view d(dataset);
  if (d == "ti_misp.threat") return mapping::Dataset::kThreat;
  if (d == "ti_misp.threat_attributes") return mapping::Dataset::kThreatAttributes;
  return std::nullopt;
}

Result<Config> load(const char* dataset, const char* config, std::size_t len) {
  auto d = dataset_of(dataset);
  if (!d)
    return Error{Errc::kConfigValue, "data_stream.dataset",
                 "must be ti_misp.threat or ti_misp.threat_attributes"};
  if (!config) return Error{Errc::kConfigMissing, "", "no configuration given"};
  return parse_config(std::string_view(config, len), *d);
}

// A stored cursor may be any bytes (a damaged file): shown with the unprintable ones replaced.
std::string printable(std::string s) {
  for (char& ch : s)
    if (ch < 0x20 || ch > 0x7e) ch = '?';
  return s;
}

void host_log(const misp_input_host& h, std::int32_t level, const std::string& line) {
  if (h.log) h.log(h.host_data, level, line.data(), line.size());
}

// The host's wait in slices of at most 200 ms: request_stop() ends it within that even when the
// host's wait does not wake on its own. False when stopping.
bool wait_for(misp_input_instance* self, std::int64_t ms) {
  constexpr std::int64_t kStopSliceMs = 200;
  while (ms > 0) {
    if (self->stop) return false;
    std::int64_t step = std::min(ms, kStopSliceMs);
    if (self->host.wait(self->host.host_data, step) == 0) return false;
    ms -= step;
  }
  return !self->stop;
}

// Reads only the fields the host's struct_size covers (older hosts have shorter structs).
bool copy_host(const misp_input_host* in, misp_input_host& out) {
  if (!in || in->struct_size < offsetof(misp_input_host, now_ms)) return false;
  std::memcpy(&out, in, std::min<std::size_t>(in->struct_size, sizeof(misp_input_host)));
  out.struct_size = sizeof(misp_input_host);
  return out.emit && out.wait;
}

}  // namespace

std::int32_t entry(std::uint32_t major, std::uint32_t minor, const misp_input_plugin** out,
                   char* err, std::size_t cap) noexcept {
  try {
    (void)minor;  // any 1.x host: structs carry their sizes
    if (!out) return write_error(err, cap, "out is NULL"), MISP_INPUT_ERR_ARGUMENT;
    if (major != MISP_INPUT_ABI_MAJOR) {
      write_error(err, cap,
                  "misp_input: ABI major version " + std::to_string(major) +
                      " requested, this plugin implements " + std::to_string(MISP_INPUT_ABI_MAJOR));
      return MISP_INPUT_ERR_VERSION;
    }
    *out = &table();
    return MISP_INPUT_OK;
  } catch (...) {
    write_error(err, cap, "misp_input: internal error");
    return MISP_INPUT_ERR_INTERNAL;
  }
}

std::int32_t validate_config(const char* dataset, const char* config, std::size_t len, char* err,
                             std::size_t cap) noexcept {
  try {
    auto c = load(dataset, config, len);
    if (!c) return write_error(err, cap, c.error().text()), MISP_INPUT_ERR_CONFIG;
    return MISP_INPUT_OK;
  } catch (const std::exception& e) {
    write_error(err, cap, std::string("misp_input: internal error: ") + e.what());
    return MISP_INPUT_ERR_INTERNAL;
  } catch (...) {
    write_error(err, cap, "misp_input: internal error");
    return MISP_INPUT_ERR_INTERNAL;
  }
}

std::int32_t create(const misp_input_host* host, const char* dataset, const char* config,
                    std::size_t len, const char* cursor, std::size_t cursor_len,
                    misp_input_instance** out, char* err, std::size_t cap) noexcept {
  try {
    if (!out) return write_error(err, cap, "out is NULL"), MISP_INPUT_ERR_ARGUMENT;
    *out = nullptr;
    auto inst = std::make_unique<misp_input_instance>();
    if (!copy_host(host, inst->host))
      return write_error(err, cap, "host is NULL, too short, or lacks emit/wait"),
             MISP_INPUT_ERR_ARGUMENT;
    auto c = load(dataset, config, len);
    if (!c) return write_error(err, cap, c.error().text()), MISP_INPUT_ERR_CONFIG;
    std::string token = cursor ? std::string(cursor, cursor_len) : std::string();
    if (!valid_cursor_token(token))
      return write_error(
                 err, cap,
                 "cursor: '" + printable(token.substr(0, 96)) +
                     "' is not a cursor this plugin wrote (v2:<timestamp>:<id|*>:<refetch>, "
                     "or v1: from the previous version); remove the stored cursor to "
                     "start over from initial_interval"),
             MISP_INPUT_ERR_ARGUMENT;
    inst->config = c.value();
    misp_input_instance* self = inst.get();
    Runtime rt;
    rt.now_ms = [self] {
      if (self->host.now_ms) return self->host.now_ms(self->host.host_data);
      return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    };
    rt.sleep_ms = [self](std::int64_t ms) { return wait_for(self, ms); };
    rt.log = [self](const std::string& line) { host_log(self->host, MISP_INPUT_LOG_INFO, line); };
    inst->poller = std::make_unique<Poller>(inst->config, rt, token, [self](const Delivery& d) {
      if (self->stop) return false;
      misp_input_event ev{};
      ev.struct_size = sizeof(misp_input_event);
      ev.document = d.document.data(), ev.document_len = d.document.size();
      ev.id = d.id.data(), ev.id_len = d.id.size();
      ev.index = d.index.data(), ev.index_len = d.index.size();
      ev.cursor = d.cursor.data(), ev.cursor_len = d.cursor.size();
      ev.time_ms = d.time_ms;
      ev.pipeline_error = d.pipeline_error ? 1 : 0;
      if (self->host.emit(self->host.host_data, &ev) != 0) return false;
      ++self->documents;
      if (d.pipeline_error) ++self->pipeline_errors;
      if (auto c2 = Cursor::decode(d.cursor)) self->last_timestamp = c2->timestamp;
      return true;
    });
    *out = inst.release();
    return MISP_INPUT_OK;
  } catch (const std::exception& e) {
    write_error(err, cap, std::string("misp_input: cannot create: ") + e.what());
    return MISP_INPUT_ERR_INTERNAL;
  } catch (...) {
    write_error(err, cap, "misp_input: cannot create");
    return MISP_INPUT_ERR_INTERNAL;
  }
}

std::int32_t run(misp_input_instance* inst, std::int32_t once) noexcept {
  if (!inst) return MISP_INPUT_ERR_ARGUMENT;
  try {
    while (!inst->stop) {
      PollStats s = inst->poller->poll();
      ++inst->polls;
      inst->requests += s.requests;
      if (!s.completed) {
        if (s.error.code == Errc::kStopped || inst->stop) return MISP_INPUT_STOPPED;
        ++inst->failed_polls;
        host_log(inst->host, MISP_INPUT_LOG_ERROR,
                 "Poll failed. error=\"" + s.error.text() + "\".");
        if (once) return MISP_INPUT_ERR_POLL;
      } else if (once) {
        return MISP_INPUT_OK;
      }
      auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(inst->config.interval).count();
      if (!wait_for(inst, ms)) return MISP_INPUT_STOPPED;
    }
    return MISP_INPUT_STOPPED;
  } catch (const std::exception& e) {
    host_log(inst->host, MISP_INPUT_LOG_ERROR,
             std::string("Internal error. error=\"") + e.what() + "\".");
    return MISP_INPUT_ERR_INTERNAL;
  } catch (...) {
    return MISP_INPUT_ERR_INTERNAL;
  }
}

void request_stop(misp_input_instance* inst) noexcept {
  if (!inst) return;
  inst->stop = true;
  try {
    inst->poller->abort();
  } catch (...) {
  }
}

void committed(misp_input_instance* inst, const char* cursor, std::size_t len) noexcept {
  if (!inst || !cursor) return;
  try {
    std::lock_guard<std::mutex> lock(inst->committed_mu);
    inst->committed.assign(cursor, len);
  } catch (...) {
  }
}

std::int32_t metrics(misp_input_instance* inst, char* buf, std::size_t cap,
                     std::size_t* needed) noexcept {
  if (!inst) return MISP_INPUT_ERR_ARGUMENT;
  try {
    std::string stage =
        inst->config.dataset == mapping::Dataset::kThreat ? "threat" : "threat_attributes";
    std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    std::int64_t lag = inst->last_timestamp ? now_s - inst->last_timestamp.load() : 0;
    std::string label = "{dataset=\"ti_misp." + stage + "\"}";
    std::string text =
        "misp_input_documents_total" + label + " " + std::to_string(inst->documents.load()) + "\n" +
        "misp_input_pipeline_errors_total" + label + " " +
        std::to_string(inst->pipeline_errors.load()) + "\n" + "misp_input_polls_total" + label +
        " " + std::to_string(inst->polls.load()) + "\n" + "misp_input_failed_polls_total" + label +
        " " + std::to_string(inst->failed_polls.load()) + "\n" + "misp_input_requests_total" +
        label + " " + std::to_string(inst->requests.load()) + "\n" +
        "misp_input_cursor_lag_seconds" + label + " " + std::to_string(lag) + "\n";
    if (needed) *needed = text.size();
    write_error(buf, cap, text);
    return MISP_INPUT_OK;
  } catch (...) {
    return MISP_INPUT_ERR_INTERNAL;
  }
}

void destroy(misp_input_instance* inst) noexcept {
  delete inst;
}

}  // namespace misp::plugin::shim
