#ifndef MISP_SOURCE_PARSER_H_INCLUDED
#define MISP_SOURCE_PARSER_H_INCLUDED

#include "cfg-parser.h"
#include "driver.h"

extern CfgParser misp_source_parser;

CFG_PARSER_DECLARE_LEXER_BINDING(misp_source_, MISP_SOURCE_, LogDriver**)

#endif
