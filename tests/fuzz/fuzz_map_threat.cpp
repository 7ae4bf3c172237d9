// libFuzzer: one split MISP document of the ti_misp.threat data stream through the mapper.
#include "tests/fuzz/fuzz_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  misp::fuzz::map_both(misp::mapping::Dataset::kThreat, data, size);
  return 0;
}
