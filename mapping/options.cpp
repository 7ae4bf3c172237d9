#include "mapping/options.h"

namespace misp::mapping {

const char* dataset_name(Dataset d) {
  return d == Dataset::kThreat ? "ti_misp.threat" : "ti_misp.threat_attributes";
}

std::vector<std::string> compose_tags(bool preserve_original_event,
                                      const std::vector<std::string>& configured) {
  std::vector<std::string> out;
  if (preserve_original_event) out.emplace_back("preserve_original_event");
  out.insert(out.end(), configured.begin(), configured.end());
  return out;
}

std::vector<std::string> default_tags(Dataset d) {
  return {"forwarded", d == Dataset::kThreat ? "misp-threat" : "misp-threat_attributes"};
}

}  // namespace misp::mapping
