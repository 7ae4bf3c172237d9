// libFuzzer: one HTTP answer of MISP through the pager's ResponseDecoder, for both endpoints. The
// input is headers, a blank line, then the body ("name: value" lines; without a blank line the
// whole input is the body), so the Date and X-Skipped-Elements-Count headers are fuzzed too.
// decode() returns an Error for anything that is not MISP's JSON; it must never throw, and the rows
// it finds are object texts within the body.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugin/response_decoder.h"

namespace {

misp::plugin::HttpResponse response_of(std::string_view in) {
  misp::plugin::HttpResponse r;
  r.status = 200;
  auto end = in.find("\n\n");
  if (end == std::string_view::npos) {
    r.body = std::string(in);
    return r;
  }
  std::string_view head = in.substr(0, end);
  r.body = std::string(in.substr(end + 2));
  while (!head.empty()) {
    auto eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers[name] = std::string(value);
  }
  return r;
}

void check(misp::plugin::ResponseDecoder& decoder, misp::plugin::HttpResponse r) {
  auto page = decoder.decode(std::move(r));
  if (!page) return;
  if (page->rows.size() != page->keys.size() || page->skipped < 0) __builtin_trap();
  for (std::string_view row : page->rows)  // each row an object's text within the body
    if (row.size() < 2 || row.front() != '{' || row.data() < page->body->data() ||
        row.data() + row.size() > page->body->data() + page->body->size())
      __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static misp::plugin::ResponseDecoder events(false, "https://misp.test/events/restSearch");
  static misp::plugin::ResponseDecoder attributes(true, "https://misp.test/attributes/restSearch");
  const auto r = response_of(std::string_view(reinterpret_cast<const char*>(data), size));
  check(events, r);
  check(attributes, r);
  return 0;
}
