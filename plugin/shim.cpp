// The C edge of the plugin. First half: the C++ implementations, each catching everything.
// Second half (shim_wrappers.cpp): the slot-labelled table and the exported entry point.
#include "plugin/shim.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "plugin/config.h"
#include "plugin/instance.h"
#include "plugin/offline.h"

namespace misp::plugin::shim {

namespace {

constexpr const char* kDatasets[] = {"ti_misp.threat", "ti_misp.threat_attributes"};

void write_error(char* err, std::size_t cap, const std::string& message) {
  if (!err || cap == 0) return;
  std::size_t n = std::min(cap - 1, message.size());
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

// Runs body; an exception becomes MISP_INPUT_ERR_INTERNAL with its text in err.
template <typename Body>
std::int32_t guarded(char* err, std::size_t cap, const char* what, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    write_error(err, cap, std::string("misp_input: ") + what + ": " + e.what());
  } catch (...) {
    write_error(err, cap, std::string("misp_input: ") + what);
  }
  return MISP_INPUT_ERR_INTERNAL;
}

// The C status of a refusal with this code.
std::int32_t status_of(Errc code) {
  const int n = static_cast<int>(code);
  if (n >= 100 && n < 200) return MISP_INPUT_ERR_CONFIG;
  if (code == Errc::kAbiArgument || code == Errc::kAbiCursor) return MISP_INPUT_ERR_ARGUMENT;
  return MISP_INPUT_ERR_INTERNAL;
}

// A refusal at the edge: its text into err, its code to the host when there is one.
std::int32_t refuse(const Error& e, char* err, std::size_t cap, const Host* host = nullptr) {
  write_error(err, cap, e.text());
  if (host) host->error(e);
  return status_of(e.code);
}

std::optional<mapping::Dataset> dataset_of(const char* dataset) {
  if (!dataset) return std::nullopt;
  std::string_view d(dataset);
  if (d == kDatasets[0]) return mapping::Dataset::kThreat;
  if (d == kDatasets[1]) return mapping::Dataset::kThreatAttributes;
  return std::nullopt;
}

Result<Config> load(const char* dataset, const char* config, std::size_t len, Use use) {
  auto d = dataset_of(dataset);
  if (!d)
    return Error{Errc::kConfigValue, "data_stream.dataset",
                 "must be ti_misp.threat or ti_misp.threat_attributes"};
  if (!config) return Error{Errc::kConfigMissing, "", "no configuration given"};
  return parse_config(std::string_view(config, len), *d, use);
}

const std::vector<misp_input_option>& abi_options(mapping::Dataset d) {
  static const auto build = [](mapping::Dataset dataset) {
    std::vector<misp_input_option> out;
    for (const auto& o : option_docs(dataset))  // static storage: the pointers stay valid
      out.push_back({sizeof(misp_input_option), o.flags, o.name.c_str(), o.type.c_str(),
                     o.default_value.c_str(), o.description.c_str()});
    return out;
  };
  static const auto threat = build(mapping::Dataset::kThreat);
  static const auto attributes = build(mapping::Dataset::kThreatAttributes);
  return d == mapping::Dataset::kThreat ? threat : attributes;
}

// The counts of map(), as far as the host's struct reaches.
void write_stats(misp_input_map_stats* stats, const MapCounts& n) {
  if (!stats) return;
  if (MISP_INPUT_HAS_FIELD(stats, misp_input_map_stats, documents)) stats->documents = n.documents;
  if (MISP_INPUT_HAS_FIELD(stats, misp_input_map_stats, pipeline_errors))
    stats->pipeline_errors = n.pipeline_errors;
  if (MISP_INPUT_HAS_FIELD(stats, misp_input_map_stats, dropped)) stats->dropped = n.dropped;
  if (MISP_INPUT_HAS_FIELD(stats, misp_input_map_stats, input_errors))
    stats->input_errors = n.input_errors;
}

}  // namespace

std::int32_t entry(std::uint32_t major, std::uint32_t minor, const misp_input_plugin** out,
                   char* err, std::size_t cap) noexcept {
  return guarded(err, cap, "internal error", [&]() -> std::int32_t {
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
  });
}

std::int32_t validate_config(const char* dataset, const char* config, std::size_t len, char* err,
                             std::size_t cap) noexcept {
  return guarded(err, cap, "internal error", [&]() -> std::int32_t {
    auto c = load(dataset, config, len, Use::kPoll);
    return c ? MISP_INPUT_OK : refuse(c.error(), err, cap);
  });
}

std::int32_t create(const misp_input_host* host, const char* dataset, const char* config,
                    std::size_t len, const char* cursor, std::size_t cursor_len,
                    misp_input_instance** out, char* err, std::size_t cap) noexcept {
  return guarded(err, cap, "cannot create", [&]() -> std::int32_t {
    if (!out) return refuse(Error{Errc::kAbiArgument, "out", "is NULL"}, err, cap);
    *out = nullptr;
    auto h = Host::copy(host, HostUse::kRun);
    if (!h) return refuse(h.error(), err, cap);
    auto c = load(dataset, config, len, Use::kPoll);
    if (!c) return refuse(c.error(), err, cap, &h.value());
    std::string_view token = cursor ? std::string_view(cursor, cursor_len) : std::string_view();
    auto inst = make_instance(h.value(), std::move(c.value()), token);
    if (!inst) return refuse(inst.error(), err, cap, &h.value());
    *out = inst.value().release();
    return MISP_INPUT_OK;
  });
}

std::int32_t run(misp_input_instance* inst, std::int32_t once) noexcept {
  if (!inst) return MISP_INPUT_ERR_ARGUMENT;
  try {
    return run_instance(*inst, once != 0);
  } catch (const std::exception& e) {
    inst->host.fail("Internal error.", Error{Errc::kInternal, "", e.what()});
  } catch (...) {
  }
  return MISP_INPUT_ERR_INTERNAL;
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
    note_committed(*inst, std::string_view(cursor, len));
  } catch (...) {
  }
}

std::int32_t metrics(misp_input_instance* inst, char* buf, std::size_t cap,
                     std::size_t* needed) noexcept {
  if (!inst) return MISP_INPUT_ERR_ARGUMENT;
  try {
    std::string text = exposition(inst->metrics, inst->host.now_ms() / 1000, metric_labels(*inst));
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

const char* dataset(std::size_t index) noexcept {
  return index < std::size(kDatasets) ? kDatasets[index] : nullptr;
}

const misp_input_option* option(const char* dataset, std::size_t index) noexcept {
  try {
    auto d = dataset_of(dataset);
    if (!d) return nullptr;
    const auto& table = abi_options(*d);
    return index < table.size() ? &table[index] : nullptr;
  } catch (...) {
    return nullptr;
  }
}

namespace {

// map() and map_stream() after their own input check: `run` maps and returns the counts.
template <typename Run>
std::int32_t map_entry(const misp_input_host* host, const char* dataset, const char* config,
                       std::size_t config_len, bool options_only, std::uint32_t flags,
                       misp_input_map_stats* stats, char* err, std::size_t cap, const Run& run) {
  auto h = Host::copy(host, HostUse::kMap);
  if (!h) return refuse(h.error(), err, cap);
  auto c = load(dataset, config ? config : "", config ? config_len : 0, Use::kMap);
  if (!c) return refuse(c.error(), err, cap, &h.value());
  c->envelope = (flags & MISP_INPUT_MAP_NO_ENVELOPE) == 0;
  if (options_only) return write_stats(stats, MapCounts{}), MISP_INPUT_OK;
  MapCounts n = run(c.value(), h.value());
  write_stats(stats, n);
  if (n.stopped) return MISP_INPUT_STOPPED;
  return n.input_errors ? MISP_INPUT_ERR_INPUT : MISP_INPUT_OK;
}

std::string source_name(const char* source, std::size_t source_len) {
  return source ? std::string(source, source_len) : std::string("<input>");
}

}  // namespace

std::int32_t map(const misp_input_host* host, const char* dataset, const char* config,
                 std::size_t config_len, const char* input, std::size_t input_len,
                 const char* source, std::size_t source_len, std::uint32_t flags,
                 misp_input_map_stats* stats, char* err, std::size_t cap) noexcept {
  return guarded(err, cap, "cannot map", [&]() -> std::int32_t {
    if (!input && input_len) return refuse(Error{Errc::kAbiArgument, "input", "is NULL"}, err, cap);
    return map_entry(host, dataset, config, config_len, !input, flags, stats, err, cap,
                     [&](const Config& c, const Host& h) {
                       return map_offline(c, h, std::string_view(input, input_len),
                                          source_name(source, source_len));
                     });
  });
}

std::int32_t map_stream(const misp_input_host* host, const char* dataset, const char* config,
                        std::size_t config_len, misp_input_read_fn read, void* read_data,
                        const char* source, std::size_t source_len, std::uint32_t flags,
                        misp_input_map_stats* stats, char* err, std::size_t cap) noexcept {
  return guarded(err, cap, "cannot map", [&]() -> std::int32_t {
    if (!read) return refuse(Error{Errc::kAbiArgument, "read", "is NULL"}, err, cap);
    return map_entry(host, dataset, config, config_len, false, flags, stats, err, cap,
                     [&](const Config& c, const Host& h) {
                       Reader reader = [&](char* buf, std::size_t n) -> std::int64_t {
                         std::int64_t got = read(read_data, buf, n);
                         return got > static_cast<std::int64_t>(n) ? -1 : got;  // never trust
                       };
                       return map_offline_stream(c, h, reader, source_name(source, source_len));
                     });
  });
}

std::int32_t collect_metrics(misp_input_instance* inst, misp_input_metric_fn fn,
                             void* user_data) noexcept {
  if (!inst || !fn) return MISP_INPUT_ERR_ARGUMENT;
  try {
    const prometheus::Labels labels = metric_labels(*inst);
    std::vector<const char*> names, values;
    for (const auto& [name, value] : labels)
      names.push_back(name.c_str()), values.push_back(value.c_str());
    for_each_sample(inst->metrics, inst->host.now_ms() / 1000, [&](const Sample& s) {
      misp_input_metric m{};
      m.struct_size = sizeof m;
      m.type = s.type == prometheus::Type::kCounter ? MISP_INPUT_METRIC_COUNTER
                                                    : MISP_INPUT_METRIC_GAUGE;
      m.name = s.name, m.help = s.help, m.value = s.value;
      m.label_count = names.size(), m.label_names = names.data(), m.label_values = values.data();
      fn(user_data, &m);
    });
    return MISP_INPUT_OK;
  } catch (...) {
    return MISP_INPUT_ERR_INTERNAL;
  }
}

}  // namespace misp::plugin::shim
