// The HTTP side of the emulator: auth, rate limit, injected faults, chaos and hooks, the Date
// header from MISP's clock, and the public API over the tables (store.h), one mutex for all.
#include "tests/misp_emulator/emulator.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include "tests/misp_emulator/search.h"
#include "tests/misp_emulator/store.h"

namespace misp::emulator {

namespace {

using Json = nlohmann::json;

std::string error_json(const std::string& message, const std::string& path) {
  return Json{{"name", message}, {"message", message}, {"url", path}}.dump();
}

}  // namespace

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http_date(std::int64_t unix_seconds) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

struct Emulator::Impl {
  Options options;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  std::atomic<std::int64_t> clock_offset{0};
  mutable std::mutex mu;  // guards everything below
  Store store;
  std::map<int, Fault> faults;
  std::function<void(int, const Json&)> hook;
  int request_count = 0;
  std::vector<Json> bodies;
  std::vector<std::map<std::string, std::string>> headers;
  int window_count = 0;
  std::chrono::steady_clock::time_point window_start{};
  RandomFaults random_faults;
  std::mt19937_64 fault_rng{1};
  bool record_served = false;
  std::vector<ServedRow> served;

  double fault_draw() { return static_cast<double>(fault_rng() >> 11) * 0x1.0p-53; }

  // A random fault for a request without a scripted one (under mu).
  Fault random_fault() {
    const RandomFaults& r = random_faults;
    Fault f;
    const double u = fault_draw();
    if (u < r.error_probability) {
      f.status = 500;
    } else if (u < r.error_probability + r.rate_limit_probability) {
      f.status = 429;
      f.retry_after = std::to_string(r.rate_limit_reset_s);
    } else if (u < r.error_probability + r.rate_limit_probability + r.drop_probability) {
      f.drop = true;
    }
    if (r.slow_probability > 0 && fault_draw() < r.slow_probability) f.delay_ms = r.slow_ms;
    return f;
  }

  // The attribute rows of a 200 answer, kept for record_served (under mu).
  void note_served(int number, const std::string& body) {
    const Json j = Json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("response")) return;
    const Json& rows =
        j["response"].is_object() ? j["response"].value("Attribute", Json()) : j["response"];
    if (!rows.is_array()) return;
    for (const Json& a : rows) {
      if (!a.is_object()) continue;
      served.push_back({number, to_int(a.value("id", Json())).value_or(0),
                        a.value("uuid", std::string()),
                        to_int(a.value("timestamp", Json())).value_or(0)});
    }
  }

  std::int64_t now() const {
    return (options.now ? options.now() : system_now()) + clock_offset.load();
  }

  void handle(const httplib::Request& req, httplib::Response& res, bool attributes_endpoint) {
    answer(req, res, attributes_endpoint);
    // Every answer, errors included, carries MISP's clock, read after any change it made.
    res.set_header("Date", http_date(now()));
  }

  void answer(const httplib::Request& req, httplib::Response& res, bool attributes_endpoint) {
    Fault fault;
    int number;
    {
      std::lock_guard<std::mutex> lock(mu);
      number = ++request_count;
      store.request = number;
      std::map<std::string, std::string> h;
      for (const auto& [k, v] : req.headers) h[k] = v;
      headers.push_back(h);
      if (auto it = faults.find(number); it != faults.end())
        fault = it->second;
      else
        fault = random_fault();
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
    const std::int64_t changed_at = now();  // read outside the lock: Options::now is the test's
    {
      std::lock_guard<std::mutex> lock(mu);
      bodies.push_back(body);
      store.apply_chaos(number, changed_at);
      h = hook;
    }
    if (h) h(number, body);
    std::lock_guard<std::mutex> lock(mu);
    Page page;
    try {
      page = attributes_endpoint ? search_attributes(store, body, options)
                                 : search_events(store, body);
    } catch (const std::exception&) {
      res.status = 500;
      res.set_content(error_json("An Internal Error Has Occurred.", req.path), "application/json");
      return;
    }
    if (fault.truncate)
      page.body = page.body.substr(0, page.body.size() / 2);
    else if (record_served && attributes_endpoint)
      note_served(number, page.body);
    res.set_header("X-Result-Count", std::to_string(page.result_count));
    res.set_header("X-Skipped-Elements-Count", std::to_string(page.skipped));
    res.set_header("X-Export-Module-Used", "json");
    res.set_header("X-Response-Format", "json");
    res.set_content(page.body, "application/json");
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

std::int64_t Emulator::now() const {
  return impl_->now();
}

void Emulator::set_clock_offset(std::int64_t seconds) {
  impl_->clock_offset.store(seconds);
}

std::int64_t Emulator::clock_offset() const {
  return impl_->clock_offset.load();
}

std::int64_t Emulator::add_event(std::int64_t timestamp, std::string info) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.add_event(timestamp, std::move(info));
}

std::int64_t Emulator::add_attribute(std::int64_t event_id, std::int64_t timestamp,
                                     std::string value, std::string type) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.add_attribute(event_id, timestamp, std::move(value), std::move(type));
}

Attribute& Emulator::attribute(std::int64_t id) {
  return impl_->store.attributes.at(id);
}

void Emulator::generate(int events, int attributes_each, std::int64_t base, std::int64_t spread,
                        unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int64_t> ts(base,
                                                 base + std::max<std::int64_t>(spread, 1) - 1);
  std::lock_guard<std::mutex> lock(impl_->mu);
  Store& s = impl_->store;
  for (int e = 0; e < events; ++e) {
    auto id = s.add_event(base, "emulated event");
    for (int a = 0; a < attributes_each; ++a)
      s.attributes.at(s.add_attribute(id, ts(rng), {}, "ip-dst")).decay_models = 1;
  }
}

void Emulator::load_json(const nlohmann::json& export_json) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.load(export_json);
}

void Emulator::load_event_json(const nlohmann::json& export_json) {
  load_json(export_json);
}

std::size_t Emulator::attribute_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.attributes.size();
}

std::vector<std::int64_t> Emulator::attribute_ids() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::int64_t> out;
  for (const auto& [id, a] : impl_->store.attributes) out.push_back(id);
  return out;
}

std::optional<Object> Emulator::object(std::int64_t id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->store.objects.find(id);
  if (it == impl_->store.objects.end()) return std::nullopt;
  return it->second;
}

void Emulator::edit_attribute(std::int64_t id, std::int64_t timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.edit(id, timestamp);
}

void Emulator::edit_attribute(std::int64_t id) {
  edit_attribute(id, now());
}

void Emulator::delete_attribute(std::int64_t id, std::int64_t timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.soft_delete(id, timestamp);
}

void Emulator::delete_attribute(std::int64_t id) {
  delete_attribute(id, now());
}

void Emulator::hard_delete_attribute(std::int64_t id) {
  const std::int64_t t = now();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.hard_delete(id, t);
}

std::int64_t Emulator::insert_attribute_now(std::int64_t event_id) {
  const std::int64_t t = now();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.insert(event_id, t, ChangeKind::kInsert);
}

std::int64_t Emulator::insert_attribute_saved_late(std::int64_t event_id, std::int64_t max_age_s) {
  const std::int64_t t = now();
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (max_age_s < 1) return impl_->store.insert(event_id, t, ChangeKind::kInsert);
  return impl_->store.insert(event_id, t - impl_->store.draw(1, max_age_s), ChangeKind::kLateSave);
}

std::int64_t Emulator::insert_synced_attribute(std::int64_t event_id, std::int64_t old_timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.insert(event_id, old_timestamp, ChangeKind::kSynced);
}

std::int64_t Emulator::bulk_event(int n_attributes, std::int64_t timestamp) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.bulk_event(n_attributes, timestamp);
}

void Emulator::set_chaos(Chaos chaos) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.rng.seed(chaos.seed);
  impl_->store.chaos = chaos;
}

void Emulator::clear_chaos() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->store.chaos.reset();
}

void Emulator::set_random_faults(RandomFaults faults) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->fault_rng.seed(faults.seed);
  impl_->random_faults = faults;
}

void Emulator::record_served(bool on) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->record_served = on;
}

std::vector<ServedRow> Emulator::served() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->served;
}

std::vector<LedgerEntry> Emulator::ledger() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->store.ledger;
}

std::vector<AttributeVersion> Emulator::snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<AttributeVersion> out;
  out.reserve(impl_->store.attributes.size());
  for (const auto& [id, a] : impl_->store.attributes)
    out.push_back({a.id, a.uuid, a.event_id, a.timestamp, a.deleted});
  return out;
}

std::vector<EventVersion> Emulator::event_versions() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<EventVersion> out;
  for (const auto& [id, ts] : impl_->store.event_timestamps())
    out.push_back({id, impl_->store.events.at(id).uuid, ts});
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
