// libFuzzer: one split MISP document of the ti_misp.threat_attributes data stream through the
// mapper.
#include "tests/fuzz/fuzz_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  misp::fuzz::map_both(misp::mapping::Dataset::kThreatAttributes, data, size);
  return 0;
}
