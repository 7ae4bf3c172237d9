/* A plugin as one built against ABI 1.0 looks (compiled with tests/abi/frozen/1.0): its table ends
** at destroy. Hosts must check struct_size before any 1.1 slot (option, map, collect_metrics) and
** say what is missing instead of calling past the table. validate_config accepts everything;
** create refuses, so nothing runs. */
#include "abi/misp_input.h"

static int32_t validate(const char* dataset, const char* config, size_t len, char* err, size_t cap) {
  (void)dataset, (void)config, (void)len, (void)err, (void)cap;
  return MISP_INPUT_OK;
}

static int32_t create(const misp_input_host* host, const char* dataset, const char* config, size_t len,
                      const char* cursor, size_t cursor_len, misp_input_instance** out, char* err, size_t cap) {
  (void)host, (void)dataset, (void)config, (void)len, (void)cursor, (void)cursor_len, (void)cap;
  *out = 0;
  if (err && cap > 4) err[0] = 's', err[1] = 't', err[2] = 'u', err[3] = 'b', err[4] = '\0';
  return MISP_INPUT_ERR_CONFIG;
}

static int32_t run(misp_input_instance* inst, int32_t once) {
  (void)inst, (void)once;
  return MISP_INPUT_ERR_ARGUMENT;
}

static void nothing(misp_input_instance* inst) {
  (void)inst;
}

static const misp_input_plugin kTable = {sizeof(misp_input_plugin), MISP_INPUT_MAGIC, 1, 0, "misp_input", "0.0.1",
                                         validate, create, run, nothing, 0, 0, nothing};

int32_t misp_input_entry(uint32_t major, uint32_t minor, const misp_input_plugin** out, char* err, size_t err_cap) {
  (void)minor, (void)err, (void)err_cap;
  if (major != 1) return MISP_INPUT_ERR_VERSION;
  *out = &kTable;
  return MISP_INPUT_OK;
}
