// The Elasticsearch `fingerprint` processor: the digest of the configured fields' values, walked
// the way FingerprintProcessor walks them, base64-encoded. This is how the MISP pipelines compute
// `_id`, so reproducing it byte for byte lets re-delivered documents overwrite Elastic's own.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mapping/json/value.h"

namespace misp::mapping::es {

enum class HashMethod { kMd5, kSha1, kSha256, kSha512, kMurmurHash3 };

// The bytes fed to the digest. nullopt when no field was present (the processor then leaves the
// target untouched). Throws std::invalid_argument with the processor's message for a missing field
// without ignore_missing, or a value Java cannot hash (an integer beyond the long range).
std::optional<std::string> fingerprint_stream(const json::Value& doc,
                                              std::span<const std::string_view> fields,
                                              std::string_view salt, bool ignore_missing);

std::optional<std::string> fingerprint(const json::Value& doc,
                                       std::span<const std::string_view> fields,
                                       HashMethod method = HashMethod::kSha1,
                                       std::string_view salt = {}, bool ignore_missing = true);
inline std::optional<std::string> fingerprint(const json::Value& doc,
                                              std::initializer_list<std::string_view> fields) {
  return fingerprint(doc, std::span<const std::string_view>(fields.begin(), fields.size()));
}

}  // namespace misp::mapping::es
