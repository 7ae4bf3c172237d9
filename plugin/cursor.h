// The resume point of a stream: the last delivered MISP timestamp, the id of the last row
// delivered at it, and when the last refetch started. Encoded in well under the 96 bytes a
// shipper's bookmark holds: "v1:<timestamp>:<id>:<last_refetch>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace misp::plugin {

struct Cursor {
  std::int64_t timestamp = 0;     // Unix seconds of the last delivered row (0: none yet)
  std::int64_t id = -1;           // its id; rows at `timestamp` with an id up to this are done
  std::int64_t last_refetch = 0;  // Unix seconds when the last refetch began (0: never)

  bool empty() const { return timestamp == 0 && id < 0; }
  // Rows are delivered in (timestamp, id) order; a row at or before the cursor is done.
  bool covers(std::int64_t ts, std::int64_t row_id) const {
    return ts < timestamp || (ts == timestamp && row_id <= id);
  }
  std::string encode() const;
  static std::optional<Cursor> decode(std::string_view token);  // "" -> empty cursor
};

}  // namespace misp::plugin
