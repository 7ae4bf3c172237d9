#include "tests/misp_emulator/emulator.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

namespace misp::emulator {

namespace {

using Json = nlohmann::json;

std::string uuid_for(const char* kind, std::int64_t id) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(id), static_cast<unsigned long long>(kind[0]));
  return buf;
}

std::string error_json(const std::string& message, const std::string& path) {
  return Json{{"name", message}, {"message", message}, {"url", path}}.dump();
}

std::optional<std::int64_t> to_int(const Json& v) {
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

struct OrderRule {
  std::string field;
  bool desc = false;
};

std::vector<OrderRule> parse_order(const Json& order, const char* model) {
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
    if (rule.field != "timestamp" && rule.field != "id") return {};
    out.push_back(rule);
  }
  return out;
}

}  // namespace

struct Emulator::Impl {
  Options options;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mu;
  std::map<std::int64_t, Event> events;
  std::map<std::int64_t, Attribute> attributes;
  std::int64_t next_event_id = 1, next_attribute_id = 1;
  std::map<int, Fault> faults;
  std::function<void(int, const Json&)> hook;
  int request_count = 0;
  std::vector<Json> bodies;
  std::vector<std::map<std::string, std::string>> headers;
  int window_count = 0;
  std::chrono::steady_clock::time_point window_start{};

  std::int64_t event_timestamp(const Event& e) const {
    std::int64_t ts = e.own_timestamp;
    for (const auto& [id, a] : attributes)
      if (a.event_id == e.id) ts = std::max(ts, a.timestamp);
    return ts;
  }

  Json attribute_json(const Attribute& a, bool decay, bool with_event) const {
    Json j = {{"id", std::to_string(a.id)},
              {"event_id", std::to_string(a.event_id)},
              {"object_id", "0"},
              {"object_relation", nullptr},
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
    if (!a.tags.empty()) {
      j["Tag"] = Json::array();
      for (const auto& t : a.tags) j["Tag"].push_back({{"name", t}, {"local", false}});
    }
    if (with_event) {
      const Event& e = events.at(a.event_id);
      j["Event"] = {{"org_id", "1"},  {"distribution", "1"}, {"id", std::to_string(e.id)},
                    {"info", e.info}, {"orgc_id", "1"},      {"uuid", e.uuid}};
    }
    if (decay) {
      j["decay_score"] = Json::array();
      for (int m = 0; m < a.decay_models; ++m)
        j["decay_score"].push_back(
            {{"score", m < a.decayed_models ? 0 : 80.5},
             {"base_score", 80},
             {"decayed", m < a.decayed_models},
             {"DecayingModel",
              {{"id", std::to_string(m + 1)}, {"name", "model " + std::to_string(m + 1)}}}});
    }
    return j;
  }

  // Rows of the attributes endpoint, filtered and ordered as MISP does.
  std::string attributes_search(const Json& body, int& skipped) const {
    std::vector<const Attribute*> rows;
    for (const auto& [id, a] : attributes) {
      if (!in_window(a.timestamp, body.value("timestamp", Json()))) continue;
      if (!matches_list(a.type, body.value("type", Json()))) continue;
      if (!deleted_ok(a.deleted, body.value("deleted", Json()))) continue;
      if (body.contains("to_ids") && to_int(body["to_ids"]).value_or(a.to_ids) != a.to_ids)
        continue;
      std::vector<std::string> tags = a.tags;
      for (const auto& t : events.at(a.event_id).tags) tags.push_back(t);
      if (!has_any_tag(tags, body.value("tags", Json()))) continue;
      rows.push_back(&a);
    }
    sort_rows(
        rows, parse_order(body.value("order", Json()), "Attribute"),
        [](const Attribute* a, const std::string& f) { return f == "id" ? a->id : a->timestamp; });
    page(rows, body);
    bool enforce = to_int(body.value("enforceWarninglist", Json(0))).value_or(0) != 0 ||
                   body.value("enforceWarninglist", Json(false)) == Json(true);
    bool decay = body.value("includeDecayScore", Json(false)) == Json(true) ||
                 body.value("includeDecayScore", Json("")) == Json("true") ||
                 to_int(body.value("includeDecayScore", Json(0))).value_or(0) != 0;
    std::string out = "{\"response\": {\"Attribute\": [";
    bool first = true;
    skipped = 0;
    for (const Attribute* a : rows) {
      if (enforce && options.warninglist.count(a->value)) {
        ++skipped;  // dropped after paging: the page comes back short
        continue;
      }
      if (!first) out += ',';
      first = false;
      out += attribute_json(*a, decay, true).dump();
    }
    return out + "]}}\n";
  }

  std::string events_search(const Json& body) const {
    std::vector<std::pair<const Event*, std::int64_t>> rows;
    for (const auto& [id, e] : events) {
      std::int64_t ts = event_timestamp(e);
      if (!in_window(ts, body.value("timestamp", Json()))) continue;
      if (!has_any_tag(e.tags, body.value("tags", Json()))) continue;
      rows.emplace_back(&e, ts);
    }
    auto rules = parse_order(body.value("order", Json()), "Event");
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) {
      for (const auto& r : rules) {
        std::int64_t a = r.field == "id" ? x.first->id : x.second,
                     b = r.field == "id" ? y.first->id : y.second;
        if (a != b) return r.desc ? a > b : a < b;
      }
      return false;
    });
    page(rows, body);
    std::string out = "{\"response\": [";
    bool first = true;
    for (const auto& [e, ts] : rows) {
      Json ev = {{"id", std::to_string(e->id)},
                 {"orgc_id", "1"},
                 {"org_id", "1"},
                 {"date", "2024-01-01"},
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
                 {"Org",
                  {{"id", "1"},
                   {"name", "EMULATOR"},
                   {"uuid", "00000000-0000-4000-8000-000000000001"},
                   {"local", true}}},
                 {"Orgc",
                  {{"id", "1"},
                   {"name", "EMULATOR"},
                   {"uuid", "00000000-0000-4000-8000-000000000001"},
                   {"local", true}}},
                 {"Attribute", Json::array()},
                 {"ShadowAttribute", Json::array()},
                 {"RelatedEvent", Json::array()},
                 {"Galaxy", Json::array()},
                 {"Object", e->objects},
                 {"EventReport", Json::array()}};
      std::size_t count = 0;
      for (const auto& [id, a] : attributes) {
        if (a.event_id != e->id || !deleted_ok(a.deleted, body.value("deleted", Json()))) continue;
        if (!matches_list(a.type, body.value("type", Json()))) continue;
        ev["Attribute"].push_back(attribute_json(a, false, false));
        ++count;
      }
      ev["attribute_count"] = std::to_string(count);
      if (!e->tags.empty()) {
        ev["Tag"] = Json::array();
        for (const auto& t : e->tags) ev["Tag"].push_back({{"name", t}, {"local", false}});
      }
      if (!first) out += ',';
      first = false;
      out += Json{{"Event", ev}}.dump();
    }
    return out + "]}\n";
  }

  template <typename Row, typename Key>
  static void sort_rows(std::vector<Row>& rows, const std::vector<OrderRule>& rules, Key key) {
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& x, const Row& y) {
      for (const auto& r : rules) {
        auto a = key(x, r.field), b = key(y, r.field);
        if (a != b) return r.desc ? a > b : a < b;
      }
      return false;
    });
  }

  // limit/page as MISP applies them (page is 1-based; no limit means everything).
  template <typename Row>
  static void page(std::vector<Row>& rows, const Json& body) {
    auto limit = to_int(body.value("limit", Json(0))).value_or(0);
    if (limit <= 0) return;
    auto page = std::max<std::int64_t>(1, to_int(body.value("page", Json(1))).value_or(1));
    std::size_t from = static_cast<std::size_t>((page - 1) * limit);
    if (from >= rows.size()) {
      rows.clear();
      return;
    }
    std::vector<Row> out(rows.begin() + static_cast<std::ptrdiff_t>(from),
                         rows.begin() + static_cast<std::ptrdiff_t>(std::min(
                                            rows.size(), from + static_cast<std::size_t>(limit))));
    rows.swap(out);
  }

  void handle(const httplib::Request& req, httplib::Response& res, bool attributes_endpoint) {
    Fault fault;
    int number;
    {
      std::lock_guard<std::mutex> lock(mu);
      number = ++request_count;
      std::map<std::string, std::string> h;
      for (const auto& [k, v] : req.headers) h[k] = v;
      headers.push_back(h);
      if (auto it = faults.find(number); it != faults.end()) fault = it->second;
    }
    if (fault.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
    std::string key = req.has_header("X-MISP-AUTH") ? req.get_header_value("X-MISP-AUTH")
                                                    : req.get_header_value("Authorization");
    if (key != options.api_key) {
      res.status = 403;
      res.set_content(error_json("Authentication failed. Please make sure you pass the API key of "
                                 "an API enabled user along in the Authorization header.",
                                 req.path),
                      "application/json");
      return;
    }
    if (options.rate_limit_count > 0) {
      std::lock_guard<std::mutex> lock(mu);
      auto now = std::chrono::steady_clock::now();
      if (window_count == 0 || now - window_start > std::chrono::seconds(900))
        window_start = now, window_count = 0;
      ++window_count;
      auto reset =
          900 - std::chrono::duration_cast<std::chrono::seconds>(now - window_start).count();
      res.set_header("X-Rate-Limit-Limit", std::to_string(options.rate_limit_count));
      res.set_header("X-Rate-Limit-Remaining",
                     std::to_string(std::max(0, options.rate_limit_count - window_count)));
      res.set_header("X-Rate-Limit-Reset", std::to_string(reset));
      if (window_count > options.rate_limit_count) {
        res.status = 429;
        res.set_content(error_json("Rate limit exceeded.", req.path), "application/json");
        return;
      }
    }
    if (fault.status) {
      res.status = fault.status;
      if (!fault.retry_after.empty()) res.set_header("X-Rate-Limit-Reset", fault.retry_after);
      res.set_content(error_json(fault.status == 429 ? "Rate limit exceeded."
                                                     : "An Internal Error Has Occurred.",
                                 req.path),
                      "application/json");
      return;
    }
    if (fault.html) {
      res.status = 502;
      res.set_content(
          "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
          "text/html");
      return;
    }
    if (fault.drop) {
      // A body promised and never sent: the client sees the connection close mid-response.
      res.set_content_provider(1024, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    Json body;
    try {
      body = Json::parse(req.body);
    } catch (...) {
      res.status = 405;
      res.set_content(
          error_json("Invalid JSON input. Make sure that the JSON input is a correctly formatted "
                     "JSON string. This request has been blocked to avoid an unfiltered request.",
                     req.path),
          "application/json");
      return;
    }
    std::function<void(int, const Json&)> h;
    {
      std::lock_guard<std::mutex> lock(mu);
      bodies.push_back(body);
      h = hook;
    }
    if (h) h(number, body);
    std::lock_guard<std::mutex> lock(mu);
    std::string out;
    int skipped = 0;
    try {
      out = attributes_endpoint ? attributes_search(body, skipped) : events_search(body);
    } catch (const std::exception&) {
      res.status = 500;
      res.set_content(error_json("An Internal Error Has Occurred.", req.path), "application/json");
      return;
    }
    if (fault.truncate) out = out.substr(0, out.size() / 2);
    res.set_header("X-Skipped-Elements-Count", std::to_string(skipped));
    res.set_header("X-Response-Format", "json");
    res.set_content(out, "application/json");
  }
};

Emulator::Emulator(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Emulator::~Emulator() {
  stop();
}

int Emulator::start() {
  Impl& m = *impl_;
  if (!m.options.tls_cert.empty())
    m.server = std::make_unique<httplib::SSLServer>(
        m.options.tls_cert.c_str(), m.options.tls_key.c_str(),
        m.options.client_ca.empty() ? nullptr : m.options.client_ca.c_str());
  else
    m.server = std::make_unique<httplib::Server>();
  m.server->set_tcp_nodelay(true);
  m.server->Post("/events/restSearch",
                 [&m](const httplib::Request& q, httplib::Response& r) { m.handle(q, r, false); });
  m.server->Post("/attributes/restSearch",
                 [&m](const httplib::Request& q, httplib::Response& r) { m.handle(q, r, true); });
  m.port = m.server->bind_to_any_port("127.0.0.1");
  if (m.port <= 0) throw std::runtime_error("emulator: cannot bind to 127.0.0.1");
  m.thread = std::thread([&m] { m.server->listen_after_bind(); });
  while (!m.server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return m.port;
}

void Emulator::stop() {
  if (impl_->server) impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Emulator::port() const {
  return impl_->port;
}

std::string Emulator::url() const {
  return std::string(impl_->options.tls_cert.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(impl_->port);
}

std::int64_t Emulator::add_event(std::int64_t timestamp, std::string info) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Event e;
  e.id = impl_->next_event_id++;
  e.uuid = uuid_for("e", e.id);
  e.info = std::move(info);
  e.own_timestamp = timestamp;
  impl_->events[e.id] = e;
  return e.id;
}

std::int64_t Emulator::add_attribute(std::int64_t event_id, std::int64_t timestamp,
                                     std::string value, std::string type) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Attribute a;
  a.id = impl_->next_attribute_id++;
  a.event_id = event_id;
  a.uuid = uuid_for("a", a.id);
  a.timestamp = timestamp;
  a.type = std::move(type);
  if (value.empty()) {
    value = "10." + std::to_string((a.id >> 16) & 255) + "." + std::to_string((a.id >> 8) & 255) +
            "." + std::to_string(a.id & 255);
  }
  a.value = std::move(value);
  impl_->attributes[a.id] = a;
  return a.id;
}

Attribute& Emulator::attribute(std::int64_t id) {
  return impl_->attributes.at(id);
}

void Emulator::edit_attribute(std::int64_t id, std::int64_t timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& a = impl_->attributes.at(id);
  a.timestamp = timestamp;
  a.comment = "edited at " + std::to_string(timestamp);
}

void Emulator::delete_attribute(std::int64_t id, std::int64_t timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& a = impl_->attributes.at(id);
  a.deleted = true;
  a.timestamp = timestamp;
}

void Emulator::generate(int events, int attributes_each, std::int64_t base, std::int64_t spread,
                        unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int64_t> ts(base,
                                                 base + std::max<std::int64_t>(spread, 1) - 1);
  for (int e = 0; e < events; ++e) {
    auto id = add_event(base);
    for (int a = 0; a < attributes_each; ++a) add_attribute(id, ts(rng));
  }
}

void Emulator::load_event_json(const nlohmann::json& export_json) {
  const Json& body = export_json.contains("Event") ? export_json["Event"] : export_json;
  auto ts = to_int(body.value("timestamp", Json("0"))).value_or(0);
  auto id = add_event(ts, body.value("info", std::string("loaded event")));
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (body.contains("Object")) impl_->events[id].objects = body["Object"];
  if (body.contains("Tag"))
    for (const auto& t : body["Tag"]) impl_->events[id].tags.push_back(t.value("name", ""));
  for (const auto& a : body.value("Attribute", Json::array())) {
    Attribute x;
    x.id = impl_->next_attribute_id++;
    x.event_id = id;
    x.uuid = a.value("uuid", uuid_for("a", x.id));
    x.type = a.value("type", "text");
    x.category = a.value("category", "Other");
    x.value = a.value("value", "");
    x.comment = a.value("comment", "");
    x.timestamp = to_int(a.value("timestamp", Json("0"))).value_or(ts);
    x.to_ids = a.value("to_ids", false);
    impl_->attributes[x.id] = x;
  }
}

std::size_t Emulator::attribute_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->attributes.size();
}

std::vector<std::int64_t> Emulator::attribute_ids() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::int64_t> out;
  for (const auto& [id, a] : impl_->attributes) out.push_back(id);
  return out;
}

void Emulator::inject(int request_number, Fault fault) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults[request_number] = fault;
}

void Emulator::on_request(std::function<void(int, const nlohmann::json&)> hook) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->hook = std::move(hook);
}

int Emulator::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->request_count;
}

std::vector<nlohmann::json> Emulator::request_bodies() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->bodies;
}

std::vector<std::map<std::string, std::string>> Emulator::request_headers() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->headers;
}

}  // namespace misp::emulator
