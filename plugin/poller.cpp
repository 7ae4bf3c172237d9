#include "plugin/poller.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "mapping/mapper.h"
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

  std::string request_body(std::int64_t lower, std::int64_t upper, int page) const {
    nlohmann::json body = filters;  // the user's filters, parsed once
    body["page"] = page;
    body["limit"] = config.limit;
    body["returnFormat"] = "json";
    body["timestamp"] = {lower, upper};
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

  PollStats poll() {
    PollStats stats;
    const std::int64_t now_ms = runtime.now_ms();
    const std::int64_t poll_start = now_ms / 1000;
    Cursor working = cursor;  // moves only as documents are delivered
    std::int64_t lower =
        working.empty() ? poll_start - config.initial_interval.count() : working.timestamp;
    if (config.refetch && (working.last_refetch == 0 ||
                           poll_start - working.last_refetch >= config.refetch_interval.count())) {
      // Start over to pick up decay changes that do not bump timestamps.
      lower = poll_start - config.initial_interval.count();
      working.timestamp = 0, working.id = -1;
      working.last_refetch = poll_start;
      log("Refetch starts. stream=" + index + " from=" + std::to_string(lower) + ".");
    }
    mapping::Mapper mapper(config.mapping_options(now_ms));
    const std::string path = config.endpoint();
    int page = 1;
    bool stopping = false;
    while (true) {
      auto response = http->post_json(path, request_body(lower, poll_start, page));
      ++stats.requests;
      if (!response) {
        stats.error = response.error();
        break;
      }
      ++stats.pages;
      const HttpResponse& r = response.value();
      json::Doc doc;
      Value body;
      std::string perr;
      if (!parser.parse(r.body, doc, body, perr)) {
        stats.error = Error{
            Errc::kDecode, config.url.redacted() + config.endpoint().substr(config.url.path.size()),
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
        stats.error = Error{Errc::kDecode, config.endpoint(),
                            attributes() ? "response has no response.Attribute list"
                                         : "response has no response list"};
        break;
      }
      std::int64_t skipped = 0;
      if (auto h = r.header("x-skipped-elements-count"); !h.empty())
        std::from_chars(h.data(), h.data() + h.size(), skipped);
      stats.skipped_rows += static_cast<std::size_t>(skipped);

      std::optional<std::pair<std::int64_t, std::int64_t>> last_key;
      for (const Value& row : *rows->a) {
        const Value* item = attributes() ? &row : json::find_member(row, "Event");
        auto ts = item ? as_int(json::find_member(*item, "timestamp")) : std::nullopt;
        auto id = item ? as_int(json::find_member(*item, "id")) : std::nullopt;
        if (!ts || !id) {
          stats.error =
              Error{Errc::kDecode, config.endpoint(), "a row without a numeric timestamp and id"};
          return finish(stats, working);
        }
        last_key = {*ts, *id};
        if (working.covers(*ts, *id)) continue;  // delivered by an earlier page or poll
        Cursor after = working;
        after.timestamp = *ts, after.id = *id;
        if (!deliver_row(row, mapper, working, after, stats)) {
          stopping = true;
          break;
        }
        working = after;
      }
      if (stopping) {
        stats.error = Error{Errc::kStopped, "", "stopping"};
        break;
      }
      std::int64_t n = static_cast<std::int64_t>(rows->a->size());
      bool last_page = attributes() ? n + skipped < config.limit : n < config.limit;
      if (last_page || n == 0) {
        stats.completed = true;
        break;
      }
      if (last_key && last_key->first > lower) {
        lower = last_key->first;  // keyset: restart at the newest timestamp seen
        page = 1;
      } else {
        ++page;  // a run of equal timestamps longer than limit
      }
    }
    return finish(stats, working);
  }

  PollStats finish(PollStats& stats, const Cursor& working) {
    cursor = working;
    return stats;
  }

  // Splits and maps one row; each document carries the cursor before the row except the row's
  // last document, which carries the cursor after it.
  bool deliver_row(const Value& row, mapping::Mapper& mapper, const Cursor& before,
                   const Cursor& after, PollStats& stats) {
    std::vector<std::string> messages;
    if (attributes()) {
      messages.emplace_back();
      json::write_go(row, messages.back());
    } else {
      split_event(row, config.split, [&](std::string_view m) { messages.emplace_back(m); });
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
      Delivery d;
      d.index = index;
      d.cursor = (i + 1 == messages.size() ? after : before).encode();
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
      if (!deliver(d)) return false;
      ++stats.documents;
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
      " cursor=" + impl_->cursor.encode();
  if (!stats.completed) line += " error=\"" + stats.error.text() + "\"";
  impl_->log(line + ".");
  return stats;
}

void Poller::run() {
  while (true) {
    PollStats s = poll();
    if (!s.completed && s.error.code == Errc::kStopped) return;
    if (!impl_->runtime.sleep_ms(
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
