#include "tests/misp_emulator/search.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

namespace misp::emulator {

namespace {

using Json = nlohmann::json;

// MISP's timestamp filter: one value -> column >= v; [a, b] -> a <= column <= b (swapped if
// needed).
bool in_window(std::int64_t ts, const Json& filter) {
  if (filter.is_null()) return true;
  if (filter.is_array()) {
    if (filter.size() != 2) throw std::runtime_error("bad range");
    auto a = to_int(filter[0]).value_or(0), b = to_int(filter[1]).value_or(0);
    if (a > b) std::swap(a, b);
    return (a == 0 || ts >= a) && ts <= b;
  }
  auto v = to_int(filter).value_or(0);
  return v == 0 || ts >= v;
}

// Values of a filter: "x", ["x","y"], {"OR":[...]} (NOT is honoured separately).
std::vector<std::string> filter_values(const Json& f, const char* op = "OR") {
  std::vector<std::string> out;
  if (f.is_string()) out.push_back(f.get<std::string>());
  if (f.is_array())
    for (const auto& v : f) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  if (f.is_object() && f.contains(op)) return filter_values(f[op]);
  return out;
}

bool matches_list(const std::string& value, const Json& f) {
  if (f.is_null()) return true;
  auto any = filter_values(f);
  auto none = f.is_object() ? filter_values(f, "NOT") : std::vector<std::string>{};
  if (std::find(none.begin(), none.end(), value) != none.end()) return false;
  if (any.empty()) return true;
  return std::find(any.begin(), any.end(), value) != any.end();
}

bool has_any_tag(const std::vector<std::string>& tags, const Json& f) {
  if (f.is_null()) return true;
  auto any = filter_values(f);
  auto none = f.is_object() ? filter_values(f, "NOT") : std::vector<std::string>{};
  for (const auto& t : tags)
    if (std::find(none.begin(), none.end(), t) != none.end()) return false;
  if (any.empty()) return true;
  for (const auto& t : tags)
    if (std::find(any.begin(), any.end(), t) != any.end()) return true;
  return false;
}

// deleted filter: absent/0 -> live only; 1 -> deleted only; [0,1] -> both.
bool deleted_ok(bool deleted, const Json& f) {
  if (f.is_null()) return !deleted;
  if (f.is_array()) return true;
  auto v = to_int(f).value_or(0);
  return v ? deleted : !deleted;
}

// A request flag as MISP reads it: true, 1, "1" or "true".
bool flag(const Json& body, const char* key) {
  return body.contains(key) && to_bool(body[key], false);
}

struct OrderRule {
  std::string field;
  bool desc = false;
};

std::vector<OrderRule> parse_order(const Json& order, const char* model,
                                   const std::vector<std::string>& allowed) {
  std::vector<std::string> rules;
  if (order.is_string()) {
    std::string s = order.get<std::string>();
    std::size_t pos = 0;
    while (pos <= s.size()) {
      auto comma = s.find(',', pos);
      rules.push_back(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  } else if (order.is_array()) {
    for (const auto& r : order)
      if (r.is_string()) rules.push_back(r.get<std::string>());
  }
  std::vector<OrderRule> out;
  for (auto r : rules) {
    while (!r.empty() && r.front() == ' ') r.erase(0, 1);
    OrderRule rule;
    auto space = r.find(' ');
    rule.field = r.substr(0, space);
    if (space != std::string::npos) rule.desc = r.find("desc", space) != std::string::npos;
    auto dot = rule.field.find('.');
    if (dot != std::string::npos) {
      if (rule.field.substr(0, dot) != model) return {};  // MISP ignores the whole order then
      rule.field = rule.field.substr(dot + 1);
    }
    if (std::find(allowed.begin(), allowed.end(), rule.field) == allowed.end()) return {};
    out.push_back(rule);
  }
  return out;
}

template <typename Row, typename Key>
void sort_rows(std::vector<Row>& rows, const std::vector<OrderRule>& rules, Key key) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) {
    for (const auto& r : rules) {
      auto a = key(x, r.field), b = key(y, r.field);
      if (a != b) return r.desc ? a > b : a < b;
    }
    return false;
  });
}

// limit/page as MISP applies them (page is 1-based; no limit means everything). Returns limit.
template <typename Row>
std::int64_t page(std::vector<Row>& rows, const Json& body) {
  auto limit = to_int(body.value("limit", Json(0))).value_or(0);
  if (limit <= 0) return 0;
  auto page = std::max<std::int64_t>(1, to_int(body.value("page", Json(1))).value_or(1));
  std::size_t from = static_cast<std::size_t>((page - 1) * limit);
  if (from >= rows.size()) {
    rows.clear();
    return limit;
  }
  std::vector<Row> out(rows.begin() + static_cast<std::ptrdiff_t>(from),
                       rows.begin() + static_cast<std::ptrdiff_t>(std::min(
                                          rows.size(), from + static_cast<std::size_t>(limit))));
  rows.swap(out);
  return limit;
}

// decay_score as DecayingModel::attachScoresToAttribute writes it, or nothing when no model
// covers the attribute.
std::optional<Json> decay_of(const Attribute& a) {
  if (a.decay_score) return *a.decay_score;
  if (a.decay_models <= 0) return std::nullopt;
  Json out = Json::array();
  for (int m = 0; m < a.decay_models; ++m)
    out.push_back({{"score", m < a.decayed_models ? 0 : 80.5},
                   {"base_score", 80},
                   {"decayed", m < a.decayed_models},
                   {"DecayingModel",
                    {{"id", std::to_string(m + 1)}, {"name", "model " + std::to_string(m + 1)}}}});
  return out;
}

// excludeDecayed drops a row only when some model covers it and every model says decayed.
bool all_decayed(const Attribute& a) {
  auto d = decay_of(a);
  if (!d || !d->is_array() || d->empty()) return false;
  for (const auto& s : *d)
    if (!s.is_object() || !to_bool(s.value("decayed", Json(false)), false)) return false;
  return true;
}

Json attribute_json(const Store& store, const Attribute& a, bool decay, bool attributes_endpoint) {
  Json j = {{"id", std::to_string(a.id)},
            {"event_id", std::to_string(a.event_id)},
            {"object_id", std::to_string(a.object_id)},
            {"object_relation", a.object_relation ? Json(*a.object_relation) : Json(nullptr)},
            {"category", a.category},
            {"type", a.type},
            {"to_ids", a.to_ids},
            {"uuid", a.uuid},
            {"timestamp", std::to_string(a.timestamp)},
            {"distribution", "5"},
            {"sharing_group_id", "0"},
            {"comment", a.comment},
            {"deleted", a.deleted},
            {"disable_correlation", false},
            {"first_seen", a.first_seen ? Json(*a.first_seen) : Json(nullptr)},
            {"last_seen", a.last_seen ? Json(*a.last_seen) : Json(nullptr)},
            {"value", a.value}};
  for (const auto& [k, v] : a.extra.items()) j[k] = v;
  if (!a.tags.empty()) {
    j["Tag"] = Json::array();
    for (const auto& t : a.tags) j["Tag"].push_back({{"name", t}, {"local", false}});
  }
  if (attributes_endpoint) {
    const Event& e = store.events.at(a.event_id);
    j["Event"] = {{"org_id", "1"},  {"distribution", "1"}, {"id", std::to_string(e.id)},
                  {"info", e.info}, {"orgc_id", "1"},      {"uuid", e.uuid}};
    if (a.object_id) {
      auto o = store.objects.find(a.object_id);
      const Json fields = o == store.objects.end() ? Json::object() : o->second.fields;
      j["Object"] = {{"id", std::to_string(a.object_id)},
                     {"distribution", fields.value("distribution", Json("5"))},
                     {"sharing_group_id", fields.value("sharing_group_id", Json("0"))}};
    }
  }
  if (decay)
    if (auto d = decay_of(a)) j["decay_score"] = *d;
  return j;
}

const Json kOrg = {{"id", "1"},
                   {"name", "EMULATOR"},
                   {"uuid", "00000000-0000-4000-8000-000000000001"},
                   {"local", true}};

}  // namespace

Page search_attributes(const Store& store, const Json& body, const Options& options) {
  std::vector<const Attribute*> rows;
  for (const auto& [id, a] : store.attributes) {
    if (!in_window(a.timestamp, body.value("timestamp", Json()))) continue;
    if (!matches_list(a.type, body.value("type", Json()))) continue;
    if (!deleted_ok(a.deleted, body.value("deleted", Json()))) continue;
    if (body.contains("to_ids") && to_int(body["to_ids"]).value_or(a.to_ids) != a.to_ids) continue;
    std::vector<std::string> tags = a.tags;
    for (const auto& t : store.events.at(a.event_id).tags) tags.push_back(t);
    if (!has_any_tag(tags, body.value("tags", Json()))) continue;
    rows.push_back(&a);
  }
  sort_rows(rows,
            parse_order(body.value("order", Json()), "Attribute",
                        {"id", "timestamp", "event_id", "object_id"}),
            [](const Attribute* a, const std::string& f) {
              if (f == "id") return a->id;
              if (f == "event_id") return a->event_id;
              if (f == "object_id") return a->object_id;
              return a->timestamp;
            });
  const std::int64_t limit = page(rows, body);
  const bool enforce = flag(body, "enforceWarninglist");
  const bool decay = flag(body, "includeDecayScore");
  const bool exclude_decayed = flag(body, "excludeDecayed");
  Page p;
  p.body = "{\"response\": {\"Attribute\": [";
  bool first = true;
  for (const Attribute* a : rows) {
    // Dropped after the SQL page was read: the page comes back short, the count says why.
    if ((enforce && options.warninglist.count(a->value)) || (exclude_decayed && all_decayed(*a))) {
      ++p.skipped;
      continue;
    }
    if (!first) p.body += ',';
    first = false;
    p.body += attribute_json(store, *a, decay, true).dump();
  }
  p.body += "]}}\n";
  // __iteratedFetch: the SQL rows of this page, plus one when the page is full ("there may be
  // more"); a page past the end still says 1. Without limit: every row.
  const auto n = static_cast<std::int64_t>(rows.size());
  p.result_count = limit <= 0 ? n : n == 0 ? 1 : n == limit ? n + 1 : n;
  return p;
}

Page search_events(const Store& store, const Json& body) {
  const auto stamps = store.event_timestamps();
  std::map<std::int64_t, std::vector<const Attribute*>> by_event;
  for (const auto& [id, a] : store.attributes) by_event[a.event_id].push_back(&a);
  std::map<std::int64_t, std::vector<const Object*>> objects_of;
  for (const auto& [id, o] : store.objects) objects_of[o.event_id].push_back(&o);

  std::vector<std::pair<const Event*, std::int64_t>> rows;
  for (const auto& [id, e] : store.events) {
    const std::int64_t ts = stamps.at(id);
    if (!in_window(ts, body.value("timestamp", Json()))) continue;
    if (!has_any_tag(e.tags, body.value("tags", Json()))) continue;
    rows.emplace_back(&e, ts);
  }
  sort_rows(rows, parse_order(body.value("order", Json()), "Event", {"id", "timestamp"}),
            [](const std::pair<const Event*, std::int64_t>& r, const std::string& f) {
              return f == "id" ? r.first->id : r.second;
            });
  Page p;
  p.result_count = static_cast<std::int64_t>(rows.size());  // before paging, as MISP counts
  page(rows, body);
  const bool decay = flag(body, "includeDecayScore");
  const Json deleted_filter = body.value("deleted", Json());
  const Json type_filter = body.value("type", Json());
  p.body = "{\"response\": [";
  bool first = true;
  for (const auto& [e, ts] : rows) {
    Json ev = {{"id", std::to_string(e->id)},
               {"orgc_id", "1"},
               {"org_id", "1"},
               {"date", e->date},
               {"threat_level_id", "2"},
               {"info", e->info},
               {"published", true},
               {"uuid", e->uuid},
               {"attribute_count", "0"},
               {"analysis", "1"},
               {"timestamp", std::to_string(ts)},
               {"distribution", "1"},
               {"proposal_email_lock", false},
               {"locked", false},
               {"publish_timestamp", std::to_string(ts)},
               {"sharing_group_id", "0"},
               {"disable_correlation", false},
               {"extends_uuid", ""},
               {"protected", nullptr},
               {"Org", kOrg},
               {"Orgc", kOrg},
               {"Attribute", Json::array()},
               {"ShadowAttribute", Json::array()},
               {"RelatedEvent", Json::array()},
               {"Galaxy", Json::array()},
               {"Object", Json::array()},
               {"EventReport", Json::array()}};
    std::size_t count = 0;
    std::map<std::int64_t, Json> object_attributes;
    std::map<std::int64_t, std::int64_t> object_ts;
    static const std::vector<const Attribute*> kNone;
    auto it = by_event.find(e->id);
    for (const Attribute* a : it == by_event.end() ? kNone : it->second) {
      if (!a->deleted) ++count;
      if (!deleted_ok(a->deleted, deleted_filter) || !matches_list(a->type, type_filter)) continue;
      Json aj = attribute_json(store, *a, decay, false);
      if (a->object_id) {
        object_attributes[a->object_id].push_back(std::move(aj));
        object_ts[a->object_id] = std::max(object_ts[a->object_id], a->timestamp);
      } else {
        ev["Attribute"].push_back(std::move(aj));
      }
    }
    // Objects with no visible attribute are left out, as fetchEvent does.
    auto objects = objects_of.find(e->id);
    if (objects != objects_of.end())
      for (const Object* o : objects->second) {
        auto attrs = object_attributes.find(o->id);
        if (attrs == object_attributes.end()) continue;
        Json oj = o->fields;
        auto own = to_int(oj.value("timestamp", Json("0"))).value_or(0);
        oj["timestamp"] = std::to_string(std::max(own, object_ts[o->id]));
        oj["Attribute"] = std::move(attrs->second);
        ev["Object"].push_back(std::move(oj));
      }
    ev["attribute_count"] = std::to_string(count);
    if (!e->tags.empty()) {
      ev["Tag"] = Json::array();
      for (const auto& t : e->tags) ev["Tag"].push_back({{"name", t}, {"local", false}});
    }
    if (!first) p.body += ',';
    first = false;
    p.body += Json{{"Event", ev}}.dump();
  }
  p.body += "]}\n";
  return p;
}

}  // namespace misp::emulator
