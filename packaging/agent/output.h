// Where misp-agent delivers documents: an NDJSON file (rotated), the console, or Elasticsearch's
// _bulk API. write() buffers; sync() returns true only once everything written so far is
// durable (fsynced, or acknowledged by Elasticsearch), which is when cursors may move.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "packaging/agent/error.h"

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
  Secret api_key;                  // "id:key" (sent base64-encoded as ApiKey)
  std::string username;
  Secret password;
  std::vector<std::string> certificate_authorities;
  bool verify_certificates = true;
  int bulk_max_size = 500;  // documents per _bulk request
  int max_retries = 3;      // per document, for 429 and 5xx item or request failures
  std::int64_t backoff_ms = 1000;
  // Documents refused for good (NDJSON, one line each); misp-agent run sets DATA_DIR/dead_letter/.
  std::string dead_letter_path;
};

using LogFn = std::function<void(const std::string&)>;

// What an output did, for /metrics. Every output counts the first three; Elasticsearch the rest.
struct OutputStats {
  std::uint64_t documents = 0;     // accepted by write()
  std::uint64_t syncs = 0;         // sync() calls that made everything durable
  std::uint64_t failed_syncs = 0;  // sync() calls that did not (the cursor stayed)
  std::uint64_t indexed = 0, duplicates = 0, rejected = 0, retried = 0, requests = 0;
};

class Output {
 public:
  virtual ~Output() = default;
  // Thread-safe. Returns false when the output failed for good.
  bool write(const Document& d);
  bool sync();
  OutputStats stats() const;             // thread-safe
  virtual const char* type() const = 0;  // file, console, elasticsearch
  // Why the last write() or sync() failed ("" when it did not say): the path and strerror for
  // files. Thread-safe.
  std::string error() const;

 protected:
  virtual bool do_write(const Document& d) = 0;
  virtual bool do_sync() = 0;
  virtual void add_stats(OutputStats&) const {}  // an output's own counters
  void set_error(std::string why);               // thread-safe

 private:
  std::atomic<std::uint64_t> documents_{0}, syncs_{0}, failed_syncs_{0};
  mutable std::mutex error_mu_;
  std::string error_;
};

// The line misp-agent writes for a document in NDJSON outputs (_id and index in @metadata, as
// Filebeat's file output does).
std::string document_line(const Document& d);
// The same line appended to `line` (no string of its own per document).
void append_document_line(const Document& d, std::string& line);
// s as a JSON string (quoted and escaped; invalid UTF-8 replaced), appended to out.
void append_json_string(std::string& out, std::string_view s);

Result<std::unique_ptr<Output>> make_output(const OutputSpec& spec, LogFn log);

}  // namespace misp::agent
