// Loading real MISP exports into the tables, keeping what MISP stores: uuids, timestamps,
// first_seen/last_seen, tags, decay scores, and objects, whose attributes become rows of the
// attribute table with object_id and object_relation (so /attributes/restSearch returns them).
// Ids are the emulator's own: several exports load side by side without clashes.
#include <set>

#include "tests/misp_emulator/store.h"

namespace misp::emulator {

namespace {

using Json = nlohmann::json;

// Attribute keys the table models; every other key of a loaded attribute is kept in `extra`.
const std::set<std::string> kModelled = {
    "id",   "event_id",    "object_id", "object_relation", "category",   "type",      "to_ids",
    "uuid", "timestamp",   "comment",   "deleted",         "first_seen", "last_seen", "value",
    "Tag",  "decay_score", "Event",     "Object",          "event_uuid", "value1",    "value2"};

std::optional<std::string> optional_string(const Json& a, const char* key) {
  if (!a.contains(key) || !a[key].is_string()) return std::nullopt;
  return a[key].get<std::string>();
}

std::vector<std::string> tag_names(const Json& tags) {
  std::vector<std::string> out;
  if (!tags.is_array()) return out;
  for (const auto& t : tags) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) continue;
    // includeEventTags copies the event's tags into the attribute's list, marked inherited.
    if (t.contains("inherited") && to_bool(t["inherited"], false)) continue;
    out.push_back(t["name"].get<std::string>());
  }
  return out;
}

Attribute parse_attribute(const Json& a, std::int64_t fallback_timestamp) {
  Attribute x;
  x.type = a.value("type", std::string("text"));
  x.category = a.value("category", std::string("Other"));
  x.value = a.value("value", std::string());
  x.comment = a.value("comment", std::string());
  x.timestamp = to_int(a.value("timestamp", Json())).value_or(fallback_timestamp);
  x.to_ids = to_bool(a.value("to_ids", Json()), false);
  x.deleted = to_bool(a.value("deleted", Json()), false);
  x.first_seen = optional_string(a, "first_seen");
  x.last_seen = optional_string(a, "last_seen");
  x.object_relation = optional_string(a, "object_relation");
  x.tags = tag_names(a.value("Tag", Json()));
  if (a.contains("decay_score") && a["decay_score"].is_array()) x.decay_score = a["decay_score"];
  for (const auto& [k, v] : a.items())
    if (!kModelled.count(k)) x.extra[k] = v;
  if (auto uuid = optional_string(a, "uuid")) x.uuid = *uuid;
  return x;
}

// The event row of an export (the body inside {"Event":...}, or an attribute's Event stub).
Event parse_event(const Json& e) {
  Event x;
  x.info = e.value("info", std::string("loaded event"));
  x.date = e.value("date", x.date);
  x.own_timestamp = to_int(e.value("timestamp", Json())).value_or(0);
  x.tags = tag_names(e.value("Tag", Json()));
  if (auto uuid = optional_string(e, "uuid")) x.uuid = *uuid;
  return x;
}

}  // namespace

void Store::load(const Json& j) {
  auto add_row = [&](const Event& source) {
    Event e = source;
    e.id = next_event_id++;
    if (e.uuid.empty()) e.uuid = uuid_for("e", e.id);
    events[e.id] = e;
    return e.id;
  };
  auto add_object = [&](std::int64_t event_id, Json fields) {
    Object o;
    o.id = next_object_id++;
    o.event_id = event_id;
    fields.erase("Attribute");
    fields["id"] = std::to_string(o.id);
    fields["event_id"] = std::to_string(event_id);
    o.fields = std::move(fields);
    objects[o.id] = o;
    return o.id;
  };
  auto add = [&](Attribute a, std::int64_t event_id, std::int64_t object_id) {
    a.id = next_attribute_id++;
    a.event_id = event_id;
    a.object_id = object_id;
    if (!object_id) a.object_relation.reset();
    if (a.uuid.empty()) a.uuid = uuid_for("a", a.id);
    attributes[a.id] = std::move(a);
  };

  if (j.is_array()) {  // a list of events (PyMISP's search output)
    for (const auto& e : j) load(e);
    return;
  }
  if (!j.is_object()) throw std::invalid_argument("a MISP export is a JSON object");
  if (j.contains("response")) {
    const Json& r = j["response"];
    if (r.is_array()) {
      for (const auto& e : r) load(e);
      return;
    }
    if (r.is_object() && r.contains("Attribute")) return load(Json{{"Attribute", r["Attribute"]}});
    throw std::invalid_argument("unknown restSearch envelope");
  }

  if (j.size() == 1 && j.contains("Attribute")) {  // /attributes/restSearch without the envelope
    std::map<std::string, std::int64_t> event_of;  // source event -> our event
    std::map<std::pair<std::int64_t, std::string>, std::int64_t> object_of;
    for (const auto& a : j["Attribute"]) {
      if (!a.is_object()) continue;
      const Json stub = a.value("Event", Json::object());
      const std::string key = stub.contains("uuid") ? stub["uuid"].dump()
                                                    : "id:" + a.value("event_id", Json("")).dump();
      auto [it, fresh] = event_of.emplace(key, 0);
      if (fresh) it->second = add_row(parse_event(stub));
      Attribute x = parse_attribute(a, events[it->second].own_timestamp);
      std::int64_t object_id = 0;
      if (to_int(a.value("object_id", Json("0"))).value_or(0) != 0) {
        auto [o, fresh_object] =
            object_of.emplace(std::make_pair(it->second, a["object_id"].dump()), 0);
        if (fresh_object) o->second = add_object(it->second, a.value("Object", Json::object()));
        object_id = o->second;
      }
      add(std::move(x), it->second, object_id);
    }
    return;
  }

  const Json& body = j.contains("Event") ? j["Event"] : j;
  const std::int64_t event_id = add_row(parse_event(body));
  const std::int64_t ts = events[event_id].own_timestamp;
  for (const auto& a : body.value("Attribute", Json::array()))
    if (a.is_object()) add(parse_attribute(a, ts), event_id, 0);
  for (const auto& o : body.value("Object", Json::array())) {
    if (!o.is_object()) continue;
    const std::int64_t object_id = add_object(event_id, o);
    for (const auto& a : o.value("Attribute", Json::array()))
      if (a.is_object()) add(parse_attribute(a, ts), event_id, object_id);
  }
}

}  // namespace misp::emulator
