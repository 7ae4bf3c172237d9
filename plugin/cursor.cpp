#include "plugin/cursor.h"

#include <charconv>

namespace misp::plugin {

std::string Cursor::encode() const {
  return "v1:" + std::to_string(timestamp) + ":" + std::to_string(id) + ":" +
         std::to_string(last_refetch);
}

std::optional<Cursor> Cursor::decode(std::string_view token) {
  Cursor c;
  if (token.empty()) return c;
  if (!token.starts_with("v1:")) return std::nullopt;
  token.remove_prefix(3);
  std::int64_t* fields[] = {&c.timestamp, &c.id, &c.last_refetch};
  for (int i = 0; i < 3; ++i) {
    auto colon = token.find(':');
    std::string_view part = token.substr(0, colon);
    auto r = std::from_chars(part.data(), part.data() + part.size(), *fields[i]);
    if (r.ec != std::errc() || r.ptr != part.data() + part.size() || part.empty())
      return std::nullopt;
    if (i < 2 && colon == std::string_view::npos) return std::nullopt;
    token = colon == std::string_view::npos ? std::string_view{} : token.substr(colon + 1);
  }
  if (!token.empty()) return std::nullopt;
  return c;
}

}  // namespace misp::plugin
