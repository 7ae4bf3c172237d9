#include "misp-source-parser.h"

#include "driver.h"
#include "misp-source-grammar.h"

extern int misp_source_debug;

int misp_source_parse(CfgLexer *lexer, LogDriver **instance, gpointer arg);

static CfgLexerKeyword misp_source_keywords[] = {
  {"misp", KW_MISP},
  {"policy", KW_POLICY},
  {"plugin", KW_PLUGIN},
  {"dataset", KW_DATASET},
  {"stream_id", KW_STREAM_ID},
  {NULL},
};

CfgParser misp_source_parser = {
#if SYSLOG_NG_ENABLE_DEBUG
  .debug_flag = &misp_source_debug,
#endif
  .name = "misp_source",
  .keywords = misp_source_keywords,
  .parse = (gint (*)(CfgLexer *, gpointer *, gpointer)) misp_source_parse,
  .cleanup = (void (*)(gpointer)) log_pipe_unref,
};

CFG_PARSER_IMPLEMENT_LEXER_BINDING(misp_source_, MISP_SOURCE_, LogDriver **)
