/* FROZEN COPY of abi/misp_input.h as released in ABI 1.0 -- never edit: tests/abi builds a 1.0
** host against it to prove that newer plugins keep working for hosts built back then.
**
** misp_input.h -- the C ABI of the MISP input plugin (libmisp_input.so).
**
** Who includes it: a host (a log shipper, misp-agent, the syslog-ng module) that loads the plugin
** with dlopen() and looks up ONE symbol, misp_input_entry. Nothing else is exported.
**
** Stability promise: within ABI major version 1, every struct only grows at its end. A host built
** against 1.x works with any 1.y plugin and vice versa: each struct begins with struct_size, and
** a reader never touches a field that lies beyond the struct_size the writer gave. Function slots
** marked "optional" may be NULL. A major-version change is refused by misp_input_entry with an
** error message.
**
** Rules at the boundary: plain C types only (no bool, no enums, no C++ types); strings carry an
** explicit length and are UTF-8, not necessarily NUL-terminated; data passed in a call is borrowed
** for that call only (copy what you keep). The plugin never lets a C++ exception cross this
** boundary and never calls exit(). No secret (api_token, proxy password, key) is ever passed to
** log().
*/
#ifndef MISP_INPUT_H
#define MISP_INPUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MISP_INPUT_MAGIC 0x4D495350u /* "MISP" */
#define MISP_INPUT_ABI_MAJOR 1u
#define MISP_INPUT_ABI_MINOR 0u
#define MISP_INPUT_ENTRY_SYMBOL "misp_input_entry"

/* Status codes (int32_t). 0 is success. */
#define MISP_INPUT_OK 0              /* Success. */
#define MISP_INPUT_ERR_VERSION 1     /* ABI major version or magic mismatch. */
#define MISP_INPUT_ERR_CONFIG 2      /* The configuration was refused; see the error text. */
#define MISP_INPUT_ERR_ARGUMENT 3    /* A NULL or malformed argument (bad cursor, short struct). */
#define MISP_INPUT_ERR_POLL 4        /* run(once): the poll did not complete (MISP/HTTP error). */
#define MISP_INPUT_ERR_INTERNAL 5    /* Unexpected failure inside the plugin; it stays usable. */
#define MISP_INPUT_STOPPED 6         /* run() returned because a stop was requested. */

/* Log levels (int32_t). */
#define MISP_INPUT_LOG_ERROR 0
#define MISP_INPUT_LOG_WARN 1
#define MISP_INPUT_LOG_INFO 2
#define MISP_INPUT_LOG_DEBUG 3

/* One document for the host. Every pointer is borrowed for the duration of emit(). */
typedef struct misp_input_event {
  uint32_t struct_size;     /* sizeof(misp_input_event) as the plugin knows it */
  const char* document;     /* the JSON document (ECS, or httpjson's message in raw mode) */
  size_t document_len;
  const char* id;           /* _id (Elasticsearch fingerprint, base64); may be empty */
  size_t id_len;
  const char* index;        /* target data stream: logs-<dataset>-<namespace> */
  size_t index_len;
  const char* cursor;       /* resume after this document (under 96 bytes) */
  size_t cursor_len;
  int64_t time_ms;          /* event time (@timestamp), Unix milliseconds */
  int32_t pipeline_error;   /* 1 when the document is an event.kind: pipeline_error */
  /* fields above are v1.0 */
} misp_input_event;

/* What the host provides. The plugin keeps a copy of this struct (not of host_data). */
typedef struct misp_input_host {
  uint32_t struct_size;   /* sizeof(misp_input_host) as the host knows it */
  uint32_t abi_major;     /* MISP_INPUT_ABI_MAJOR the host was built with */
  uint32_t abi_minor;     /* MISP_INPUT_ABI_MINOR the host was built with */
  void* host_data;        /* passed back to every callback */

  /* A log line (key=value style, no secrets). Any thread; must not block for long. Optional. */
  void (*log)(void* host_data, int32_t level, const char* message, size_t message_len);

  /* Delivers one document. Called on the run() thread. The host copies what it keeps; it may
  ** block (backpressure). Returns 0 when accepted, non-zero when the host is stopping (the
  ** plugin then stops producing and returns from run()). Required. */
  int32_t (*emit)(void* host_data, const misp_input_event* event);

  /* Sleeps up to ms milliseconds on the run() thread. Returns 0 when it woke because the host is
  ** stopping, non-zero otherwise. Required. */
  int32_t (*wait)(void* host_data, int64_t ms);

  /* Current time, Unix milliseconds. Optional: NULL means the system clock. */
  int64_t (*now_ms)(void* host_data);
  /* fields above are v1.0 */
} misp_input_host;

typedef struct misp_input_instance misp_input_instance; /* opaque */

/* The plugin's function table, returned by misp_input_entry. Static storage: valid while the
** library is loaded. */
typedef struct misp_input_plugin {
  uint32_t struct_size; /* sizeof(misp_input_plugin) as the plugin knows it */
  uint32_t magic;       /* MISP_INPUT_MAGIC */
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* name;     /* "misp_input" */
  const char* version;  /* the plugin's version, e.g. "0.1.0" */

  /* Checks a stream configuration (the agent-policy stream variables, YAML or JSON text) for a
  ** data set ("ti_misp.threat" or "ti_misp.threat_attributes"). Writes a NUL-terminated message
  ** naming the key into err (truncated to err_cap) on failure. Any thread; no I/O.
  ** Returns MISP_INPUT_OK or MISP_INPUT_ERR_CONFIG / _ARGUMENT. */
  int32_t (*validate_config)(const char* dataset, const char* config, size_t config_len, char* err,
                             size_t err_cap);

  /* Creates an instance that resumes after `cursor` (the last committed cursor; empty for a first
  ** start). host is copied; host->host_data must outlive the instance. Several instances may live
  ** in one process. Any thread. Returns MISP_INPUT_OK and *out, or an error with err filled. */
  int32_t (*create)(const misp_input_host* host, const char* dataset, const char* config,
                    size_t config_len, const char* cursor, size_t cursor_len,
                    misp_input_instance** out, char* err, size_t err_cap);

  /* Polls on the calling thread: once (once != 0) or at once and then every `interval` until a
  ** stop is requested or emit() reports the host stopping. Blocks. One run() at a time per
  ** instance. Returns MISP_INPUT_OK (once: the poll completed), MISP_INPUT_ERR_POLL (once: it did
  ** not; the reason went to log()), or MISP_INPUT_STOPPED. */
  int32_t (*run)(misp_input_instance* instance, int32_t once);

  /* Asks run() to return promptly (aborting an in-flight request). Any thread; never blocks. */
  void (*request_stop)(misp_input_instance* instance);

  /* Optional. Tells the plugin which cursor the host has made durable. Any thread. */
  void (*committed)(misp_input_instance* instance, const char* cursor, size_t cursor_len);

  /* Optional. Writes Prometheus text metrics into buf (NUL-terminated, truncated to cap) and the
  ** full length into *needed. Any thread. Returns MISP_INPUT_OK. */
  int32_t (*metrics)(misp_input_instance* instance, char* buf, size_t cap, size_t* needed);

  /* Frees the instance. Not while run() is executing on another thread. */
  void (*destroy)(misp_input_instance* instance);
  /* fields above are v1.0 */
} misp_input_plugin;

/* The one exported symbol. The host passes the ABI version it was built with; the plugin refuses
** a different major version (MISP_INPUT_ERR_VERSION, with a message in err). On success *out points
** to the plugin's static table. */
typedef int32_t (*misp_input_entry_fn)(uint32_t host_abi_major, /* MISP_INPUT_ABI_MAJOR */
                                       uint32_t host_abi_minor, /* MISP_INPUT_ABI_MINOR */
                                       const misp_input_plugin** out, /* receives the table */
                                       char* err,      /* NUL-terminated message on failure */
                                       size_t err_cap); /* size of err, 0 for none */

int32_t misp_input_entry(uint32_t host_abi_major, uint32_t host_abi_minor,
                         const misp_input_plugin** out, char* err, size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* MISP_INPUT_H */
