// The resume point of a stream: every row up to (timestamp, id) in MISP's (timestamp, id) order is
// delivered, and when the last refetch started. A whole second can be marked done (`id` =
// kWholeSecond): the pager does so when a window closes, so the next poll starts one second later
// instead of re-reading the window's last second. Encoded in well under the 96 bytes a shipper's
// bookmark holds: "v2:<timestamp>:<id|*>:<last_refetch>".
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace misp::plugin {

// A row's position in MISP's order (timestamp asc, id asc).
struct RowKey {
  std::int64_t timestamp = 0;
  std::int64_t id = 0;
  friend auto operator<=>(const RowKey&, const RowKey&) = default;
};

struct Cursor {
  static constexpr std::int64_t kWholeSecond = std::numeric_limits<std::int64_t>::max();

  std::int64_t timestamp = 0;     // Unix seconds of the last delivered row (0: none yet)
  std::int64_t id = -1;           // rows at `timestamp` with an id up to this are done
  std::int64_t last_refetch = 0;  // Unix seconds (this machine's clock) of the last refetch

  bool empty() const { return timestamp == 0 && id < 0; }
  bool covers(RowKey k) const { return RowKey{k.timestamp, k.id} <= RowKey{timestamp, id}; }
  bool covers(std::int64_t ts, std::int64_t row_id) const { return covers(RowKey{ts, row_id}); }
  // The first timestamp a poll still has to read.
  std::int64_t next_timestamp() const { return id == kWholeSecond ? timestamp + 1 : timestamp; }

  std::string encode() const;
  // "" is the empty cursor. A "v1:" token (the previous pager's, which could skip rows saved in
  // its last second) is read as "everything before its second is done": that second is read again
  // and its rows re-delivered with the same _id. Anything else is refused.
  static std::optional<Cursor> decode(std::string_view token);
};

}  // namespace misp::plugin
