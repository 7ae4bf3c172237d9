#include "packaging/agent/map_command.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/policy_vars.h"
#include "packaging/agent/input_reader.h"
#include "packaging/agent/options_text.h"
#include "packaging/agent/output.h"
#include "packaging/agent/plugin_loader.h"

namespace misp::agent {

namespace {

constexpr const char* kUsage = R"(Usage: misp-agent map [options] [FILE|DIR|-]...

Maps MISP JSON to the ECS documents Elastic's MISP integration stores, one per line, with the
document _id under @metadata._id. Input is recognised by shape: NDJSON of split documents, an
event export ({"Event":...}), an /events/restSearch or /attributes/restSearch body, or a MISP feed
directory. No FILE, or '-', reads standard input. The plugin does the mapping (its offline
mapping entry), with the options of a stream.

Options:
  --dataset threat|threat_attributes   data stream (default: threat)
  --no-envelope                        the ingest pipeline's output only, without the fields the
                                       shipper adds (data_stream.*, event.dataset, input.type, ...)
  --now ISO8601                        fixed clock for ingest time and event.created
  --plugin PATH                        libmisp_input.so to load (default: next to misp-agent)
  -h, --help                           this text
)";

struct MapArgs {
  std::string dataset = "threat";
  std::string plugin_path;
  std::optional<std::int64_t> now_ms;
  bool envelope = true, help = false;
  std::vector<std::pair<const MergedOption*, std::string>> options;  // in command-line order
  std::vector<std::string> inputs;
};

int usage_error(const std::string& message) {
  std::cerr << "misp-agent map: " << message << "\n(see misp-agent map --help)\n";
  return 2;
}

// 2025-01-01T00:00:00Z, with optional fraction and a Z or +hh:mm offset: Unix milliseconds.
std::optional<std::int64_t> parse_iso8601(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900, tm.tm_mon -= 1;
  std::int64_t ms = static_cast<std::int64_t>(timegm(&tm)) * 1000;
  std::string rest = s.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    std::size_t digits = rest.find_first_not_of("0123456789", 1);
    std::string frac =
        (rest.substr(1, digits == std::string::npos ? std::string::npos : digits - 1) + "000")
            .substr(0, 3);
    ms += std::stoi(frac);
    rest = digits == std::string::npos ? "" : rest.substr(digits);
  }
  if (rest == "Z") return ms;
  int h = 0, m = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
      std::sscanf(rest.c_str() + 1, "%2d:%2d", &h, &m) == 2)
    return ms - (rest[0] == '+' ? 1 : -1) * (h * 3600000LL + m * 60000LL);
  return std::nullopt;
}

// The flag of an option that shapes documents (--tags, --preserve-original-event...).
const MergedOption* find_flag(const std::vector<MergedOption>& table, const std::string& arg) {
  for (const auto& o : table)
    if ((o.row.flags & MISP_INPUT_OPTION_MAPPING) && option_flag(o.row.name) == arg) return &o;
  return nullptr;
}

// Parses argv with the plugin's flags; an error message for a usage error.
std::optional<std::string> parse_args(int argc, char** argv, const std::vector<MergedOption>& table,
                                      MapArgs& a) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      a.help = true;
    } else if (arg == "--dataset" || arg == "--plugin" || arg == "--now") {
      auto v = value();
      if (!v) return arg + " needs a value";
      if (arg == "--dataset") a.dataset = *v;
      if (arg == "--plugin") a.plugin_path = *v;
      if (arg == "--now" && !(a.now_ms = parse_iso8601(*v)))
        return "--now: expected an ISO-8601 time such as 2025-01-01T00:00:00Z";
    } else if (arg == "--no-envelope") {
      a.envelope = false;
    } else if (const MergedOption* o = find_flag(table, arg)) {
      std::optional<std::string> v =
          o->row.type == "bool" ? std::optional<std::string>("true") : value();
      if (!v) return arg + " needs a value" + (o->row.type == "list" ? " ('' for none)" : "");
      a.options.emplace_back(o, *v);
    } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      return "unknown option '" + arg + "'";
    } else {
      a.inputs.push_back(arg);
    }
  }
  return std::nullopt;
}

// The options as a stream configuration (YAML), taken literally: "${" is escaped.
std::string config_text(const MapArgs& a) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  for (const auto& [o, v] : a.options) {
    y << YAML::Key << o->row.name << YAML::Value;
    if (o->row.type != "list") {
      y << YAML::DoubleQuoted << policy_vars::escape(v);
      continue;
    }
    y << YAML::Flow << YAML::BeginSeq;
    for (std::size_t pos = 0; !v.empty() && pos <= v.size();) {
      std::size_t comma = std::min(v.find(',', pos), v.size());
      y << YAML::DoubleQuoted << policy_vars::escape(v.substr(pos, comma - pos));
      pos = comma + 1;
    }
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
  return y.c_str();
}

// What the plugin calls back into while it maps; every callback is noexcept and guarded.
struct MapHost {
  std::int64_t now_ms = 0;
  std::string line;
  bool failed = false;  // stdout could not be written

  static int32_t emit(void* data, const misp_input_event* e) noexcept {
    auto* h = static_cast<MapHost*>(data);
    try {
      bool raw =
          MISP_INPUT_HAS_FIELD(e, misp_input_event, format) && e->format == MISP_INPUT_FORMAT_RAW;
      h->line.clear();
      append_document_line(
          {{e->index, e->index_len}, {e->id, e->id_len}, {e->document, e->document_len}, raw},
          h->line);
      if (std::fwrite(h->line.data(), 1, h->line.size(), stdout) != h->line.size())
        return h->failed = true, 1;
      if (e->pipeline_error && MISP_INPUT_HAS_FIELD(e, misp_input_event, source_len))
        std::cerr << "misp-agent map: " << std::string_view(e->source, e->source_len)
                  << ": pipeline_error: " << std::string_view(e->error, e->error_len) << "\n";
      return 0;
    } catch (...) {
      return h->failed = true, 1;
    }
  }
  static void log(void*, int32_t level, const char* msg, size_t len) noexcept {
    try {
      if (level <= MISP_INPUT_LOG_WARN)
        std::cerr << "misp-agent map: " << std::string_view(msg, len) << "\n";
    } catch (...) {
    }
  }
  // Unreadable input positions; a refused option comes back in map()'s err as well, told once.
  static void error(void*, const misp_input_error* e) noexcept {
    if (e->code >= 100 && e->code < 200) return;
    try {
      std::cerr << "misp-agent map: " << std::string_view(e->where, e->where_len)
                << (e->where_len ? ": " : "") << std::string_view(e->message, e->message_len)
                << "\n";
    } catch (...) {
    }
  }
  static int64_t now(void* data) noexcept { return static_cast<MapHost*>(data)->now_ms; }
};

misp_input_host make_host(MapHost& h) {
  misp_input_host host{};
  host.struct_size = sizeof host;
  host.abi_major = MISP_INPUT_ABI_MAJOR;
  host.abi_minor = MISP_INPUT_ABI_MINOR;
  host.host_data = &h;
  host.log = &MapHost::log;
  host.emit = &MapHost::emit;
  host.now_ms = &MapHost::now;
  host.error = &MapHost::error;
  return host;
}

// "misp-agent map --help": the fixed flags, then the plugin's.
int print_help(const LoadedPlugin* plugin, const std::vector<MergedOption>& table) {
  std::cout << kUsage << "\nOptions of the stream that shape documents (from the plugin):\n";
  if (!plugin) std::cout << "  (the plugin could not be loaded: see --plugin)\n";
  for (const auto& o : table)
    if (o.row.flags & MISP_INPUT_OPTION_MAPPING)
      std::cout << "  " << option_flag(o.row.name)
                << (o.row.type == "bool"   ? ""
                    : o.row.type == "list" ? " a,b"
                                           : " VALUE")
                << "  " << o.row.doc << " (" << o.row.name
                << (o.default_text.empty() ? "" : ", default " + o.default_text) << ")\n";
  return 0;
}

// Resolves --dataset (threat, or ti_misp.threat) against the plugin's data sets.
std::optional<std::string> full_dataset(const LoadedPlugin& plugin, const std::string& given) {
  for (const auto& d : plugin.datasets())
    if (d == given || d == "ti_misp." + given) return d;
  return std::nullopt;
}

// A refusal of the plugin's ("split: must be ...") told with the flag ("--split: must be ...").
std::string with_flag(const std::string& err, const std::vector<MergedOption>& table) {
  auto colon = err.find(": ");
  if (colon == std::string::npos) return err;
  for (const auto& o : table)
    if (o.row.name == err.substr(0, colon)) return option_flag(o.row.name) + err.substr(colon);
  return err;
}

// Maps every input through the plugin; the exit code.
int map_inputs(const LoadedPlugin& plugin, const MapArgs& args, const std::string& dataset,
               const std::vector<MergedOption>& table) {
  MapHost host_data;
  host_data.now_ms = args.now_ms.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  const misp_input_host host = make_host(host_data);
  const std::string config = config_text(args);
  const std::uint32_t flags = args.envelope ? 0u : MISP_INPUT_MAP_NO_ENVELOPE;
  misp_input_map_stats total{};
  std::size_t read_errors = 0;
  std::string refused;
  // input NULL: the options only; an empty source is an input error of its own.
  auto map_one = [&](const std::string& name, const char* input, std::size_t input_len) {
    misp_input_map_stats s{};
    s.struct_size = sizeof s;
    char err[1024] = "";
    int32_t rc =
        plugin.table().map(&host, dataset.c_str(), config.data(), config.size(), input, input_len,
                           name.data(), name.size(), flags, &s, err, sizeof err);
    if (rc == MISP_INPUT_ERR_CONFIG || rc == MISP_INPUT_ERR_ARGUMENT) refused = err;
    total.documents += s.documents, total.pipeline_errors += s.pipeline_errors;
    total.dropped += s.dropped, total.input_errors += s.input_errors;
  };
  auto on_error = [&](const std::string& m) { std::cerr << "misp-agent map: " << m << "\n"; };
  const misp_input_plugin& t = plugin.table();
  const bool streams = MISP_INPUT_HAS_FIELD(&t, misp_input_plugin, map_stream) && t.map_stream;
  auto on_source = [&](const std::string& name, std::FILE* in) {
    if (!streams) {  // a 1.1 plugin takes the input whole
      std::string bytes;
      char chunk[1 << 16];
      for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, in)) > 0;) bytes.append(chunk, n);
      if (std::ferror(in)) {
        ++read_errors;
        return on_error(name + ": read failed");
      }
      return map_one(name, bytes.data(), bytes.size());
    }
    misp_input_map_stats s{};
    s.struct_size = sizeof s;
    char err[1024] = "";
    auto read = [](void* file, char* buf, std::size_t cap) -> std::int64_t {
      std::size_t n = std::fread(buf, 1, cap, static_cast<std::FILE*>(file));
      return n == 0 && std::ferror(static_cast<std::FILE*>(file)) ? -1
                                                                  : static_cast<std::int64_t>(n);
    };
    int32_t rc = t.map_stream(&host, dataset.c_str(), config.data(), config.size(), read, in,
                              name.data(), name.size(), flags, &s, err, sizeof err);
    if (rc == MISP_INPUT_ERR_CONFIG || rc == MISP_INPUT_ERR_ARGUMENT) refused = err;
    total.documents += s.documents, total.pipeline_errors += s.pipeline_errors;
    total.dropped += s.dropped, total.input_errors += s.input_errors;
  };
  map_one("<options>", nullptr, 0);  // the plugin checks the options first
  for (std::size_t i = 0; i < args.inputs.size() && refused.empty(); ++i)
    read_errors += read_sources(args.inputs[i], on_source, on_error);
  std::fflush(stdout);
  if (!refused.empty()) return usage_error(with_flag(refused, table));
  std::cerr << "misp-agent map: " << total.documents << " documents, " << total.pipeline_errors
            << " pipeline_error, " << total.dropped << " dropped, "
            << total.input_errors + read_errors << " input errors.\n";
  return total.input_errors + read_errors || host_data.failed ? 1 : 0;
}

}  // namespace

int map_command(int argc, char** argv) {
  MapArgs args;
  for (int i = 0; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--plugin") args.plugin_path = argv[i + 1];
  auto lib = LoadedPlugin::load(args.plugin_path);
  std::vector<MergedOption> table =
      lib ? merged_options(*lib.value()) : std::vector<MergedOption>{};
  if (auto e = parse_args(argc, argv, table, args)) return usage_error(*e);
  if (args.help) return print_help(lib ? lib.value().get() : nullptr, table);
  if (!lib) return std::cerr << "misp-agent map: " << lib.error().text() << "\n", 1;
  const LoadedPlugin& plugin = *lib.value();
  if (!plugin.has_map())
    return std::cerr << "misp-agent map: " << plugin.too_old("map").text() << "\n", 1;
  auto dataset = full_dataset(plugin, args.dataset);
  if (!dataset)
    return usage_error("--dataset: must be threat or threat_attributes, got '" + args.dataset +
                       "'");
  if (args.inputs.empty()) args.inputs.push_back("-");
  return map_inputs(plugin, args, *dataset, table);
}

}  // namespace misp::agent
