// Maps one page's rows on a worker thread while the run() thread fetches the next page, so a poll
// costs about its download time instead of download plus mapping. Documents come back in order
// through a bounded queue, and everything the host sees (emit, wait) stays on the run() thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "plugin/cursor.h"
#include "plugin/holdback.h"

namespace misp::plugin {

// One document in delivery order. A row's last document carries the row's `after` cursor; the
// others the cursor before the row (Poller::deliver_row's rule).
struct MappedDoc {
  Delivery delivery;
  bool row_last = false;
  Cursor after;  // when row_last
};

struct RowToMap {
  std::string_view row;  // the row's JSON text (a slice of its page)
  Cursor after;
};

class PageMapper {
 public:
  // Splits and maps one row, handing each document to emit (on the worker; nothing of the host).
  using MapRow =
      std::function<void(std::string_view row, const std::function<void(Delivery)>& emit)>;

  // At most max_bytes of documents wait in the queue: the worker pauses beyond that.
  explicit PageMapper(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  ~PageMapper() { cancel(); }
  PageMapper(const PageMapper&) = delete;
  PageMapper& operator=(const PageMapper&) = delete;

  // Starts mapping rows (they and what they point to must outlive the worker: until next()
  // returned nullopt or cancel()).
  void start(std::vector<RowToMap> rows, MapRow map_row);
  // The next document in order, waiting for the worker; nullopt once the page is done.
  std::optional<MappedDoc> next();
  // Stops the worker early and waits for it; the rest of the page is dropped.
  void cancel();
  // For map_row: true once cancel() was called, so a large split can stop mapping.
  bool cancelled() const { return cancelled_flag_.load(std::memory_order_relaxed); }
  // Why the worker stopped short (an exception, e.g. out of memory); empty when it did not.
  // Read after next() returned nullopt.
  const std::string& failure() const { return failure_; }

 private:
  void work(const std::vector<RowToMap>& rows, const MapRow& map_row);
  void enqueue(MappedDoc doc);

  const std::size_t max_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<MappedDoc> queue_;
  std::size_t queued_bytes_ = 0;
  bool done_ = false, cancelled_ = false;
  std::atomic<bool> cancelled_flag_{false};
  std::string failure_;
  std::thread worker_;
};

}  // namespace misp::plugin
