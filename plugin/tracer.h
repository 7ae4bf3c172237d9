// The request tracer (enable_request_tracer): one NDJSON line per request/response pair, to a
// file rotated at 10 MiB with 5 backups, as httpjson's tracer does. Secrets never reach it: the
// Authorization header is replaced, and any occurrence of a secret in a body is masked.
#pragma once

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

namespace misp::plugin {

struct TraceEntry {
  std::string method, url;  // url without credentials
  std::vector<std::pair<std::string, std::string>> request_headers;
  std::string request_body;
  int status = 0;  // 0: no response
  std::vector<std::pair<std::string, std::string>> response_headers;
  std::string response_body;
  std::string error;
  std::int64_t time_ms = 0;
};

class Tracer {
 public:
  // secrets: values masked wherever they appear.
  Tracer(std::string path, std::vector<std::string> secrets, std::int64_t max_bytes = 10LL << 20,
         int max_backups = 5);
  void write(const TraceEntry& e);
  const std::string& path() const { return path_; }

 private:
  std::string redact(std::string text) const;
  void rotate();

  std::string path_;
  std::vector<std::string> secrets_;
  std::int64_t max_bytes_;
  int max_backups_;
  std::ofstream out_;
  std::int64_t written_ = 0;
  std::mutex mu_;
};

}  // namespace misp::plugin
