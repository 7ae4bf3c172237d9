/*
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
** Versioning rules: a new field or function slot goes at the END of its struct, under a banner
** "Added in ABI 1.x", and MISP_INPUT_ABI_MINOR grows by one. Before reading a field or calling a
** slot added after 1.0, a reader checks that the writer's struct reaches it:
** MISP_INPUT_HAS_FIELD(ptr, type, field). WARNING: never reorder, resize or remove a field.
**
** 1.0  validate_config, create, run, request_stop, committed, metrics (text), destroy.
** 1.1  the option table (option, dataset), the offline mapping entry (map), structured metrics
**      (collect_metrics), error codes to the host (misp_input_host.error), the host's stream id
**      and data directory, and the event's format, error text and source position.
** 1.2  map_stream: the offline mapping entry over an input the plugin reads in pieces; the host's
**      flags (a wait() that wakes on stop, so an idle instance never wakes up on its own).
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
#define MISP_INPUT_ABI_MINOR 2u
#define MISP_INPUT_ENTRY_SYMBOL "misp_input_entry"

/* Status codes (int32_t). 0 is success. The reason, with its numbered code from docs/errors.md,
** goes to the error text and (ABI 1.1) to misp_input_host.error. */
#define MISP_INPUT_OK 0           /* Success. */
#define MISP_INPUT_ERR_VERSION 1  /* ABI major version or magic mismatch. */
#define MISP_INPUT_ERR_CONFIG 2   /* The configuration was refused; see the error text. */
#define MISP_INPUT_ERR_ARGUMENT 3 /* A NULL or malformed argument (bad cursor, short struct). */
#define MISP_INPUT_ERR_POLL 4     /* run(once): the poll did not complete (MISP/HTTP error). */
#define MISP_INPUT_ERR_INTERNAL 5 /* Unexpected failure inside the plugin; it stays usable. */
#define MISP_INPUT_STOPPED 6      /* run() returned because a stop was requested. */
/* Added in ABI 1.1 */
#define MISP_INPUT_ERR_INPUT 7 /* map(): part of the input could not be read; the rest was mapped. */

/* Log levels (int32_t), passed to misp_input_host.log as the plugin chose them. */
#define MISP_INPUT_LOG_ERROR 0 /* A poll failed, or the plugin cannot go on. */
#define MISP_INPUT_LOG_WARN 1  /* Works, but something needs a look (MISP's clock is off...). */
#define MISP_INPUT_LOG_INFO 2  /* Progress: a poll finished, a refetch started. */
#define MISP_INPUT_LOG_DEBUG 3 /* Detail for troubleshooting. */

/* Added in ABI 1.1: what misp_input_event.document holds. */
#define MISP_INPUT_FORMAT_ECS 0 /* An ECS document: a JSON object, shipped as is. */
#define MISP_INPUT_FORMAT_RAW 1 /* output: raw. httpjson's message text, shipped as `message`. */

/* Added in ABI 1.1: does the struct at ptr (of the given type, as the OTHER side wrote it) reach
** field? Use it before touching any field or slot added after 1.0. */
#define MISP_INPUT_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((const type*)0)->field))

/* One document for the host. Every pointer is borrowed for the duration of emit(). */
typedef struct misp_input_event {
  uint32_t struct_size;   /* sizeof(misp_input_event) as the plugin knows it */
  const char* document;   /* the JSON document (ECS, or httpjson's message in raw mode) */
  size_t document_len;
  const char* id;         /* _id (Elasticsearch fingerprint, base64); may be empty */
  size_t id_len;
  const char* index;      /* target data stream: logs-<dataset>-<namespace> */
  size_t index_len;
  const char* cursor;     /* resume after this document (under 96 bytes; map(): empty); opaque */
  size_t cursor_len;
  int64_t time_ms;        /* event time (@timestamp), Unix milliseconds */
  int32_t pipeline_error; /* 1 when the document is an event.kind: pipeline_error */
  /* fields above are v1.0 */
  /* Added in ABI 1.1 */
  int32_t format;      /* MISP_INPUT_FORMAT_ECS or MISP_INPUT_FORMAT_RAW */
  const char* error;   /* map(), pipeline_error: the first error.message; otherwise empty */
  size_t error_len;
  const char* source;  /* map(): where the document came from ("feed/x.json:3"); run(): empty */
  size_t source_len;
  /* fields above are v1.1 */
} misp_input_event;

/* Added in ABI 1.1. Why an operation failed: a stable numbered code (docs/errors.md: 1xx config,
** 2xx HTTP, 3xx response and paging, 4xx input, 6xx ABI) and its text. Every pointer is borrowed
** for the duration of the call it is passed to. */
typedef struct misp_input_error {
  uint32_t struct_size; /* sizeof(misp_input_error) as the plugin knows it */
  int32_t code;         /* e.g. 103 (config_value), 202 (http_status), 602 (abi_cursor) */
  const char* name;     /* the code's name, e.g. "config_value"; NUL-terminated, static */
  const char* where;    /* a config key path, a URL without credentials, or an input position */
  size_t where_len;     /* 0 when there is no position */
  const char* message;  /* what and why, for a human; never holds a secret */
  size_t message_len;
  /* fields above are v1.1 */
} misp_input_error;

/* What the host provides. The plugin keeps a copy of this struct (not of host_data). */
typedef struct misp_input_host {
  uint32_t struct_size; /* sizeof(misp_input_host) as the host knows it */
  uint32_t abi_major;   /* MISP_INPUT_ABI_MAJOR the host was built with */
  uint32_t abi_minor;   /* MISP_INPUT_ABI_MINOR the host was built with */
  void* host_data;      /* passed back to every callback */

  /* A log line (key=value style, no secrets) at a MISP_INPUT_LOG_* level. Any thread; must not
  ** block for long. Optional. */
  void (*log)(void* host_data, int32_t level, const char* message, size_t message_len);

  /* Delivers one document. Called on the run() (or map()) thread. The host copies what it keeps;
  ** it may block (backpressure). Returns 0 when accepted, non-zero when the host is stopping
  ** (the plugin then stops producing and returns). Required. */
  int32_t (*emit)(void* host_data, const misp_input_event* event);

  /* Sleeps up to ms milliseconds on the run() thread. Returns 0 when it woke because the host is
  ** stopping, non-zero otherwise. Required by create(); map() never calls it. */
  int32_t (*wait)(void* host_data, int64_t ms);

  /* Current time, Unix milliseconds. Optional: NULL means the system clock. */
  int64_t (*now_ms)(void* host_data);
  /* fields above are v1.0 */

  /* Added in ABI 1.1 */
  /* The host's name for this stream: a metrics label (stream_id) and part of the default request
  ** trace file name. Copied by create(). Optional (NULL or empty: none). */
  const char* stream_id;
  size_t stream_id_len;
  /* A directory the plugin may write its own files under (request traces go to
  ** <data_dir>/logs/). Copied by create(). Optional (NULL or empty: the working directory). */
  const char* data_dir;
  size_t data_dir_len;
  /* Why a call failed, with its code: called on the thread of the failing call, before create()
  ** or map() returns an error, for each failed poll of run(), and for each position of map()'s
  ** input that could not be read. run() also logs its failures at ERROR. Must not block for
  ** long. Optional. */
  void (*error)(void* host_data, const misp_input_error* error);
  /* fields above are v1.1 */

  /* Added in ABI 1.2 */
  /* MISP_INPUT_HOST_* bits: promises the host makes. */
  uint32_t flags;
  /* fields above are v1.2 */
} misp_input_host;

/* Added in ABI 1.2. misp_input_host.flags. */
#define MISP_INPUT_HOST_WAIT_WAKES_ON_STOP 1u /* wait() returns 0 promptly whenever the host asks an
                                              ** instance to stop (it stops its waits before or as
                                              ** it calls request_stop()): the plugin then sleeps
                                              ** between polls in one piece, with no periodic
                                              ** wake-ups. Without it the plugin waits in slices of
                                              ** 200 ms to notice request_stop() on its own. */

/* Added in ABI 1.1. Option flags (misp_input_option.flags). */
#define MISP_INPUT_OPTION_REQUIRED 1u /* run() needs it set (api_token, or api_token_file). */
#define MISP_INPUT_OPTION_SECRET 2u   /* A credential: never echo or log its value. */
#define MISP_INPUT_OPTION_MAPPING 4u  /* Shapes the documents: map() honours it too. */

/* Added in ABI 1.1. One stream variable of a data set, as validate_config() reads it. */
typedef struct misp_input_option {
  uint32_t struct_size;      /* sizeof(misp_input_option) as the plugin knows it */
  uint32_t flags;            /* MISP_INPUT_OPTION_* bits */
  const char* name;          /* the key: "limit", "ssl", "data_stream.namespace" */
  const char* type;          /* string, bool, int, number, size, duration, url, path, secret,
                             ** list, mapping */
  const char* default_value; /* the default as text; "" when there is none */
  const char* doc;           /* one line */
  /* fields above are v1.1 */
} misp_input_option;

/* Added in ABI 1.1. Metric types (misp_input_metric.type), as Prometheus names them. */
#define MISP_INPUT_METRIC_COUNTER 0 /* Only grows while the instance lives. */
#define MISP_INPUT_METRIC_GAUGE 1   /* Goes up and down. */

/* Added in ABI 1.1. One sample of collect_metrics(). Every pointer is borrowed for the call. */
typedef struct misp_input_metric {
  uint32_t struct_size;             /* sizeof(misp_input_metric) as the plugin knows it */
  int32_t type;                     /* MISP_INPUT_METRIC_COUNTER or _GAUGE */
  const char* name;                 /* e.g. misp_input_documents_total */
  const char* help;                 /* one line, for # HELP */
  size_t label_count;               /* stream_id, namespace, dataset, then any of its own */
  const char* const* label_names;   /* label_count NUL-terminated names */
  const char* const* label_values;  /* label_count NUL-terminated UTF-8 values, unescaped */
  double value;
  /* fields above are v1.1 */
} misp_input_metric;

/* Added in ABI 1.1. Receives each sample of collect_metrics(). */
typedef void (*misp_input_metric_fn)(void* user_data,                /* as given */
                                     const misp_input_metric* metric); /* borrowed */

/* Added in ABI 1.1. What map() did; the host sets struct_size, the plugin fills what fits. */
typedef struct misp_input_map_stats {
  uint32_t struct_size;     /* sizeof(misp_input_map_stats) as the host knows it */
  uint32_t reserved;        /* 0 */
  uint64_t documents;       /* emitted */
  uint64_t pipeline_errors; /* of those, documents of event.kind: pipeline_error */
  uint64_t dropped;         /* dropped by the pipeline (as Elastic's drop processor does) */
  uint64_t input_errors;    /* input positions that could not be read (each reported) */
  /* fields above are v1.1 */
} misp_input_map_stats;

/* Added in ABI 1.1. Flags of map(). */
#define MISP_INPUT_MAP_NO_ENVELOPE 1u /* The ingest pipeline's output alone, without the fields
                                      ** the shipper adds (data_stream.*, event.dataset...). */

/* Added in ABI 1.2. Reads up to cap bytes of map_stream()'s input into buf. Returns how many
** (> 0), 0 at the end of the input, or -1 when reading failed (the plugin reports the position and
** stops reading that input). Called on map_stream()'s thread only. */
typedef int64_t (*misp_input_read_fn)(void* read_data, char* buf, size_t cap);

typedef struct misp_input_instance misp_input_instance; /* opaque */

/* The plugin's function table, returned by misp_input_entry. Static storage: valid while the
** library is loaded. */
typedef struct misp_input_plugin {
  uint32_t struct_size; /* sizeof(misp_input_plugin) as the plugin knows it */
  uint32_t magic;       /* MISP_INPUT_MAGIC */
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* name;    /* "misp_input" */
  const char* version; /* the plugin's version, e.g. "0.1.0" */

  /* Checks a stream configuration (the agent-policy stream variables, YAML or JSON text) for a
  ** data set ("ti_misp.threat" or "ti_misp.threat_attributes"). Writes a NUL-terminated message
  ** naming the key into err (truncated to err_cap) on failure. Any thread; no I/O.
  ** Returns MISP_INPUT_OK or MISP_INPUT_ERR_CONFIG / _ARGUMENT. */
  int32_t (*validate_config)(const char* dataset, const char* config, size_t config_len, char* err,
                             size_t err_cap);

  /* Creates an instance that resumes after `cursor` (the last committed cursor, as emitted; empty
  ** for a first start). The plugin validates the cursor: one it did not write is refused with
  ** MISP_INPUT_ERR_ARGUMENT and a message (code 602), never silently reset. host is copied (up to
  ** its struct_size); host->host_data must outlive the instance. Several instances may live in
  ** one process. Any thread. Returns MISP_INPUT_OK and *out, or an error with err filled. */
  int32_t (*create)(const misp_input_host* host, const char* dataset, const char* config,
                    size_t config_len, const char* cursor, size_t cursor_len,
                    misp_input_instance** out, char* err, size_t err_cap);

  /* Polls on the calling thread: once (once != 0) or at once and then every `interval` until a
  ** stop is requested or emit() reports the host stopping. Blocks. One run() at a time per
  ** instance. Returns MISP_INPUT_OK (once: the poll completed), MISP_INPUT_ERR_POLL (once: it did
  ** not; the reason went to log() and error()), or MISP_INPUT_STOPPED. */
  int32_t (*run)(misp_input_instance* instance, int32_t once);

  /* Asks run() to return promptly (aborting an in-flight request). Any thread; never blocks. */
  void (*request_stop)(misp_input_instance* instance);

  /* Optional. Tells the plugin which cursor the host has made durable (one it emitted). The
  ** plugin reports how far behind MISP's data that is (misp_input_committed_cursor_lag_seconds
  ** and misp_input_commits_total in the metrics). Any thread; never blocks. */
  void (*committed)(misp_input_instance* instance, const char* cursor, size_t cursor_len);

  /* Optional. Writes Prometheus text metrics (# HELP, # TYPE, labelled samples) into buf
  ** (NUL-terminated, truncated to cap) and the full length into *needed. Any thread. Returns
  ** MISP_INPUT_OK. A host merging several instances uses collect_metrics instead. */
  int32_t (*metrics)(misp_input_instance* instance, char* buf, size_t cap, size_t* needed);

  /* Frees the instance. Not while run() is executing on another thread. */
  void (*destroy)(misp_input_instance* instance);
  /* fields above are v1.0 */

  /* Added in ABI 1.1 */

  /* The data sets the plugin serves: index 0, 1, ... until NULL ("ti_misp.threat", ...).
  ** Static strings. Any thread. */
  const char* (*dataset)(size_t index);

  /* The option table of a data set: entry index 0, 1, ... until NULL (also NULL for an unknown
  ** data set). The same table drives validate_config(); hosts use it for help text, docs and
  ** their own command-line flags. Static storage. Any thread. */
  const misp_input_option* (*option)(const char* dataset, size_t index);

  /* Maps MISP JSON the host already has, without a MISP server: input is the bytes of one source
  ** (an event export {"Event":...}, a bare event, an /events/restSearch or /attributes/restSearch
  ** body, or NDJSON of split documents, one per line), named `source` in positions ("x.json:3").
  ** config is a stream configuration as for validate_config() (api_token not required; options
  ** without MISP_INPUT_OPTION_MAPPING are checked and ignored). Each document goes to host->emit
  ** on the calling thread with the format, error and source fields set; host->now_ms is the
  ** clock (ingest time); host->wait is not used. Each position that cannot be read goes to
  ** host->error (code 401 or 402), or to log() at ERROR when the host has no error(), and
  ** mapping goes on with the next; an empty input (non-NULL, input_len 0) is such a position.
  ** input NULL (input_len 0) checks config only and maps nothing. stats (optional)
  ** receives the counts. Blocks; any thread; several calls may run at once.
  ** Returns MISP_INPUT_OK, MISP_INPUT_ERR_INPUT (some positions unreadable),
  ** MISP_INPUT_ERR_CONFIG (nothing mapped; err filled), MISP_INPUT_STOPPED (emit refused), or
  ** MISP_INPUT_ERR_ARGUMENT. */
  int32_t (*map)(const misp_input_host* host, const char* dataset, const char* config,
                 size_t config_len, const char* input, size_t input_len, const char* source,
                 size_t source_len, uint32_t flags, misp_input_map_stats* stats, char* err,
                 size_t err_cap);

  /* The instance's metrics as structured samples (the same as metrics()), for a host that merges
  ** several instances into one exposition. fn is called on the calling thread before this
  ** returns. Any thread; never blocks for long. Returns MISP_INPUT_OK or _ARGUMENT. */
  int32_t (*collect_metrics)(misp_input_instance* instance, misp_input_metric_fn fn,
                             void* user_data);
  /* fields above are v1.1 */

  /* Added in ABI 1.2 */

  /* map() over an input the plugin pulls through read(), so no one holds it whole: NDJSON is
  ** mapped line by line as it arrives (memory bounded by the longest line, not the input), any
  ** other input (one JSON document) is read to its end and mapped as map() would. Everything
  ** else (config, flags, positions, emit, errors, stats, return codes) is map()'s. */
  int32_t (*map_stream)(const misp_input_host* host, const char* dataset, const char* config,
                        size_t config_len, misp_input_read_fn read, void* read_data,
                        const char* source, size_t source_len, uint32_t flags,
                        misp_input_map_stats* stats, char* err, size_t err_cap);
  /* fields above are v1.2 */
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
