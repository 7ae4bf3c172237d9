// The exported-field catalogue of both data streams, generated at build time from
// fields/<stream>/*.yml (the single source of truth) by fields/gen/fields_gen.
#pragma once

#include <span>
#include <string_view>

namespace misp::fields {

struct Field {
  std::string_view path;         // dotted, e.g. "misp.attribute.distribution"
  std::string_view type;         // Elasticsearch type: keyword, long, date, boolean, flattened, ...
  std::string_view description;  // as in the docs' exported-field table
  bool external;                 // an ECS field defined by ECS itself; not in the docs table
};

enum class Stream { kThreat, kThreatAttributes };

// Sorted by path.
std::span<const Field> catalogue(Stream stream);

// The field at path, or nullptr. A path below a `flattened` field resolves to that field.
const Field* find(Stream stream, std::string_view path);

}  // namespace misp::fields
