// libFuzzer: a stream's variables, YAML or JSON, through parse_config, the parse the C ABI's
// validate_config, create and map entries run (plugin/shim.cpp load()), for both data sets and
// both uses. Every problem is an Error naming the key (config.h): an exception is a finding.
// ${env.NAME} is looked up in a fixed table, not the environment, so a finding replays.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plugin/config.h"

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "MISP_URL") return std::string("https://misp.test");
  if (name == "MISP_API_KEY") return std::string("0123456789abcdef");
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using misp::mapping::Dataset;
  using misp::plugin::Use;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const misp::plugin::VariableLookup vars = lookup;
  for (Dataset d : {Dataset::kThreat, Dataset::kThreatAttributes})
    for (Use use : {Use::kPoll, Use::kMap}) {
      auto c = misp::plugin::parse_config(text, d, vars, use);
      if (!c) continue;
      // What the poller and the offline entry build from an accepted Config.
      (void)c->mapping_options(1'700'000'000'000);
      (void)c->endpoint();
    }
  return 0;
}
