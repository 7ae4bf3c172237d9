// Where misp-agent delivers documents: an NDJSON file (rotated), the console, or Elasticsearch's
// _bulk API. write() buffers; sync() returns true only once everything written so far is
// durable (fsynced, or acknowledged by Elasticsearch), which is when cursors may move.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/config.h"
#include "plugin/result.h"

namespace misp::agent {

struct Document {
  std::string_view index;  // logs-<dataset>-<namespace>
  std::string_view id;     // _id
  std::string_view body;   // the JSON document (ECS), or httpjson's message (raw)
  bool raw = false;
};

struct OutputSpec {
  enum class Kind { kFile, kConsole, kElasticsearch } kind = Kind::kConsole;
  // file
  std::string path;
  std::int64_t rotate_bytes = 100LL << 20;  // rotate past this size
  int keep_files = 7;                       // rotated files kept (path.1 ... path.N)
  // elasticsearch
  std::vector<std::string> hosts;  // http(s)://host:port
  plugin::Secret api_key;          // "id:key" (sent base64-encoded as ApiKey)
  std::string username;
  plugin::Secret password;
  std::vector<std::string> certificate_authorities;
  bool verify_certificates = true;
  int bulk_max_size = 500;  // documents per _bulk request
  int max_retries = 3;      // per document, for 429 and 5xx item or request failures
  std::int64_t backoff_ms = 1000;
};

using LogFn = std::function<void(const std::string&)>;

class Output {
 public:
  virtual ~Output() = default;
  // Thread-safe. Returns false when the output failed for good.
  virtual bool write(const Document& d) = 0;
  virtual bool sync() = 0;
};

// The line misp-agent writes for a document in NDJSON outputs (_id and index in @metadata, as
// Filebeat's file output does).
std::string document_line(const Document& d);

plugin::Result<std::unique_ptr<Output>> make_output(const OutputSpec& spec, LogFn log);

}  // namespace misp::agent
