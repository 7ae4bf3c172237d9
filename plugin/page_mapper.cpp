#include "plugin/page_mapper.h"

namespace misp::plugin {

void PageMapper::start(std::vector<RowToMap> rows, MapRow map_row) {
  worker_ = std::thread([this, rows = std::move(rows), map_row = std::move(map_row)] {
    std::string failure;
    try {
      work(rows, map_row);
    } catch (const std::exception& e) {  // nothing may escape a thread; the poll fails instead
      failure = e.what();
    } catch (...) {
      failure = "unknown error";
    }
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::move(failure);
    done_ = true;
    changed_.notify_all();
  });
}

void PageMapper::work(const std::vector<RowToMap>& rows, const MapRow& map_row) {
  for (const RowToMap& r : rows) {
    // A row's last document is known only when the split ends: hold one back until then.
    std::optional<Delivery> last;
    map_row(r.row, [&](Delivery d) {
      if (last) enqueue(MappedDoc{std::move(*last), false, {}});
      last = std::move(d);
    });
    if (last) enqueue(MappedDoc{std::move(*last), true, r.after});
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
  }
}

void PageMapper::enqueue(MappedDoc doc) {
  std::unique_lock<std::mutex> lock(mu_);
  // An empty queue always takes one document, however large.
  changed_.wait(lock, [&] { return cancelled_ || queue_.empty() || queued_bytes_ < max_bytes_; });
  if (cancelled_) return;
  queued_bytes_ += doc.delivery.document.size();
  queue_.push_back(std::move(doc));
  changed_.notify_all();
}

std::optional<MappedDoc> PageMapper::next() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) {
    lock.unlock();
    if (worker_.joinable()) worker_.join();
    return std::nullopt;
  }
  MappedDoc doc = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= doc.delivery.document.size();
  changed_.notify_all();
  return doc;
}

void PageMapper::cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cancelled_flag_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    changed_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

}  // namespace misp::plugin
