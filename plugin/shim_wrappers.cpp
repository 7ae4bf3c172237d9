// The C half of the shim: the slot-labelled function table and the one exported symbol.
#include "plugin/shim.h"

#ifndef MISP_INPUT_VERSION
#error "MISP_INPUT_VERSION comes from CMake's project version"
#endif

namespace misp::plugin::shim {

const misp_input_plugin& table() {
  static const misp_input_plugin kTable = {
      /*.struct_size =*/sizeof(misp_input_plugin),
      /*.magic =*/MISP_INPUT_MAGIC,
      /*.abi_major =*/MISP_INPUT_ABI_MAJOR,
      /*.abi_minor =*/MISP_INPUT_ABI_MINOR,
      /*.name =*/"misp_input",
      /*.version =*/MISP_INPUT_VERSION,
      /*.validate_config =*/validate_config,
      /*.create =*/create,
      /*.run =*/run,
      /*.request_stop =*/request_stop,
      /*.committed =*/committed,
      /*.metrics =*/metrics,
      /*.destroy =*/destroy,
      // Added in ABI 1.1
      /*.dataset =*/dataset,
      /*.option =*/option,
      /*.map =*/map,
      /*.collect_metrics =*/collect_metrics,
      // Added in ABI 1.2
      /*.map_stream =*/map_stream,
  };
  return kTable;
}

}  // namespace misp::plugin::shim

extern "C" __attribute__((visibility("default"))) int32_t misp_input_entry(
    uint32_t major, uint32_t minor, const misp_input_plugin** out, char* err, size_t err_cap) {
  return misp::plugin::shim::entry(major, minor, out, err, err_cap);
}
