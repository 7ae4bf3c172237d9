// The emulator's tables (events, attributes, objects) and every change MISP makes to them, with
// the ledger of live changes and the seeded generator chaos and late saves draw from. Not thread
// safe: Emulator holds its mutex around every call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/misp_emulator/emulator.h"

namespace misp::emulator {

std::string uuid_for(const char* kind, std::int64_t id);
// MISP's loose JSON: ids and timestamps as numbers or digit strings, booleans as 0/1 or "1".
std::optional<std::int64_t> to_int(const nlohmann::json& v);
bool to_bool(const nlohmann::json& v, bool fallback);

class Store {
 public:
  std::map<std::int64_t, Event> events;
  std::map<std::int64_t, Attribute> attributes;
  std::map<std::int64_t, Object> objects;
  std::int64_t next_event_id = 1, next_attribute_id = 1, next_object_id = 1;
  std::vector<LedgerEntry> ledger;
  std::optional<Chaos> chaos;
  std::mt19937_64 rng{1};
  int request = 0;  // restSearch requests received so far (stamped on ledger entries)

  // Setup (no ledger).
  std::int64_t add_event(std::int64_t timestamp, std::string info);
  std::int64_t add_attribute(std::int64_t event_id, std::int64_t timestamp, std::string value,
                             std::string type);
  void load(const nlohmann::json& export_json);  // load.cpp

  // Live changes (ledger).
  void edit(std::int64_t id, std::int64_t timestamp);
  void soft_delete(std::int64_t id, std::int64_t timestamp);
  void hard_delete(std::int64_t id, std::int64_t now);
  std::int64_t insert(std::int64_t event_id, std::int64_t timestamp, ChangeKind kind);
  std::int64_t bulk_event(int n_attributes, std::int64_t timestamp);
  void apply_chaos(int request_number, std::int64_t now);  // chaos.cpp

  // Uniform in [lo, hi] from rng, the same on every standard library (no std distributions).
  std::int64_t draw(std::int64_t lo, std::int64_t hi);
  double draw_unit();  // [0, 1)

  // Event.timestamp of every event: its own edits and every attribute in it, in one pass.
  std::map<std::int64_t, std::int64_t> event_timestamps() const;

 private:
  void record(ChangeKind kind, const Attribute& a, std::int64_t old_ts, std::int64_t new_ts);
};

}  // namespace misp::emulator
