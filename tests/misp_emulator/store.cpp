#include "tests/misp_emulator/store.h"

#include <algorithm>
#include <cstdio>

namespace misp::emulator {

std::string uuid_for(const char* kind, std::int64_t id) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(id), static_cast<unsigned long long>(kind[0]));
  return buf;
}

std::optional<std::int64_t> to_int(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number()) return static_cast<std::int64_t>(v.get<double>());
  if (v.is_string()) {
    try {
      std::size_t n = 0;
      auto s = v.get<std::string>();
      auto r = std::stoll(s, &n);
      if (n == s.size()) return r;
    } catch (...) {
    }
  }
  return std::nullopt;
}

bool to_bool(const nlohmann::json& v, bool fallback) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string() && (v == "true" || v == "false")) return v == "true";
  if (auto i = to_int(v)) return *i != 0;
  return fallback;
}

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kEdit:
      return "edit";
    case ChangeKind::kSoftDelete:
      return "soft_delete";
    case ChangeKind::kHardDelete:
      return "hard_delete";
    case ChangeKind::kInsert:
      return "insert";
    case ChangeKind::kLateSave:
      return "late_save";
    case ChangeKind::kSynced:
      return "synced";
    case ChangeKind::kBulk:
      return "bulk";
  }
  return "unknown";
}

std::int64_t Store::add_event(std::int64_t timestamp, std::string info) {
  Event e;
  e.id = next_event_id++;
  e.uuid = uuid_for("e", e.id);
  e.info = std::move(info);
  e.own_timestamp = timestamp;
  events[e.id] = e;
  return e.id;
}

std::int64_t Store::add_attribute(std::int64_t event_id, std::int64_t timestamp, std::string value,
                                  std::string type) {
  Attribute a;
  a.id = next_attribute_id++;
  a.event_id = event_id;
  a.uuid = uuid_for("a", a.id);
  a.timestamp = timestamp;
  a.type = std::move(type);
  if (value.empty()) {
    value = "10." + std::to_string((a.id >> 16) & 255) + "." + std::to_string((a.id >> 8) & 255) +
            "." + std::to_string(a.id & 255);
  }
  a.value = std::move(value);
  attributes[a.id] = a;
  return a.id;
}

void Store::record(ChangeKind kind, const Attribute& a, std::int64_t old_ts, std::int64_t new_ts) {
  ledger.push_back({request, kind, a.id, a.uuid, a.event_id, old_ts, new_ts});
}

void Store::edit(std::int64_t id, std::int64_t timestamp) {
  auto& a = attributes.at(id);
  const std::int64_t old = a.timestamp;
  a.timestamp = timestamp;
  a.comment = "edited at " + std::to_string(timestamp);
  record(ChangeKind::kEdit, a, old, timestamp);
}

void Store::soft_delete(std::int64_t id, std::int64_t timestamp) {
  auto& a = attributes.at(id);
  const std::int64_t old = a.timestamp;
  a.deleted = true;
  a.timestamp = timestamp;
  record(ChangeKind::kSoftDelete, a, old, timestamp);
}

void Store::hard_delete(std::int64_t id, std::int64_t now) {
  auto it = attributes.find(id);
  if (it == attributes.end()) throw std::out_of_range("no attribute " + std::to_string(id));
  record(ChangeKind::kHardDelete, it->second, it->second.timestamp, now);
  // Deleting from an event is an edit of the event: its timestamp moves, its row loses the
  // attribute, and nothing in restSearch says which one went.
  if (auto e = events.find(it->second.event_id); e != events.end())
    e->second.own_timestamp = std::max(e->second.own_timestamp, now);
  attributes.erase(it);
}

std::int64_t Store::insert(std::int64_t event_id, std::int64_t timestamp, ChangeKind kind) {
  if (!events.count(event_id)) throw std::out_of_range("no event " + std::to_string(event_id));
  auto id = add_attribute(event_id, timestamp, {}, "ip-dst");
  record(kind, attributes.at(id), 0, timestamp);
  return id;
}

std::int64_t Store::bulk_event(int n_attributes, std::int64_t timestamp) {
  auto event = add_event(timestamp, "bulk import of " + std::to_string(n_attributes));
  for (int i = 0; i < n_attributes; ++i) {
    auto id = add_attribute(event, timestamp, {}, "ip-dst");
    record(ChangeKind::kBulk, attributes.at(id), 0, timestamp);
  }
  return event;
}

std::int64_t Store::draw(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(rng() % span);
}

double Store::draw_unit() {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

std::map<std::int64_t, std::int64_t> Store::event_timestamps() const {
  std::map<std::int64_t, std::int64_t> out;
  for (const auto& [id, e] : events) out[id] = e.own_timestamp;
  for (const auto& [id, a] : attributes) {
    auto it = out.find(a.event_id);
    if (it != out.end()) it->second = std::max(it->second, a.timestamp);
  }
  return out;
}

}  // namespace misp::emulator
