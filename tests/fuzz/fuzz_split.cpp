// libFuzzer: a whole restSearch response body, parsed as the pager parses it, through both splits
// (events, per indicator and Elastic's cross product; attributes). Every document a split emits
// is the `message` the mapper reads next, so it must be JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mapping/json/parse.h"
#include "plugin/split.h"

namespace {

using misp::json::Doc;
using misp::json::Parser;
using misp::json::Value;

void check_message(std::string_view message) {
  static Parser parser;
  static Doc doc;
  Value v;
  std::string error;
  doc.reset();
  if (!parser.parse(message, doc, v, error) || v.type != misp::json::Type::kObject)
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Parser parser;
  static Doc doc;
  Value body;
  std::string error;
  doc.reset();
  if (!parser.parse(std::string_view(reinterpret_cast<const char*>(data), size), doc, body, error))
    return 0;
  const misp::plugin::Emit emit = check_message;
  misp::plugin::split_events_response(body, misp::plugin::SplitMode::kPerIndicator, emit);
  // The cross product is quadratic by design (split.h): small bodies only, or every input of a
  // few thousand attributes would be a timeout that is the documented behaviour.
  if (size <= 4096)
    misp::plugin::split_events_response(body, misp::plugin::SplitMode::kElasticCrossProduct, emit);
  misp::plugin::split_attributes_response(body, emit);
  return 0;
}
