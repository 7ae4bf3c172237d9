// libFuzzer: a stream's cursor token (the host's bookmark, so anything a broken or edited persist
// file holds) through Cursor::decode. A token it accepts must encode to one that decodes to the
// same cursor and fits the 96 bytes a shipper's bookmark holds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugin/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using misp::plugin::Cursor;
  auto c = Cursor::decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!c) return 0;
  const std::string token = c->encode();
  auto again = Cursor::decode(token);
  if (!again || token.size() > 96 || again->timestamp != c->timestamp || again->id != c->id ||
      again->last_refetch != c->last_refetch)
    __builtin_trap();
  (void)c->next_timestamp();  // the pager asks every cursor it resumes from
  return 0;
}
