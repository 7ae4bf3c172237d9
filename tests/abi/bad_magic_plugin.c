/* A library that exports misp_input_entry but hands back a table with the wrong magic number:
** hosts must refuse it with a message. */
#include "abi/misp_input.h"

static const misp_input_plugin kTable = {sizeof(misp_input_plugin), 0xDEADBEEFu, MISP_INPUT_ABI_MAJOR,
                                         MISP_INPUT_ABI_MINOR, "impostor", "0", 0, 0, 0, 0, 0, 0, 0};

int32_t misp_input_entry(uint32_t major, uint32_t minor, const misp_input_plugin** out, char* err,
                         size_t err_cap) {
  (void)major;
  (void)minor;
  (void)err;
  (void)err_cap;
  *out = &kTable;
  return MISP_INPUT_OK;
}
