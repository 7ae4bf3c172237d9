#include "plugin/poller.h"

#include <algorithm>
#include <optional>

#include "mapping/json/write.h"
#include "mapping/mapper.h"
#include "plugin/page_mapper.h"
#include "plugin/pager.h"
#include "plugin/request_builder.h"
#include "plugin/response_decoder.h"
#include "plugin/split.h"
#include "plugin/split_text.h"

namespace misp::plugin {

using json::Value;

struct Poller::Impl {
  Config config;
  Runtime runtime;
  DeliverFn deliver;
  Cursor cursor;  // after the last delivered document
  std::unique_ptr<Tracer> tracer;
  std::unique_ptr<HttpClient> http;
  RequestBuilder requests;
  ResponseDecoder decoder;
  std::string index;
  std::int64_t skew = 0;  // MISP's clock minus ours, seconds, as last measured
  bool warned_skew = false, warned_no_date = false;

  static constexpr std::int64_t kSkewWarning = 5;  // seconds
  static constexpr int kMaxPasses = 10;
  static constexpr std::int64_t kFirstRequestReach = 86400;  // seconds
  // Mapped documents that may wait while the next page downloads.
  static constexpr std::size_t kMaxQueuedBytes = 16u << 20;

  Impl(Config c, Runtime r, Cursor cur, DeliverFn d)
      : config(std::move(c)),
        runtime(std::move(r)),
        deliver(std::move(d)),
        cursor(cur),
        requests(config),
        decoder(attributes(), where()) {
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

  void log(const std::string& line) const { runtime.log(line); }
  void log(LogLevel level, const std::string& line) const { runtime.log(level, line); }

  // MISP's clock against ours: the window follows MISP's; a large gap is worth one warning.
  void observe_clock(std::optional<std::int64_t> server_time, std::int64_t local_ms) {
    if (!server_time) {
      if (!warned_no_date)
        log(LogLevel::kWarn,
            "MISP's responses carry no usable Date header: each window ends settle_delay before "
            "this machine's clock instead of MISP's. stream=" +
                index + ".");
      warned_no_date = true;
      return;
    }
    skew = *server_time - local_ms / 1000;
    if ((skew > kSkewWarning || skew < -kSkewWarning) && !warned_skew) {
      warned_skew = true;
      log(LogLevel::kWarn,
          "MISP's clock is " + std::to_string(skew < 0 ? -skew : skew) + " s " +
              (skew < 0 ? "behind" : "ahead of") +
              " this machine's; windows follow MISP's clock (its Date header). stream=" + index +
              ".");
    }
  }

  // Where this poll starts: after the cursor, or initial_interval back on a first poll and on a
  // refetch (which picks up decay changes that do not bump timestamps and rows synced with old
  // timestamps: docs/paging.md).
  std::pair<Cursor, std::int64_t> start_point(std::int64_t local_now) {
    Cursor start = cursor;
    const bool refetch_due =
        config.refetch && (start.last_refetch == 0 ||
                           local_now - start.last_refetch >= config.refetch_interval.count());
    if (!start.empty() && !refetch_due) return {start, start.next_timestamp()};
    if (!start.empty()) log("Refetch starts. stream=" + index + ".");
    start = Cursor{};
    start.last_refetch = config.refetch ? local_now : 0;
    return {start, local_now + skew - config.initial_interval.count()};
  }

  PollStats poll() {
    PollStats stats;
    const std::int64_t now_ms = runtime.now_ms(), local_now = now_ms / 1000;
    const auto [start, from] = start_point(local_now);
    const std::int64_t settle = config.settle_delay.count();
    // The first request reaches a day past our clock; MISP's Date then closes the window at its
    // own clock minus settle_delay, wherever that lies. Only rows of MISP's last settle_delay
    // seconds can lie between, so the reach costs nothing and a MISP ahead of us is not lagged.
    Pager pager({config.limit, attributes(), kMaxPasses},
                {from, local_now + skew + kFirstRequestReach, settle, local_now + skew - settle},
                start);
    mapping::Mapper mapper(config.mapping_options(now_ms));
    RowReader rows_read;  // the page worker's, one page at a time
    Holdback out(deliver, start);
    Cursor proven = start;  // valid once everything produced so far is delivered
    bool stopping = false;
    auto req = pager.first();
    std::optional<Result<HttpResponse>> response;
    if (req) response = fetch(*req, stats);
    while (req && !stopping) {
      auto page = take_page(*response, pager, stats);
      if (!page) break;
      // Page n is mapped on a worker while page n+1 downloads; its documents then go out here,
      // on the run() thread, in the same order and with the same cursors as without the overlap.
      PageMapper mapped(kMaxQueuedBytes);
      const std::int64_t page_now_ms = runtime.now_ms();  // the host's clock, on its thread
      std::vector<RowToMap> rows;
      for (const auto& d : page->verdict.deliver) rows.push_back({page->rows.rows[d.row], d.after});
      mapped.start(std::move(rows),
                   [&](std::string_view row, const std::function<void(Delivery)>& emit) {
                     rows_read.current = [&](const Value& doc) {
                       if (mapped.cancelled()) return;
                       if (auto d = to_delivery(doc, mapper, stats, page_now_ms))
                         emit(std::move(*d));
                     };
                     map_row({row, page->rows.readable_after(row)}, rows_read);
                   });
      std::optional<Result<HttpResponse>> next;
      if (page->verdict.next) next = fetch(*page->verdict.next, stats);
      if (!deliver_page(mapped, out)) {
        stopping = true;
        break;
      }
      if (!mapped.failure().empty()) {
        stats.error = Error{Errc::kInternal, where(), "mapping stopped: " + mapped.failure()};
        break;
      }
      proven = page->verdict.checkpoint;
      out.prove(proven);
      req = page->verdict.next;
      response = std::move(next);
    }
    stats.completed = !req && stats.error.code == Errc::kOk && !stopping;
    stats.reread_passes = pager.passes();
    stats.backoffs = pager.backoffs();
    // A failed poll still delivers what it produced: the pager proved it.
    if (stopping || !out.flush())
      stats.completed = false, stats.error = Error{Errc::kStopped, "", "stopping"};
    stats.documents = out.documents();
    cursor = stopping || stats.error.code == Errc::kStopped ? out.delivered() : proven;
    return stats;
  }

  Result<HttpResponse> fetch(const PageRequest& req, PollStats& stats) {
    ++stats.requests;
    return http->post_json(config.endpoint(), requests.body(req));
  }

  struct TakenPage {
    DecodedPage rows;
    Verdict verdict;
  };

  // One answer decoded and judged by the pager; nullopt when the poll ends here (error in stats).
  std::optional<TakenPage> take_page(Result<HttpResponse>& response, Pager& pager,
                                     PollStats& stats) {
    if (!response) return stats.error = response.error(), std::nullopt;
    ++stats.pages;
    auto page = decoder.decode(std::move(response.value()));
    if (!page) return stats.error = page.error(), std::nullopt;
    if (runtime.on_page) runtime.on_page();
    observe_clock(page->server_time, runtime.now_ms());
    stats.skipped_rows += static_cast<std::size_t>(std::min<std::int64_t>(page->skipped, 1 << 30));
    Verdict v = pager.on_page({page->keys, page->skipped, page->server_time});
    if (!v.error.empty()) return stats.error = Error{Errc::kDecode, where(), v.error}, std::nullopt;
    if (v.edited_during_read)
      log("Rows edited while MISP read the page were set aside; a later window reads their new "
          "version. stream=" +
          index + " rows=" + std::to_string(v.edited_during_read) + ".");
    return TakenPage{std::move(page.value()), std::move(v)};
  }

  // The page's documents to the host as the worker maps them: each row's documents carry the
  // cursor before the row, its last one the row's `after`. False when the host refused one.
  static bool deliver_page(PageMapper& mapped, Holdback& out) {
    bool row_started = false;
    Cursor before;
    while (auto m = mapped.next()) {
      if (!row_started) before = out.produced(), row_started = true;  // nothing of the row yet
      if (!out.push(std::move(m->delivery), m->row_last ? m->after : before)) {
        mapped.cancel();
        return false;
      }
      if (m->row_last) row_started = false;
    }
    return true;
  }

  std::string where() const {
    return config.url.redacted() + config.endpoint().substr(config.url.path.size());
  }

  // A page's rows are slices of its text, parsed on the worker as they are mapped. Each split
  // document goes to `current`, which the worker points at the page being mapped.
  struct RowReader {
    RowReader() : events([this](const Value& doc) { current(doc); }, [] { return false; }) {}
    RowReader(const RowReader&) = delete;
    RowReader& operator=(const RowReader&) = delete;
    std::function<void(const Value&)> current;
    json::Parser parser;
    json::Doc doc;
    EventRowSplitter events;  // per indicator: an event split from its text, one document at a time
  };

  // One row's documents to r.current. Throws when a slice of the (validated) page cannot be read
  // after all: the page worker fails the poll with the reason.
  void map_row(TextToSplit row, RowReader& r) {
    if (!attributes() && config.split == SplitMode::kPerIndicator) {
      if (!r.events.split(row)) throw std::runtime_error(r.events.failure());
      return;
    }
    r.doc.reset();
    Value tree;
    std::string error;
    if (!r.parser.parse(row.text, r.doc, tree, error))
      throw std::runtime_error("could not read a row of a checked page: " + error);
    if (attributes())
      r.current(tree);
    else
      split_event_docs(tree, config.split, r.current);
  }

  // One split document as delivered: mapped (or its text in raw mode); nullopt when dropped.
  // Runs on the page's worker: no host call but log(), which any thread may make.
  std::optional<Delivery> to_delivery(const Value& doc, mapping::Mapper& mapper, PollStats& stats,
                                      std::int64_t page_now_ms) {
    Delivery d;
    d.index = index;
    if (config.output == OutputMode::kRaw) {
      json::write_go(doc, d.document);
      d.time_ms = page_now_ms;  // raw output: the shipper's clock
      return d;
    }
    mapping::Output out = mapper.map_split(doc);
    if (out.kind == mapping::Output::Kind::kDropped) return std::nullopt;
    d.document = std::move(out.document);
    d.id = std::move(out.id);
    d.time_ms = out.timestamp_ms;
    d.pipeline_error = out.pipeline_error();
    if (d.pipeline_error) {
      ++stats.pipeline_errors;
      log("Document became a pipeline_error. stream=" + index + " error=\"" + out.error + "\".");
    }
    return d;
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

void Poller::abort() {
  impl_->http->abort();
}

std::string Poller::cursor() const {
  return impl_->cursor.encode();
}
const Config& Poller::config() const {
  return impl_->config;
}

}  // namespace misp::plugin
