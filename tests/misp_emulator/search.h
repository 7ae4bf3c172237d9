// The two restSearch queries over the tables: filters, order, paging and the JSON MISP writes,
// with the counting headers' values.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/misp_emulator/emulator.h"
#include "tests/misp_emulator/store.h"

namespace misp::emulator {

struct Page {
  std::string body;               // exactly as JsonExport streams it, newline included
  std::int64_t result_count = 0;  // X-Result-Count
  int skipped = 0;                // X-Skipped-Elements-Count
};

// Throws std::exception on a filter MISP answers with 500 (a timestamp list of length != 2).
Page search_attributes(const Store& store, const nlohmann::json& body, const Options& options);
Page search_events(const Store& store, const nlohmann::json& body);

}  // namespace misp::emulator
