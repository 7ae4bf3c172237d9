/* syslog-ng source driver misp(): loads libmisp_input.so through abi/misp_input.h and runs one
** stream of MISP threat intelligence as a threaded source. */
#ifndef MISP_SOURCE_H_INCLUDED
#define MISP_SOURCE_H_INCLUDED

#include "driver.h"

LogDriver* misp_sd_new(GlobalConfig* cfg);
void misp_sd_set_policy(LogDriver* s, const gchar* path);
void misp_sd_set_plugin(LogDriver* s, const gchar* path);
void misp_sd_set_dataset(LogDriver* s, const gchar* dataset);
void misp_sd_set_stream_id(LogDriver* s, const gchar* stream_id);

#endif
