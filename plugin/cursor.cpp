#include "plugin/cursor.h"

#include <charconv>

namespace misp::plugin {

namespace {

// 9999-12-31T23:59:59Z. A later second is no clock's (the pager's cursors follow MISP's Date), and
// refusing it keeps next_timestamp() and the poller's window arithmetic from overflowing.
constexpr std::int64_t kLastSecond = 253'402'300'799;

bool parse_int(std::string_view s, std::int64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string Cursor::encode() const {
  return "v2:" + std::to_string(timestamp) + ":" +
         (id == kWholeSecond ? std::string("*") : std::to_string(id)) + ":" +
         std::to_string(last_refetch);
}

std::optional<Cursor> Cursor::decode(std::string_view token) {
  Cursor c;
  if (token.empty()) return c;
  const bool v1 = token.starts_with("v1:");
  if (!v1 && !token.starts_with("v2:")) return std::nullopt;
  token.remove_prefix(3);
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    auto colon = token.find(':');
    if ((i < 2) == (colon == std::string_view::npos)) return std::nullopt;
    parts[i] = token.substr(0, colon);
    token = i < 2 ? token.substr(colon + 1) : std::string_view{};
  }
  if (!parse_int(parts[0], c.timestamp) || !parse_int(parts[2], c.last_refetch))
    return std::nullopt;
  if (!v1 && parts[1] == "*") {
    c.id = kWholeSecond;
  } else if (!parse_int(parts[1], c.id)) {
    return std::nullopt;
  }
  if (c.timestamp < 0 || c.id < -1 || c.last_refetch < 0) return std::nullopt;
  if (c.timestamp > kLastSecond || c.last_refetch > kLastSecond) return std::nullopt;
  if (v1) c.id = -1;  // re-read the v1 cursor's second (see the header)
  return c;
}

}  // namespace misp::plugin
