// What the indicator-type table (section 4 of ../shared/reference/ti_misp-pipelines.md) says one
// MISP attribute becomes, derived rule by rule from the reference's text, independently of
// mapping/indicator.cpp. Used by the all-types conformance test (issue 13).
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "mapping/options.h"

namespace misp::test {

struct Section4Expected {
  nlohmann::json indicator = nlohmann::json::object();  // threat.indicator, but for provider and
                                                        // scanner_stats (not from the attribute)
  bool keeps_value = true;                              // misp.attribute.value stays
};

// Elastic's pipelines: what strict_elastic_parity must produce.
Section4Expected elastic_expected(const std::string& type, const std::string& value,
                                  mapping::Dataset dataset);

// Our default: Elastic's result changed only by the divergences docs/divergences.md lists for
// indicator types (2: IPv6 typed ipv6-addr; 4: threat parses `uri`; 7: a value Elastic types but
// maps nowhere stays in misp.attribute.value).
Section4Expected default_expected(const std::string& type, const std::string& value,
                                  mapping::Dataset dataset);

// The table's first row: the types whose value is renamed to threat.indicator.file.hash.<type>.
const std::set<std::string>& section4_hash_types();

// The two sides of a composite value as the pipelines' lazy %{DATA} splits it: at the first '|'.
inline std::string before_bar(const std::string& v) {
  return v.substr(0, v.find('|'));
}
inline std::string after_bar(const std::string& v) {
  auto bar = v.find('|');
  return bar == std::string::npos ? std::string() : v.substr(bar + 1);
}

}  // namespace misp::test
