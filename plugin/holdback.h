// Delivery with a one-document delay. The last document produced waits until the next exists or
// the poll ends, so that it can carry the newest cursor the pager has proven by then: a poll that
// ends inside a long run, or with a closed window, still leaves a cursor that re-reads nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "plugin/cursor.h"

namespace misp::plugin {

struct Delivery {
  std::string document;  // ECS JSON (output ecs) or httpjson's message (output raw)
  std::string id;        // _id
  std::string index;     // logs-<dataset>-<namespace>
  std::string cursor;    // resume after this document
  std::int64_t time_ms = 0;
  bool pipeline_error = false;
};

// Returns false when the host is stopping.
using DeliverFn = std::function<bool(const Delivery&)>;

class Holdback {
 public:
  Holdback(DeliverFn& deliver, Cursor delivered) : deliver_(deliver), delivered_(delivered) {}

  // Delivers the document held so far and holds this one, which may carry `cursor`.
  bool push(Delivery d, const Cursor& cursor);
  // Everything produced so far is proven up to `checkpoint`: the held document may carry it.
  void prove(const Cursor& checkpoint);
  // Delivers the held document. False when the host refused it.
  bool flush();

  const Cursor& delivered() const { return delivered_; }  // after the last delivered document
  // After the last document produced (delivered or held).
  const Cursor& produced() const { return held_ ? held_cursor_ : delivered_; }
  std::size_t documents() const { return documents_; }

 private:
  DeliverFn& deliver_;
  std::optional<Delivery> held_;
  Cursor held_cursor_;
  Cursor delivered_;
  std::size_t documents_ = 0;
};

}  // namespace misp::plugin
