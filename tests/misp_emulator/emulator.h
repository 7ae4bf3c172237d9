// A MISP 2.5.1 stand-in for /events/restSearch and /attributes/restSearch, served over loopback
// HTTP or HTTPS. It behaves as misp-api.md describes the real server: raw-key auth with MISP's
// 403 JSON, 1-based paging with limit, the inclusive timestamp filter (one value or [from, to]),
// order, type/tags/to_ids/deleted filters, includeDecayScore/excludeDecayed, warninglist skips
// reported in X-Skipped-Elements-Count, X-Result-Count as MISP computes it, a Date header from
// its own (injectable, skewable) clock, a fixed-window rate limit with X-Rate-Limit-* headers and
// 429, and injected faults. Its data changes underneath a paging client as MISP's does: edits,
// soft and hard deletes, inserts saved late, rows synced with old timestamps and bulk imports,
// from tests, from a seeded Chaos schedule, or from the command line; every change is recorded in
// a ledger, and snapshot()/event_versions() give the ground truth to check a client against.
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

#include "tests/support/secrets.h"
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
  std::int64_t object_id = 0;                  // 0: not in an object
  std::optional<std::string> object_relation;  // set for object attributes
  // includeDecayScore: with decay_score (kept from a loaded export) it is sent as is; otherwise
  // decay_models > 0 sends this many models, of which decayed_models say decayed; otherwise no
  // model covers the attribute and MISP sends no decay_score key at all.
  std::optional<nlohmann::json> decay_score;
  int decay_models = 0;
  int decayed_models = 0;
  nlohmann::json extra = nlohmann::json::object();  // a loaded export's other keys (Galaxy, ...)
};

struct Event {
  std::int64_t id = 0;
  std::string uuid, info = "emulated event", date = "2024-01-01";
  std::int64_t own_timestamp = 0;  // the event's own edits; Event.timestamp also follows attributes
  std::vector<std::string> tags;
};

// An object of a loaded export: its own fields (without Attribute, which lives in the attribute
// table with object_id set).
struct Object {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  nlohmann::json fields = nlohmann::json::object();
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

// Unix seconds from the system clock: the default clock.
std::int64_t system_now();
// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as MISP's web server sends in Date.
std::string http_date(std::int64_t unix_seconds);

struct Options {
  std::string api_key = test::kSecretApiToken;  // tests/support/secrets.txt
  std::string tls_cert, tls_key;                // both set: serve HTTPS
  std::string client_ca;                        // set: require a client certificate signed by it
  int rate_limit_count = 0;           // requests per 900 s window; 0 = no limit (no Redis)
  std::set<std::string> warninglist;  // values enforceWarninglist drops after paging
  std::function<std::int64_t()> now = system_now;  // MISP's clock, Unix seconds (before offset)
};

// Random changes applied before each restSearch request is answered (after auth and faults,
// before the on_request hook), all drawn from one generator seeded with `seed`, so the same
// data, seed and request sequence give the same changes. Every change is stamped by the
// emulator's clock and recorded in the ledger.
struct Chaos {
  std::uint64_t seed = 1;
  // Per request, each live attribute is edited (stamped now) with this chance.
  double edit_probability = 0;
  // New attributes in random existing events, stamped now - [0, late_save_max_age_s]: with an
  // age above 0 they are long saves, stamped in the past but visible only from now on.
  int inserts_per_request = 0;
  std::int64_t late_save_max_age_s = 0;
  // Rows pulled from another instance, keeping the origin's timestamp now - [1, synced_max_age_s].
  int synced_per_request = 0;
  std::int64_t synced_max_age_s = 30 * 86400;
  int soft_deletes_per_request = 0;  // live attributes soft-deleted (timestamp bumped)
  int hard_deletes_per_request = 0;  // attributes removed without a trace
  // Only requests first_request..last_request are touched (last_request 0: no end).
  int first_request = 1;
  int last_request = 0;
};

// Faults drawn at random for requests that have no scripted fault (inject()), from their own
// seeded generator: a share of answers 500, 429 (with X-Rate-Limit-Reset), dropped mid-body or
// late. For soak runs; all zero: none.
struct RandomFaults {
  std::uint64_t seed = 1;
  double error_probability = 0;       // 500 with MISP's error JSON
  double rate_limit_probability = 0;  // 429 with X-Rate-Limit-Reset: rate_limit_reset_s
  std::int64_t rate_limit_reset_s = 1;
  double drop_probability = 0;  // the connection closes before the body
  double slow_probability = 0;  // answered slow_ms late
  int slow_ms = 0;
};

// One attribute row put on the wire in a 200 answer of /attributes/restSearch (record_served).
struct ServedRow {
  int request = 0;
  std::int64_t id = 0;
  std::string uuid;
  std::int64_t timestamp = 0;
};

enum class ChangeKind {
  kEdit,        ///< an attribute edited; its timestamp moved to MISP's now
  kSoftDelete,  ///< deleted: true; timestamp moved to MISP's now
  kHardDelete,  ///< removed; new_timestamp is when (its event's timestamp moved there too)
  kInsert,      ///< a new attribute stamped with MISP's now
  kLateSave,    ///< a new attribute stamped in the past (a long save), visible only now
  kSynced,      ///< a new attribute pulled from another instance, keeping its old timestamp
  kBulk,        ///< one attribute of bulk_event(): a whole event sharing one timestamp
};
const char* to_string(ChangeKind kind);

struct LedgerEntry {
  int request = 0;  // restSearch requests received when the change was made (chaos: the one
                    // about to be answered)
  ChangeKind kind = ChangeKind::kEdit;
  std::int64_t attribute_id = 0;
  std::string uuid;
  std::int64_t event_id = 0;
  std::int64_t old_timestamp = 0;  // 0 for new attributes
  std::int64_t new_timestamp = 0;
  bool operator==(const LedgerEntry&) const = default;
};

// Ground truth: one attribute as MISP holds it now (soft-deleted ones included).
struct AttributeVersion {
  std::int64_t id = 0;
  std::string uuid;
  std::int64_t event_id = 0;
  std::int64_t timestamp = 0;
  bool deleted = false;
  bool operator==(const AttributeVersion&) const = default;
};

struct EventVersion {
  std::int64_t id = 0;
  std::string uuid;
  std::int64_t timestamp = 0;  // Event.timestamp as /events/restSearch reports it
  bool operator==(const EventVersion&) const = default;
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

  // MISP's clock: Options::now plus the offset (a server whose clock is off). Thread safe.
  std::int64_t now() const;
  void set_clock_offset(std::int64_t seconds);
  std::int64_t clock_offset() const;

  // Setup. Timestamps are Unix seconds, as MISP stores them. Not recorded in the ledger.
  std::int64_t add_event(std::int64_t timestamp, std::string info = "emulated event");
  std::int64_t add_attribute(std::int64_t event_id, std::int64_t timestamp, std::string value = {},
                             std::string type = "ip-dst");
  Attribute& attribute(std::int64_t id);  // for tests that set fields directly (not locked)
  // events x attributes_each, attribute timestamps spread over [base, base + spread). The
  // instance has one decaying model enabled for these attributes (decay_models = 1).
  void generate(int events, int attributes_each, std::int64_t base, std::int64_t spread,
                unsigned seed = 1);
  // Loads a MISP export: an event ({"Event":...} or the bare body), an events restSearch body
  // ({"response":[...]}) or an attributes restSearch body ({"Attribute":[...]}, with or without
  // "response"). Keeps uuids, timestamps, first_seen/last_seen, tags, decay_score and objects:
  // object attributes become attributes with object_id/object_relation, as MISP stores them.
  void load_json(const nlohmann::json& export_json);
  void load_event_json(const nlohmann::json& export_json);  // same as load_json
  std::size_t attribute_count() const;
  std::vector<std::int64_t> attribute_ids() const;
  std::optional<Object> object(std::int64_t id) const;

  // Live changes, made "by MISP" and recorded in the ledger. Without a timestamp they use now().
  void edit_attribute(std::int64_t id, std::int64_t timestamp);
  void edit_attribute(std::int64_t id);
  void delete_attribute(std::int64_t id, std::int64_t timestamp);  // soft delete, bumps timestamp
  void delete_attribute(std::int64_t id);
  void hard_delete_attribute(std::int64_t id);  // gone; the event's timestamp moves to now()
  std::int64_t insert_attribute_now(std::int64_t event_id);
  // A long save: stamped now() - [1, max_age_s] (now() if max_age_s < 1), visible from now on.
  std::int64_t insert_attribute_saved_late(std::int64_t event_id, std::int64_t max_age_s);
  // Sync/pull keeps the origin's timestamp.
  std::int64_t insert_synced_attribute(std::int64_t event_id, std::int64_t old_timestamp);
  // MISP's events/add: one new event whose n attributes (and itself) share one timestamp.
  std::int64_t bulk_event(int n_attributes, std::int64_t timestamp);
  void set_chaos(Chaos chaos);  // reseeds the generator that late saves also draw from
  void clear_chaos();
  void set_random_faults(RandomFaults faults);  // RandomFaults{} with zero shares: none
  // Keep every attribute row served in a 200 answer (parses each answer: soak runs only).
  void record_served(bool on);
  std::vector<ServedRow> served() const;
  std::vector<LedgerEntry> ledger() const;
  std::vector<AttributeVersion> snapshot() const;  // by id
  std::vector<EventVersion> event_versions() const;

  void inject(int request_number, Fault fault);
  // Called before each restSearch is answered (after auth and chaos), with its number and body;
  // tests use it to change data while a client pages.
  void on_request(std::function<void(int number, const nlohmann::json& body)> hook);
  int requests() const;
  std::vector<nlohmann::json> request_bodies() const;
  std::vector<std::map<std::string, std::string>> request_headers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::emulator
