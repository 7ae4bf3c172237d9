// What a mapping call needs besides the MISP document: the shipper-side settings and the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace misp::mapping {

enum class Dataset { kThreat, kThreatAttributes };

const char* dataset_name(Dataset d);  // "ti_misp.threat", "ti_misp.threat_attributes"

struct Options {
  Dataset dataset = Dataset::kThreat;
  // The event's tags as the shipper sets them (see compose_tags). Empty: no `tags` field.
  std::vector<std::string> tags;
  // data_stream.namespace. When unset the output is the ingest pipeline's alone (no Filebeat
  // envelope), which is how Elastic's pipeline test vectors are written.
  std::optional<std::string> data_stream_namespace;
  // Ingest time (the pipelines' _ingest.timestamp) and Filebeat's event.created, epoch ms.
  std::int64_t now_ms = 0;
  // Reproduce Elastic's output even where it loses information (docs/divergences.md).
  bool strict_elastic_parity = false;
  // threat_attributes: default expiry after max(timestamp, last_seen); "" disables it.
  std::string ioc_expiration_duration = "90d";
};

// `preserve_original_event` first when on, then the configured tags, as the integration does.
std::vector<std::string> compose_tags(bool preserve_original_event,
                                      const std::vector<std::string>& configured);
// The integration's default tags for a data stream: forwarded, misp-threat[_attributes].
std::vector<std::string> default_tags(Dataset d);

struct Output {
  enum class Kind { kDocument, kDropped };
  Kind kind = Kind::kDocument;
  std::string document;           // the ECS document, compact JSON
  std::string id;                 // `_id` (fingerprint); empty when no field was present
  std::string error;              // first error.message of a pipeline_error document, else empty
  std::int64_t timestamp_ms = 0;  // @timestamp
  bool pipeline_error() const { return !error.empty(); }
};

}  // namespace misp::mapping
