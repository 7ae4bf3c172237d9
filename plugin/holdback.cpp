#include "plugin/holdback.h"

namespace misp::plugin {

bool Holdback::push(Delivery d, const Cursor& cursor) {
  if (!flush()) return false;
  held_ = std::move(d);
  held_cursor_ = cursor;
  return true;
}

void Holdback::prove(const Cursor& checkpoint) {
  if (held_ &&
      RowKey{held_cursor_.timestamp, held_cursor_.id} < RowKey{checkpoint.timestamp, checkpoint.id})
    held_cursor_ = checkpoint;
}

bool Holdback::flush() {
  if (!held_) return true;
  held_->cursor = held_cursor_.encode();
  const bool ok = deliver_(*held_);
  held_.reset();  // refused: the host is stopping and the cursor stays before it
  if (!ok) return false;
  ++documents_;
  delivered_ = held_cursor_;
  return true;
}

}  // namespace misp::plugin
