// The engine of one stream: polls MISP, pages, splits, maps, and hands each document to the host
// with the cursor that means "resume after this document".
//
// Paging never loses rows while MISP changes underneath (misp-api.md sections 4-5): every poll
// pages inside a fixed window timestamp: [lower, poll_start], ordered by timestamp then id, and
// moves `lower` up to the last timestamp seen (keyset paging) instead of trusting offsets across
// a backfill; offsets are used only inside a run of equal timestamps longer than `limit`. Rows at
// or before the cursor (timestamp, id) are skipped, so nothing delivered is delivered again, and
// a failed poll leaves the cursor where it was.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "plugin/config.h"
#include "plugin/cursor.h"
#include "plugin/http_client.h"
#include "plugin/result.h"

namespace misp::plugin {

struct Delivery {
  std::string document;  // ECS JSON (output ecs) or httpjson's message (output raw)
  std::string id;        // _id
  std::string index;     // logs-<dataset>-<namespace>
  std::string cursor;    // resume after this document
  std::int64_t time_ms = 0;
  bool pipeline_error = false;
};

// Returns false when the host is stopping: the poll ends without moving further.
using DeliverFn = std::function<bool(const Delivery&)>;

struct PollStats {
  std::size_t documents = 0, pipeline_errors = 0, pages = 0, requests = 0, skipped_rows = 0;
  bool completed = false;
  Error error;  // when !completed
};

class Poller {
 public:
  Poller(Config config, Runtime runtime, std::string cursor_token, DeliverFn deliver);
  ~Poller();

  // One complete poll. Thread: the host's run thread.
  PollStats poll();
  // Polls at once, then every `interval`, until runtime.sleep_ms reports a stop.
  void run();
  // Any thread: abort an in-flight request.
  void abort();

  std::string cursor() const;  // after the last delivered document
  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Validates a cursor token for this stream ("" is the empty cursor).
bool valid_cursor_token(std::string_view token);

}  // namespace misp::plugin
