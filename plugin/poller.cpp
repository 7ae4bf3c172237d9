#include "plugin/poller.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "mapping/mapper.h"
#include "plugin/http_date.h"
#include "plugin/pager.h"
#include "plugin/split.h"

namespace misp::plugin {

namespace {

using json::Value;

std::optional<std::int64_t> as_int(const Value* v) {
  if (!v) return std::nullopt;
  if (v->type == json::Type::kInt) return v->i;
  if (v->is_string()) {
    std::int64_t out = 0;
    auto s = v->str();
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

bool looks_like_html(std::string_view body) {
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r'))
    body.remove_prefix(1);
  return body.starts_with("<");
}

}  // namespace

struct Poller::Impl {
  Config config;
  Runtime runtime;
  DeliverFn deliver;
  Cursor cursor;  // after the last delivered document
  std::unique_ptr<Tracer> tracer;
  std::unique_ptr<HttpClient> http;
  json::Parser parser;
  std::string index;
  nlohmann::json filters;
  std::int64_t skew = 0;  // MISP's clock minus ours, seconds, as last measured
  bool warned_skew = false, warned_no_date = false;

  static constexpr std::int64_t kSkewWarning = 5;  // seconds
  static constexpr int kMaxPasses = 10;
  static constexpr std::int64_t kFirstRequestReach = 86400;  // seconds

  Impl(Config c, Runtime r, Cursor cur, DeliverFn d)
      : config(std::move(c)), runtime(std::move(r)), deliver(std::move(d)), cursor(cur) {
    filters = nlohmann::json::parse(config.filters_json);  // produced by parse_config: valid
    if (config.enable_request_tracer) {
      std::vector<std::string> secrets = {config.api_token.reveal(), config.url.password.reveal()};
      if (config.proxy_url) secrets.push_back(config.proxy_url->password.reveal());
      tracer = std::make_unique<Tracer>(
          config.tracer_path.empty() ? "http-request-trace.ndjson" : config.tracer_path, secrets);
    }
    http = std::make_unique<HttpClient>(config, runtime, tracer.get());
    index = std::string("logs-") + mapping::dataset_name(config.dataset) + "-" +
            config.data_stream_namespace;
  }

  bool attributes() const { return config.dataset == mapping::Dataset::kThreatAttributes; }

  std::string request_body(const PageRequest& req) const {
    nlohmann::json body = filters;  // the user's filters, parsed once
    body["page"] = req.page;
    body["limit"] = req.limit;
    body["returnFormat"] = "json";
    body["timestamp"] = {req.from, req.to};
    const char* model = attributes() ? "Attribute" : "Event";
    body["order"] = {std::string(model) + ".timestamp asc", std::string(model) + ".id asc"};
    if (attributes()) {
      body["includeDecayScore"] = true;
      if (config.enforce_warning_list) body["enforceWarninglist"] = 1;
      // Soft deletions are retractions we pass on (docs/divergences.md), unless told otherwise.
      if (!config.strict_elastic_parity && !body.contains("deleted")) body["deleted"] = {0, 1};
    }
    return body.dump();
  }

  void log(const std::string& line) const {
    if (runtime.log) runtime.log(line);
  }

  // MISP's clock against ours: the window follows MISP's; a large gap is worth one warning.
  void observe_clock(std::optional<std::int64_t> server_time, std::int64_t local_ms) {
    if (!server_time) {
      if (!warned_no_date)
        log("MISP's responses carry no usable Date header: each window ends settle_delay before "
            "this machine's clock instead of MISP's. stream=" +
            index + ".");
      warned_no_date = true;
      return;
    }
    skew = *server_time - local_ms / 1000;
    if ((skew > kSkewWarning || skew < -kSkewWarning) && !warned_skew) {
      warned_skew = true;
      log("MISP's clock is " + std::to_string(skew < 0 ? -skew : skew) + " s " +
          (skew < 0 ? "behind" : "ahead of") +
          " this machine's; windows follow MISP's clock (its Date header). stream=" + index + ".");
    }
  }

  // The last document produced waits here until the next exists or the poll ends, so that it
  // can carry the newest cursor proven by then.
  struct Held {
    std::optional<Delivery> doc;
    Cursor cursor;  // what doc will carry
  };

  PollStats poll() {
    PollStats stats;
    const std::int64_t now_ms = runtime.now_ms();
    const std::int64_t local_now = now_ms / 1000;
    Cursor start = cursor;
    std::int64_t from = start.next_timestamp();
    if (start.empty() ||
        (config.refetch && (start.last_refetch == 0 ||
                            local_now - start.last_refetch >= config.refetch_interval.count()))) {
      // A first poll, or a refetch: everything of the last initial_interval again, to pick up
      // decay changes that do not bump timestamps and rows synced with old timestamps.
      if (!start.empty()) log("Refetch starts. stream=" + index + ".");
      start = Cursor{};
      start.last_refetch = config.refetch ? local_now : 0;
      from = local_now + skew - config.initial_interval.count();
    }
    const std::int64_t settle = config.settle_delay.count();
    // The first request reaches a day past our clock; MISP's Date then closes the window at its
    // own clock minus settle_delay, wherever that lies. Only rows of MISP's last settle_delay
    // seconds can lie between, so the reach costs nothing and a MISP ahead of us is not lagged.
    const std::int64_t reach = local_now + skew + kFirstRequestReach;
    Pager pager({config.limit, attributes(), kMaxPasses},
                {from, reach, settle, local_now + skew - settle}, start);
    mapping::Mapper mapper(config.mapping_options(now_ms));
    const std::string path = config.endpoint();
    Held held;
    Cursor last = start;  // the cursor of the last document produced
    Cursor done = start;  // the cursor once everything produced so far is delivered
    bool stopping = false;

    auto emit_held = [&]() -> bool {
      if (!held.doc) return true;
      held.doc->cursor = held.cursor.encode();
      bool ok = deliver(*held.doc);
      if (ok) ++stats.documents, cursor = held.cursor;
      held.doc.reset();
      return ok;
    };
    auto produce = [&](Delivery d, const Cursor& c) -> bool {
      if (!emit_held()) return false;
      held.doc = std::move(d);
      held.cursor = c;
      last = c;
      return true;
    };

    auto req = pager.first();
    if (!req) stats.completed = true;
    while (req) {
      auto response = http->post_json(path, request_body(*req));
      ++stats.requests;
      if (!response) {
        stats.error = response.error();
        break;
      }
      ++stats.pages;
      const HttpResponse& r = response.value();
      const auto server_time = parse_http_date(r.header("date"));
      observe_clock(server_time, runtime.now_ms());
      json::Doc doc;
      Value body;
      std::string perr;
      if (!parser.parse(r.body, doc, body, perr)) {
        stats.error =
            Error{Errc::kDecode, where(),
                  looks_like_html(r.body)
                      ? "MISP answered with an HTML page, not JSON (a proxy or login page?)"
                      : "response is not valid JSON: " + perr};
        break;
      }
      const Value* response_field = json::find_member(body, "response");
      const Value* rows = response_field && attributes()
                              ? json::find_member(*response_field, "Attribute")
                              : response_field;
      if (!rows || !rows->is_array()) {
        stats.error = Error{Errc::kDecode, where(),
                            attributes() ? "response has no response.Attribute list"
                                         : "response has no response list"};
        break;
      }
      std::vector<RowKey> keys;
      keys.reserve(rows->a->size());
      for (const Value& row : *rows->a) {
        const Value* item = attributes() ? &row : json::find_member(row, "Event");
        auto ts = item ? as_int(json::find_member(*item, "timestamp")) : std::nullopt;
        auto id = item ? as_int(json::find_member(*item, "id")) : std::nullopt;
        if (!ts || !id) {
          stats.error =
              Error{Errc::kDecode, where(),
                    "row " + std::to_string(keys.size()) + " has no numeric timestamp and id"};
          break;
        }
        keys.push_back({*ts, *id});
      }
      if (stats.error.code != Errc::kOk) break;
      std::int64_t skipped = 0;
      if (auto h = r.header("x-skipped-elements-count"); !h.empty())
        std::from_chars(h.data(), h.data() + h.size(), skipped);
      if (skipped > 0) stats.skipped_rows += static_cast<std::size_t>(skipped);

      Verdict v = pager.on_page({keys, skipped, server_time});
      if (!v.error.empty()) {
        stats.error = Error{Errc::kDecode, where(), v.error};
        break;
      }
      for (const auto& d : v.deliver) {
        if (!deliver_row(rows->a->at(d.row), d.after, last, mapper, produce, stats)) {
          stopping = true;
          break;
        }
      }
      if (stopping) break;
      done = v.checkpoint;
      if (held.doc &&
          RowKey{held.cursor.timestamp, held.cursor.id} < RowKey{done.timestamp, done.id})
        held.cursor = done;
      req = v.next;
      if (!req) stats.completed = true;
    }
    stats.reread_passes = pager.passes();
    stats.backoffs = pager.backoffs();
    if (stopping) {
      stats.error = Error{Errc::kStopped, "", "stopping"};
      return stats;  // the held document was never delivered: the cursor stays before it
    }
    if (!emit_held()) {
      stats.completed = false;
      stats.error = Error{Errc::kStopped, "", "stopping"};
      return stats;
    }
    cursor = done;
    return stats;
  }

  std::string where() const {
    return config.url.redacted() + config.endpoint().substr(config.url.path.size());
  }

  // Splits and maps one row; each document carries the cursor before the row except the row's
  // last document, which carries `after`.
  template <typename Produce>
  bool deliver_row(const Value& row, const Cursor& after, const Cursor& before,
                   mapping::Mapper& mapper, Produce& produce, PollStats& stats) {
    std::vector<std::string> messages;
    if (attributes()) {
      messages.emplace_back();
      json::write_go(row, messages.back());
    } else {
      split_event(row, config.split, [&](std::string_view m) { messages.emplace_back(m); });
    }
    const Cursor prior = before;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      Delivery d;
      d.index = index;
      if (config.output == OutputMode::kRaw) {
        d.document = std::move(messages[i]);
        d.time_ms = runtime.now_ms();
      } else {
        mapping::Output out = mapper.map(messages[i]);
        if (out.kind == mapping::Output::Kind::kDropped) continue;
        d.document = std::move(out.document);
        d.id = std::move(out.id);
        d.time_ms = out.timestamp_ms;
        d.pipeline_error = out.pipeline_error();
        if (d.pipeline_error) {
          ++stats.pipeline_errors;
          log("Document became a pipeline_error. stream=" + index + " error=\"" + out.error +
              "\".");
        }
      }
      if (!produce(std::move(d), i + 1 == messages.size() ? after : prior)) return false;
    }
    return true;
  }
};

Poller::Poller(Config config, Runtime runtime, std::string cursor_token, DeliverFn deliver) {
  auto c = Cursor::decode(cursor_token);
  if (!c) throw std::invalid_argument("invalid cursor token");
  impl_ = std::make_unique<Impl>(std::move(config), std::move(runtime), *c, std::move(deliver));
}

Poller::~Poller() = default;

PollStats Poller::poll() {
  PollStats stats = impl_->poll();
  std::string line =
      "Poll finished. stream=" + impl_->index + " documents=" + std::to_string(stats.documents) +
      " pages=" + std::to_string(stats.pages) + " requests=" + std::to_string(stats.requests) +
      " pipeline_errors=" + std::to_string(stats.pipeline_errors) +
      " reread_passes=" + std::to_string(stats.reread_passes) +
      " backoffs=" + std::to_string(stats.backoffs) + " cursor=" + impl_->cursor.encode();
  if (!stats.completed) line += " error=\"" + stats.error.text() + "\"";
  impl_->log(line + ".");
  return stats;
}

void Poller::run() {
  while (true) {
    PollStats s = poll();
    if (!s.completed && s.error.code == Errc::kStopped) return;
    if (!impl_->http->sleep_ms(
            std::chrono::duration_cast<std::chrono::milliseconds>(impl_->config.interval).count()))
      return;
  }
}

void Poller::abort() {
  impl_->http->abort();
}

std::string Poller::cursor() const {
  return impl_->cursor.encode();
}
const Config& Poller::config() const {
  return impl_->config;
}

bool valid_cursor_token(std::string_view token) {
  return Cursor::decode(token).has_value();
}

}  // namespace misp::plugin
