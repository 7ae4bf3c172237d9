// A MISP 2.5 stand-in for /events/restSearch and /attributes/restSearch, served over loopback
// HTTP or HTTPS. It behaves as misp-api.md describes the real server: raw-key auth with MISP's
// 403 JSON, 1-based paging with limit, the inclusive timestamp filter (one value or [from, to]),
// order, type/tags/to_ids/deleted filters, includeDecayScore, warninglist skips reported in
// X-Skipped-Elements-Count, a fixed-window rate limit with X-Rate-Limit-* headers and 429, and
// injected faults. Tests change its data between or during requests to prove nothing is missed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace misp::emulator {

struct Attribute {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string uuid, type = "ip-dst", category = "Network activity", value, comment;
  std::int64_t timestamp = 0;
  bool to_ids = true;
  bool deleted = false;
  std::vector<std::string> tags;
  std::optional<std::string> first_seen, last_seen;
  int decay_models = 0;    // includeDecayScore: this many models ...
  int decayed_models = 0;  // ... of which this many say decayed
};

struct Event {
  std::int64_t id = 0;
  std::string uuid, info = "emulated event";
  std::int64_t own_timestamp = 0;  // the event's own edits; Event.timestamp also follows attributes
  std::vector<std::string> tags;
  nlohmann::json objects = nlohmann::json::array();  // kept as given (loaded exports)
};

// What can go wrong with one request (numbered from 1 over both restSearch endpoints).
struct Fault {
  int status = 0;           // answer with this status and MISP's error JSON
  int delay_ms = 0;         // answer late
  bool drop = false;        // close the connection without an answer
  bool truncate = false;    // 200 with the body cut in half
  bool html = false;        // a proxy's HTML error page (502)
  std::string retry_after;  // with status 429: X-Rate-Limit-Reset
};

inline Fault status_fault(int status, std::string reset = {}) {
  Fault f;
  f.status = status;
  f.retry_after = std::move(reset);
  return f;
}
inline Fault delay_fault(int ms) {
  Fault f;
  f.delay_ms = ms;
  return f;
}
inline Fault drop_fault() {
  Fault f;
  f.drop = true;
  return f;
}
inline Fault truncate_fault() {
  Fault f;
  f.truncate = true;
  return f;
}
inline Fault html_fault() {
  Fault f;
  f.html = true;
  return f;
}

struct Options {
  std::string api_key = "0123456789abcdef0123456789abcdef01234567";
  std::string tls_cert, tls_key;      // both set: serve HTTPS
  std::string client_ca;              // set: require a client certificate signed by it
  int rate_limit_count = 0;           // requests per 900 s window; 0 = no limit (no Redis)
  std::set<std::string> warninglist;  // values enforceWarninglist drops after paging
};

class Emulator {
 public:
  explicit Emulator(Options options = {});
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  int start();  // listens on 127.0.0.1, port chosen by the OS; returns it
  void stop();
  int port() const;
  std::string url() const;  // http(s)://127.0.0.1:<port>

  // Data. Timestamps are Unix seconds, as MISP stores them.
  std::int64_t add_event(std::int64_t timestamp, std::string info = "emulated event");
  std::int64_t add_attribute(std::int64_t event_id, std::int64_t timestamp, std::string value = {},
                             std::string type = "ip-dst");
  Attribute& attribute(std::int64_t id);  // for tests that set fields directly
  void edit_attribute(std::int64_t id, std::int64_t timestamp);
  void delete_attribute(std::int64_t id, std::int64_t timestamp);  // soft delete, bumps timestamp
  // events x attributes_each, attribute timestamps spread over [base, base + spread).
  void generate(int events, int attributes_each, std::int64_t base, std::int64_t spread,
                unsigned seed = 1);
  // Loads a MISP event export ({"Event":...} or the bare body) keeping its attributes' fields.
  void load_event_json(const nlohmann::json& export_json);
  std::size_t attribute_count() const;
  std::vector<std::int64_t> attribute_ids() const;

  void inject(int request_number, Fault fault);
  // Called before each restSearch is answered (after auth), with its number and body; tests use it
  // to change data while a client pages.
  void on_request(std::function<void(int number, const nlohmann::json& body)> hook);
  int requests() const;
  std::vector<nlohmann::json> request_bodies() const;
  std::vector<std::map<std::string, std::string>> request_headers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::emulator
