// libFuzzer, differential: a body split from its text (split_text.h) against the same body
// parsed and split as a tree, for both data streams. Every message, position and error must be
// the same, in the same order; anything else traps.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "plugin/input_shape.h"

namespace {

using misp::mapping::Dataset;
using misp::plugin::Error;
using misp::plugin::Message;

std::vector<std::string> read_all(const std::string& text, Dataset dataset, std::size_t from) {
  std::vector<std::string> out;
  std::string buf;
  misp::plugin::read_input(
      text, "in", dataset, misp::plugin::SplitMode::kPerIndicator,
      [&](const Message& m, const std::string& where) {
        out.push_back(where + " " + std::string(misp::plugin::text_of(m, buf)));
        return true;
      },
      [&](const Error& e) { out.push_back("error " + e.text()); }, {from, 0});
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (Dataset d : {Dataset::kThreat, Dataset::kThreatAttributes})
    if (read_all(text, d, 0) != read_all(text, d, std::numeric_limits<std::size_t>::max()))
      __builtin_trap();
  return 0;
}
