// libFuzzer, differential: a whole restSearch body, split, and each document mapped two ways, as
// the poller does (Mapper::map_split on the tree) and as text (Mapper::map on write_go's text, the
// path before issue 12). Both data sets, both with event.original kept. Any difference in the
// document, _id, kind or error is a finding, except where json::go_roundtrip documents one
// (integers past 64 bits, which make the text path fail to parse: skipped).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "mapping/mapper.h"
#include "plugin/split.h"
#include "tests/fuzz/fuzz_mapping.h"

namespace {

using misp::json::Value;

void compare(misp::mapping::Mapper& mapper, const Value& doc) {
  std::string text;
  misp::json::write_go(doc, text);
  // The text path refuses numbers past 64 bits (go_roundtrip.h): not comparable.
  static misp::json::Parser probe;
  misp::json::Doc scratch;
  Value parsed;
  std::string error;
  if (!probe.parse(text, scratch, parsed, error)) return;
  misp::mapping::Output by_text = mapper.map(text);
  misp::mapping::Output by_tree = mapper.map_split(doc);
  if (by_text.document != by_tree.document || by_text.id != by_tree.id ||
      by_text.kind != by_tree.kind || by_text.error != by_tree.error) {
    std::fprintf(stderr, "map_split differs from map:\n text: %s %s %s\n tree: %s %s %s\n",
                 by_text.id.c_str(), by_text.error.c_str(), by_text.document.c_str(),
                 by_tree.id.c_str(), by_tree.error.c_str(), by_tree.document.c_str());
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static misp::json::Parser parser;
  static misp::mapping::Mapper threat(
      misp::fuzz::stream_options(misp::mapping::Dataset::kThreat, true));
  static misp::mapping::Mapper attributes(
      misp::fuzz::stream_options(misp::mapping::Dataset::kThreatAttributes, false));
  misp::json::Doc doc;
  Value body;
  std::string error;
  if (!parser.parse(std::string_view(reinterpret_cast<const char*>(data), size), doc, body, error))
    return 0;
  misp::plugin::split_events_response_docs(body, misp::plugin::SplitMode::kPerIndicator,
                                           [](const Value& d) { compare(threat, d); });
  misp::plugin::split_attributes_response_docs(body,
                                               [](const Value& d) { compare(attributes, d); });
  return 0;
}
