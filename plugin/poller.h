// The engine of one stream: polls MISP, pages, splits, maps, and hands each document to the host
// with the cursor that means "resume after this document".
//
// A poll is a short loop: ask the pager for a request, send it, decode the rows, let the pager
// say which rows to deliver and what comes next (plugin/pager.h has the paging rules and why they
// lose nothing while MISP changes). The last document produced is held back until the next one
// exists or the poll ends, so that it can carry the newest cursor the pager has proven: a poll
// that ends inside a long run of equal timestamps still leaves a cursor that re-reads nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "plugin/config.h"
#include "plugin/cursor.h"
#include "plugin/holdback.h"
#include "plugin/http_client.h"
#include "plugin/result.h"

namespace misp::plugin {

struct PollStats {
  std::size_t documents = 0, pipeline_errors = 0, pages = 0, requests = 0, skipped_rows = 0;
  int reread_passes = 0, backoffs = 0;  // extra requests the pager spent proving offset pages
  bool completed = false;
  Error error;  // when !completed
};

class Poller {
 public:
  Poller(Config config, Runtime runtime, std::string cursor_token, DeliverFn deliver);
  ~Poller();

  // One complete poll. Thread: the host's run thread.
  PollStats poll();
  // Any thread: abort an in-flight request.
  void abort();

  std::string cursor() const;  // after the last delivered document
  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::plugin
