// MISP attribute type -> threat.indicator.* (section 4 of the pipelines reference), shared by both
// data streams. Reads misp.attribute.type / misp.attribute.value from ctx and writes the
// indicator fields; the caller removes misp.attribute.value afterwards when a type was set.
#pragma once

#include "mapping/es/grok.h"
#include "mapping/options.h"
#include "mapping/pipeline.h"

namespace misp::mapping {

class IndicatorClassifier {
 public:
  IndicatorClassifier();
  // Runs the classification processors in the pipeline's order. Throws ProcessorFailure as the
  // pipeline would (grok mismatch, long conversion).
  void classify(Ctx& ctx, Dataset dataset, bool strict_elastic_parity) const;

 private:
  es::Grok filename_type_;   // %{WORD}\|%{WORD:_tmp.hashtype}
  es::Grok filename_value_;  // %{DATA:threat.indicator.file.name}\|%{GREEDYDATA:_tmp.hashvalue}
  es::Grok regkey_value_;    // %{DATA:threat.indicator.registry.key}\|%{DATA:...registry.value}
  es::Grok domain_ip_;       // %{DATA:threat.indicator.url.domain}\|%{IP:threat.indicator.ip}
  es::Grok ip_port_;         // %{IP:threat.indicator.ip}\|%{NUMBER:threat.indicator.port}
};

// True for the MISP types whose value is a file hash (threat.indicator.file.hash.<type>).
bool is_hash_type(std::string_view type);

}  // namespace misp::mapping
