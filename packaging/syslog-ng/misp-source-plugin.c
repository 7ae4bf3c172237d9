/* The syslog-ng module "misp": registers the misp() source. */
#include "cfg-parser.h"
#include "plugin-types.h"
#include "plugin.h"

extern CfgParser misp_source_parser;

static Plugin misp_plugins[] = {
  {
    .type = LL_CONTEXT_SOURCE,
    .name = "misp",
    .parser = &misp_source_parser,
  },
};

gboolean
misp_module_init(PluginContext *context, CfgArgs *args)
{
  (void) args;
  plugin_register(context, misp_plugins, G_N_ELEMENTS(misp_plugins));
  return TRUE;
}

const ModuleInfo module_info = {
  .canonical_name = "misp",
  .version = SYSLOG_NG_VERSION,
  .description = "MISP threat intelligence as a source (loads libmisp_input.so)",
  .core_revision = SYSLOG_NG_SOURCE_REVISION,
  .plugins = misp_plugins,
  .plugins_len = G_N_ELEMENTS(misp_plugins),
};
