#include "packaging/agent/map_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "mapping/es/date.h"
#include "mapping/mapper.h"
#include "packaging/agent/input_reader.h"

namespace misp::agent {

namespace {

constexpr const char* kUsage = R"(Usage: misp-agent map [options] [FILE|DIR|-]...

Maps MISP JSON to the ECS documents Elastic's MISP integration stores, one per line, with the
document _id under @metadata._id. Input is recognised by shape: NDJSON of split documents, an
event export ({"Event":...}), an /events/restSearch or /attributes/restSearch body, or a MISP feed
directory. No FILE, or '-', reads standard input.

Options:
  --dataset threat|threat_attributes   data stream (default: threat)
  --tags a,b                           tags, replacing the defaults (forwarded,misp-<dataset>);
                                       --tags '' for none
  --preserve-original-event            keep event.original (adds the preserve_original_event tag)
  --namespace NS                       data_stream.namespace (default: default)
  --no-envelope                        the ingest pipeline's output only, without the fields the
                                       shipper adds (data_stream.*, event.dataset, input.type, ...)
  --now ISO8601                        fixed clock for ingest time and event.created
  --ioc-expiration-duration D          threat_attributes expiry: Nd, Nh or Nm (default: 90d)
  --strict-elastic-parity              reproduce Elastic's output where it loses information
  --split per-indicator|elastic        events: one document per indicator (default), or
                                       httpjson's attribute x object-attribute cross product
  -h, --help                           this text
)";

std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  if (s.empty()) return out;
  while (true) {
    auto comma = s.find(',', pos);
    out.push_back(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

int usage_error(const std::string& message) {
  std::cerr << "misp-agent map: " << message << "\n(see misp-agent map --help)\n";
  return 2;
}

// Filebeat's file output puts the document id in @metadata._id.
void write_line(const mapping::Output& out, std::string& line) {
  line.clear();
  std::string_view doc = out.document;
  line += "{\"@metadata\":{\"_id\":\"";
  line += out.id;  // base64: no character needs escaping
  line += "\"}";
  if (doc.size() > 2) line += ',';
  line += doc.substr(1);
  line += '\n';
}

}  // namespace

int map_command(int argc, char** argv) {
  mapping::Options options;
  std::optional<std::vector<std::string>> tags;
  bool preserve = false, envelope = true;
  std::string ns = "default";
  std::string split = "per-indicator";
  std::vector<std::string> inputs;
  options.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();

  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      (void)name;
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--dataset") {
      auto v = value("--dataset");
      if (!v) return usage_error("--dataset needs a value");
      if (*v == "threat")
        options.dataset = mapping::Dataset::kThreat;
      else if (*v == "threat_attributes")
        options.dataset = mapping::Dataset::kThreatAttributes;
      else
        return usage_error("--dataset: must be threat or threat_attributes, got '" + *v + "'");
    } else if (arg == "--tags") {
      auto v = value("--tags");
      if (!v) return usage_error("--tags needs a value ('' for none)");
      tags = split_csv(*v);
    } else if (arg == "--preserve-original-event") {
      preserve = true;
    } else if (arg == "--namespace") {
      auto v = value("--namespace");
      if (!v || v->empty()) return usage_error("--namespace needs a non-empty value");
      ns = *v;
    } else if (arg == "--no-envelope") {
      envelope = false;
    } else if (arg == "--now") {
      auto v = value("--now");
      auto ms = v ? mapping::es::parse_iso8601(*v) : std::nullopt;
      if (!ms) return usage_error("--now: expected an ISO-8601 time such as 2025-01-01T00:00:00Z");
      options.now_ms = *ms;
    } else if (arg == "--ioc-expiration-duration") {
      auto v = value("--ioc-expiration-duration");
      if (!v) return usage_error("--ioc-expiration-duration needs a value such as 90d");
      options.ioc_expiration_duration = *v;
    } else if (arg == "--strict-elastic-parity") {
      options.strict_elastic_parity = true;
    } else if (arg == "--split") {
      auto v = value("--split");
      if (!v || (*v != "per-indicator" && *v != "elastic"))
        return usage_error("--split: must be per-indicator or elastic");
      split = *v;
    } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      return usage_error("unknown option '" + arg + "'");
    } else {
      inputs.push_back(arg);
    }
  }
  if (inputs.empty()) inputs.push_back("-");
  options.tags =
      mapping::compose_tags(preserve, tags ? *tags : mapping::default_tags(options.dataset));
  if (envelope) options.data_stream_namespace = ns;

  mapping::Mapper mapper(options);
  InputReader reader(options.dataset, split == "elastic" ? plugin::SplitMode::kElasticCrossProduct
                                                         : plugin::SplitMode::kPerIndicator);
  std::string line;
  std::size_t documents = 0, dropped = 0, pipeline_errors = 0, input_errors = 0;
  auto on_message = [&](std::string_view message, const std::string& where) {
    mapping::Output out = mapper.map(message);
    if (out.kind == mapping::Output::Kind::kDropped) {
      ++dropped;
      return;
    }
    if (out.pipeline_error()) {
      ++pipeline_errors;
      std::cerr << "misp-agent map: " << where << ": pipeline_error: " << out.error << "\n";
    }
    write_line(out, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
    ++documents;
  };
  auto on_error = [&](const std::string& message) {
    ++input_errors;
    std::cerr << "misp-agent map: " << message << "\n";
  };
  for (const auto& input : inputs) reader.read_path(input, on_message, on_error);
  std::fflush(stdout);
  std::cerr << "misp-agent map: " << documents << " documents, " << pipeline_errors
            << " pipeline_error, " << dropped << " dropped, " << input_errors << " input errors.\n";
  return input_errors ? 1 : 0;
}

}  // namespace misp::agent
