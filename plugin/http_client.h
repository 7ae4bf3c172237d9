// POSTs JSON to MISP: TLS modes, proxy, timeouts, keep-alive across the pages of a poll, a
// client-side rate limit, and retries with exponential backoff and jitter on connection errors,
// 5xx (not 501) and 429 (waiting X-Rate-Limit-Reset or Retry-After). Three error kinds stay apart:
// transport (no response), HTTP status (a response: status and a capped body kept), and a body
// over max_response_bytes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "plugin/config.h"
#include "plugin/log.h"
#include "plugin/result.h"
#include "plugin/tracer.h"

namespace misp::plugin {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The host's clock and its stop-aware sleep: tests make both instant and deterministic.
struct Runtime {
  std::function<std::int64_t()> now_ms;
  // Sleeps up to ms; returns false when woken because the host is stopping.
  std::function<bool(std::int64_t ms)> sleep_ms;
  LogSink log;  // one key=value line with its level, no secrets
  // Optional counters that move during a poll (metrics): every HTTP attempt, retries included,
  // and every decoded page.
  std::function<void()> on_request, on_page;
};

class HttpClient {
 public:
  HttpClient(const Config& config, Runtime runtime, Tracer* tracer);
  ~HttpClient();

  // One POST with retries. The Result carries the final 2xx response, or the error of the last
  // try (kHttpStatus keeps status and the start of MISP's {"name","message","url"} body).
  Result<HttpResponse> post_json(const std::string& path, const std::string& body);

  // Any thread, never blocks: ends an in-flight request (connect and TLS handshake included) and
  // every wait (rate limit, retry backoff, sleep_ms); later requests end at once with kStopped.
  void abort();

  // Sleeps through runtime.sleep_ms in slices of at most 200 ms, so it ends within that of
  // abort() even when the host's sleep is not stop-aware. False when stopped.
  bool sleep_ms(std::int64_t ms);

 private:
  struct Impl;
  struct Try;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::plugin
