// The body of fuzz_map_threat and fuzz_map_threat_attributes: one split MISP document through
// mapping::Mapper, as the poller and `misp-agent map` run it, under two sets of options (the
// defaults a stream gets, and Elastic's strict output with the original event kept and no
// envelope). Mapper::map promises never to throw; what it returns must be JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mapping/json/parse.h"
#include "mapping/mapper.h"

namespace misp::fuzz {

inline mapping::Options stream_options(mapping::Dataset dataset, bool strict) {
  mapping::Options o;
  o.dataset = dataset;
  o.now_ms = 1'700'000'000'123;  // fixed: a finding must replay
  if (strict) {
    o.tags = mapping::compose_tags(true, mapping::default_tags(dataset));
    o.strict_elastic_parity = true;
    o.ioc_expiration_duration = "0m";
  } else {
    o.tags = mapping::compose_tags(false, mapping::default_tags(dataset));
    o.data_stream_namespace = "default";
    o.ioc_expiration_duration = "129600m";  // Config::mapping_options of the 90d default
  }
  return o;
}

// A document that is not JSON would be refused by Elasticsearch: a mapping bug.
inline void check_output(const mapping::Output& out) {
  if (out.kind != mapping::Output::Kind::kDocument) return;
  static json::Parser parser;
  static json::Doc doc;
  json::Value v;
  std::string error;
  doc.reset();
  if (!parser.parse(out.document, doc, v, error) || v.type != json::Type::kObject) __builtin_trap();
}

inline void map_both(mapping::Dataset dataset, const std::uint8_t* data, std::size_t size) {
  static mapping::Mapper defaults(stream_options(dataset, false));
  static mapping::Mapper strict(stream_options(dataset, true));
  std::string_view message(reinterpret_cast<const char*>(data), size);
  check_output(defaults.map(message));
  check_output(strict.map(message));
}

}  // namespace misp::fuzz
