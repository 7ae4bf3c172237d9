// The offline mapping entry (map()): bytes of MISP JSON in, documents out through the host's
// emit(), under the same options and the same mapping-options builder as the poller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugin/config.h"
#include "plugin/host.h"
#include "plugin/input_shape.h"

namespace misp::plugin {

struct MapCounts {
  std::uint64_t documents = 0, pipeline_errors = 0, dropped = 0, input_errors = 0;
  bool stopped = false;  // the host's emit() refused a document
};

// Maps one source (input, named `source` in positions) and reports unreadable positions to the
// host. Documents carry the format, pipeline error text and position (misp_input_event 1.1).
MapCounts map_offline(const Config& config, const Host& host, std::string_view input,
                      const std::string& source);
// The same over an input pulled through reader in pieces (ABI map_stream).
MapCounts map_offline_stream(const Config& config, const Host& host, const Reader& reader,
                             const std::string& source);

}  // namespace misp::plugin
