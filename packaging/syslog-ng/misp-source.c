/* The misp() source: a LogThreadedSourceDriver whose run() is the plugin's run(). Each document
** becomes a message (MESSAGE = the JSON document, .misp.id and .misp.index as name-value pairs)
** carrying a bookmark with the plugin's cursor; syslog-ng saves the bookmark to its persist file
** when the message is acknowledged (consecutive ack tracker: in order), and a restart resumes
** from it. With flags(flow-control) on the log path, delivery is at-least-once.
**
** The persist entry (misp_source(<stream id>,<policy>), or misp_source(<persist-name()>)) is
** allocated once, at init; an acknowledgement only overwrites its bytes. The cursor is opaque:
** stored as the plugin emitted it, checked by the plugin when it starts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* dladdr() */
#endif
#include "misp-source.h"

#include <dlfcn.h>
#include <string.h>

#include "abi/misp_input.h"
#include "ack-tracker/ack_tracker.h"
#include "ack-tracker/ack_tracker_factory.h"
#include "ack-tracker/bookmark.h"
#include "logthrsource/logthrsourcedrv.h"
#include "messages.h"
#include "persist-state.h"

#define MISP_CURSOR_MAX 96

typedef struct MispSourceDriver {
  LogThreadedSourceDriver super;
  gchar *policy_path;
  gchar *plugin_path;
  gchar *dataset;
  gchar *config_text;
  gsize config_len;
  gchar *stream_id;
  gchar *persist_name;
  PersistEntryHandle cursor_entry; /* in cfg->state, allocated once by _init */
  void *library;
  const misp_input_plugin *plugin;
  misp_input_instance *instance;
  GMutex lock;
  GCond cond;
  gboolean exit_requested;
  NVHandle id_handle, index_handle;
} MispSourceDriver;

/* What a bookmark holds: the cursor text and where it goes. */
typedef struct MispBookmark {
  gchar cursor[MISP_CURSOR_MAX];
  PersistEntryHandle entry; /* the driver's persist entry */
} MispBookmark;

G_STATIC_ASSERT(sizeof(MispBookmark) <= sizeof(BookmarkContainer));

static void
_bookmark_save(Bookmark *bookmark)
{
  MispBookmark *b = (MispBookmark *) &bookmark->container;
  if (!b->entry)
    return;
  gchar *slot = persist_state_map_entry(bookmark->persist_state, b->entry);
  memcpy(slot, b->cursor, MISP_CURSOR_MAX);
  persist_state_unmap_entry(bookmark->persist_state, b->entry);
}

/* The stored cursor into `cursor` (MISP_CURSOR_MAX bytes); FALSE when there is none. */
static gboolean
_read_entry(PersistState *state, const gchar *name, gchar *cursor)
{
  gsize size = 0;
  guint8 version = 0;
  PersistEntryHandle handle = persist_state_lookup_entry(state, name, &size, &version);
  if (!handle || size < MISP_CURSOR_MAX)
    return FALSE;
  gchar *slot = persist_state_map_entry(state, handle);
  memcpy(cursor, slot, MISP_CURSOR_MAX);
  persist_state_unmap_entry(state, handle);
  return TRUE;
}

/* Finds or allocates the persist entry, once, and returns the cursor it holds (maybe ""). A
** cursor stored under the name used before the stream id joined it is carried over. */
static gchar *
_open_cursor_entry(MispSourceDriver *self, GlobalConfig *cfg)
{
  gchar cursor[MISP_CURSOR_MAX];
  memset(cursor, 0, sizeof cursor);
  gsize size = 0;
  guint8 version = 0;
  self->cursor_entry = persist_state_lookup_entry(cfg->state, self->persist_name, &size, &version);
  if (self->cursor_entry && size >= MISP_CURSOR_MAX)
    {
      _read_entry(cfg->state, self->persist_name, cursor);
      return g_strndup(cursor, MISP_CURSOR_MAX);
    }
  gchar *legacy = g_strdup_printf("misp_source(%s)", self->policy_path);
  if (!_read_entry(cfg->state, legacy, cursor))
    memset(cursor, 0, sizeof cursor);
  g_free(legacy);
  self->cursor_entry = persist_state_alloc_entry(cfg->state, self->persist_name, MISP_CURSOR_MAX);
  if (!self->cursor_entry)
    return NULL;
  gchar *slot = persist_state_map_entry(cfg->state, self->cursor_entry);
  memcpy(slot, cursor, MISP_CURSOR_MAX);
  persist_state_unmap_entry(cfg->state, self->cursor_entry);
  return g_strndup(cursor, MISP_CURSOR_MAX);
}

static void
_host_log(void *data, int32_t level, const char *message, size_t len)
{
  (void) data;
  gchar *text = g_strndup(message, len);
  if (level == MISP_INPUT_LOG_ERROR)
    msg_error("misp", evt_tag_str("message", text));
  else if (level == MISP_INPUT_LOG_WARN)
    msg_warning("misp", evt_tag_str("message", text));
  else
    msg_info("misp", evt_tag_str("message", text));
  g_free(text);
}

/* ABI 1.1: why create() or a poll failed, with the plugin's numbered code. */
static void
_host_error(void *data, const misp_input_error *error)
{
  MispSourceDriver *self = (MispSourceDriver *) data;
  gchar *where = g_strndup(error->where, error->where_len);
  gchar *message = g_strndup(error->message, error->message_len);
  msg_error("misp: input error", evt_tag_str("stream_id", self->stream_id), evt_tag_int("code", error->code),
            evt_tag_str("type", error->name ? error->name : ""), evt_tag_str("where", where),
            evt_tag_str("error", message));
  g_free(where);
  g_free(message);
}

static int32_t
_host_emit(void *data, const misp_input_event *event)
{
  MispSourceDriver *self = (MispSourceDriver *) data;
  g_mutex_lock(&self->lock);
  gboolean stopping = self->exit_requested;
  g_mutex_unlock(&self->lock);
  if (stopping)
    return 1;
  if (event->cursor_len >= MISP_CURSOR_MAX)
    {
      msg_error("misp: a cursor does not fit the bookmark; stopping the source",
                evt_tag_str("stream_id", self->stream_id), evt_tag_int("cursor_length", (gint) event->cursor_len),
                evt_tag_int("max_length", MISP_CURSOR_MAX - 1));
      return 1;
    }

  LogMessage *msg = log_msg_new_empty();
  log_msg_set_value(msg, LM_V_MESSAGE, event->document, event->document_len);
  log_msg_set_value(msg, self->id_handle, event->id, event->id_len);
  log_msg_set_value(msg, self->index_handle, event->index, event->index_len);
  msg->timestamps[LM_TS_STAMP].ut_sec = event->time_ms / 1000;
  msg->timestamps[LM_TS_STAMP].ut_usec = (event->time_ms % 1000) * 1000;
  msg->timestamps[LM_TS_STAMP].ut_gmtoff = 0;

  Bookmark *bookmark = ack_tracker_request_bookmark(self->super.worker->super.ack_tracker);
  MispBookmark *b = (MispBookmark *) &bookmark->container;
  memset(b->cursor, 0, sizeof b->cursor);
  memcpy(b->cursor, event->cursor, event->cursor_len);
  b->entry = self->cursor_entry;
  bookmark->save = _bookmark_save;

  /* Blocks while the flow-control window is full: backpressure reaches the poller. */
  log_threaded_source_blocking_post(&self->super, msg);
  return 0;
}

static int32_t
_host_wait(void *data, int64_t ms)
{
  MispSourceDriver *self = (MispSourceDriver *) data;
  gint64 deadline = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock(&self->lock);
  while (!self->exit_requested)
    if (!g_cond_wait_until(&self->cond, &self->lock, deadline))
      break;
  gboolean stopping = self->exit_requested;
  g_mutex_unlock(&self->lock);
  return stopping ? 0 : 1;
}

static void
_run(LogThreadedSourceDriver *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  int32_t rc = self->plugin->run(self->instance, 0);
  if (rc != MISP_INPUT_STOPPED && rc != MISP_INPUT_OK)
    msg_error("misp: the input stopped", evt_tag_int("status", rc));
}

static void
_request_exit(LogThreadedSourceDriver *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_mutex_lock(&self->lock);
  self->exit_requested = TRUE;
  g_cond_broadcast(&self->cond);
  g_mutex_unlock(&self->lock);
  if (self->instance)
    self->plugin->request_stop(self->instance);
}

static const gchar *
_format_stats_instance(LogThreadedSourceDriver *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  static gchar persist_name[1024];
  g_snprintf(persist_name, sizeof(persist_name), "misp,%s", self->stream_id);
  return persist_name;
}

/* Without plugin(): the plugin in the library directory of the tree this module is installed in,
** found relative to the module's own file (an installed tree may have moved: the Debian package,
** `cmake --install --prefix P`), else in the library directory of the prefix configured at build. */
static gchar *
_default_plugin_path(void)
{
  Dl_info info;
  if (dladdr((void *) misp_sd_new, &info) && info.dli_fname && info.dli_fname[0])
    {
      gchar *dir = g_path_get_dirname(info.dli_fname);
      gchar *relative = g_build_filename(dir, MISP_INPUT_PLUGIN_FROM_MODULE, MISP_INPUT_PLUGIN_NAME, NULL);
      gchar *candidate = g_canonicalize_filename(relative, NULL); /* without the ../ */
      g_free(relative);
      g_free(dir);
      if (g_file_test(candidate, G_FILE_TEST_EXISTS))
        return candidate;
      g_free(candidate);
    }
  return g_strdup(MISP_INPUT_DEFAULT_PLUGIN);
}

static gboolean
_load_plugin(MispSourceDriver *self)
{
  if (!self->plugin_path)
    self->plugin_path = _default_plugin_path();
  self->library = dlopen(self->plugin_path, RTLD_NOW | RTLD_LOCAL);
  if (!self->library)
    {
      msg_error("misp: cannot load the plugin", evt_tag_str("plugin", self->plugin_path),
                evt_tag_str("error", dlerror()));
      return FALSE;
    }
  misp_input_entry_fn entry = (misp_input_entry_fn) dlsym(self->library, MISP_INPUT_ENTRY_SYMBOL);
  char err[512] = "";
  if (!entry || entry(MISP_INPUT_ABI_MAJOR, MISP_INPUT_ABI_MINOR, &self->plugin, err, sizeof(err)) != MISP_INPUT_OK)
    {
      msg_error("misp: not a compatible misp_input plugin", evt_tag_str("plugin", self->plugin_path),
                evt_tag_str("error", err));
      self->plugin = NULL;
      return FALSE;
    }
  if (!self->plugin || self->plugin->magic != MISP_INPUT_MAGIC || self->plugin->abi_major != MISP_INPUT_ABI_MAJOR ||
      !MISP_INPUT_HAS_FIELD(self->plugin, misp_input_plugin, destroy))
    {
      msg_error("misp: not a misp_input plugin (wrong magic number, ABI major or table size)",
                evt_tag_str("plugin", self->plugin_path));
      self->plugin = NULL;
      return FALSE;
    }
  return TRUE;
}

/* The stream id: stream-id(), else the policy file's name without its extension. */
static void
_default_stream_id(MispSourceDriver *self)
{
  if (self->stream_id)
    return;
  gchar *base = g_path_get_basename(self->policy_path);
  gchar *dot = strrchr(base, '.');
  if (dot && dot != base)
    *dot = '\0';
  self->stream_id = base;
}

/* The plugin's instance for this stream, resuming after `cursor`. */
static gboolean
_create_instance(MispSourceDriver *self, const gchar *cursor)
{
  misp_input_host host;
  memset(&host, 0, sizeof(host));
  host.struct_size = sizeof(host);
  host.abi_major = MISP_INPUT_ABI_MAJOR;
  host.abi_minor = MISP_INPUT_ABI_MINOR;
  host.host_data = self;
  host.log = _host_log;
  host.emit = _host_emit;
  host.wait = _host_wait;
  host.stream_id = self->stream_id;
  host.stream_id_len = strlen(self->stream_id);
  host.error = _host_error;
  /* _request_exit() wakes _host_wait() before it calls request_stop(): one wait between polls. */
  host.flags = MISP_INPUT_HOST_WAIT_WAKES_ON_STOP;
  self->exit_requested = FALSE;
  char err[1024] = "";
  int32_t rc = self->plugin->create(&host, self->dataset, self->config_text, self->config_len, cursor, strlen(cursor),
                                    &self->instance, err, sizeof(err));
  if (rc != MISP_INPUT_OK)
    msg_error("misp: cannot start the input", evt_tag_str("stream_id", self->stream_id), evt_tag_str("error", err));
  return rc == MISP_INPUT_OK;
}

static gboolean
_init(LogPipe *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  GlobalConfig *cfg = log_pipe_get_config(s);
  if (!self->policy_path)
    {
      msg_error("misp: the policy() option is required", log_pipe_location_tag(s));
      return FALSE;
    }
  GError *error = NULL;
  g_free(self->config_text);
  if (!g_file_get_contents(self->policy_path, &self->config_text, &self->config_len, &error))
    {
      msg_error("misp: cannot read the policy", evt_tag_str("policy", self->policy_path),
                evt_tag_str("error", error->message));
      g_error_free(error);
      return FALSE;
    }
  if (!self->plugin && !_load_plugin(self))
    return FALSE;
  _default_stream_id(self);
  g_free(self->persist_name);
  const gchar *explicit_name = self->super.super.super.super.persist_name;
  self->persist_name = explicit_name ? g_strdup_printf("misp_source(%s)", explicit_name)
                                     : g_strdup_printf("misp_source(%s,%s)", self->stream_id, self->policy_path);

  char err[1024] = "";
  if (self->plugin->validate_config(self->dataset, self->config_text, self->config_len, err, sizeof(err)) != MISP_INPUT_OK)
    {
      msg_error("misp: invalid policy", evt_tag_str("policy", self->policy_path), evt_tag_str("error", err));
      return FALSE;
    }
  gchar *cursor = _open_cursor_entry(self, cfg);
  if (!cursor)
    {
      msg_error("misp: cannot allocate the cursor's persist entry", evt_tag_str("persist_name", self->persist_name));
      return FALSE;
    }
  if (!_create_instance(self, cursor))
    {
      g_free(cursor);
      return FALSE;
    }
  msg_info("misp: input started", evt_tag_str("stream_id", self->stream_id), evt_tag_str("policy", self->policy_path),
           evt_tag_str("dataset", self->dataset), evt_tag_str("persist_name", self->persist_name),
           evt_tag_str("cursor", cursor), evt_tag_str("plugin", self->plugin_path));
  g_free(cursor);
  return log_threaded_source_driver_init_method(s);
}

static gboolean
_deinit(LogPipe *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  gboolean ok = log_threaded_source_driver_deinit_method(s);
  if (self->instance)
    {
      self->plugin->destroy(self->instance);
      self->instance = NULL;
    }
  return ok;
}

static void
_free(LogPipe *s)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_free(self->policy_path);
  g_free(self->plugin_path);
  g_free(self->dataset);
  g_free(self->stream_id);
  g_free(self->config_text);
  g_free(self->persist_name);
  g_mutex_clear(&self->lock);
  g_cond_clear(&self->cond);
  /* The library stays loaded: messages in flight may still reference its code paths' data. */
  log_threaded_source_driver_free_method(s);
}

void
misp_sd_set_policy(LogDriver *s, const gchar *path)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_free(self->policy_path);
  self->policy_path = g_strdup(path);
}

void
misp_sd_set_plugin(LogDriver *s, const gchar *path)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_free(self->plugin_path);
  self->plugin_path = g_strdup(path);
}

void
misp_sd_set_stream_id(LogDriver *s, const gchar *stream_id)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_free(self->stream_id);
  self->stream_id = g_strdup(stream_id);
}

void
misp_sd_set_dataset(LogDriver *s, const gchar *dataset)
{
  MispSourceDriver *self = (MispSourceDriver *) s;
  g_free(self->dataset);
  self->dataset = g_strdup(dataset);
}

LogDriver *
misp_sd_new(GlobalConfig *cfg)
{
  MispSourceDriver *self = g_new0(MispSourceDriver, 1);
  log_threaded_source_driver_init_instance(&self->super, cfg);
  g_mutex_init(&self->lock);
  g_cond_init(&self->cond);
  self->plugin_path = NULL; /* plugin(), else _default_plugin_path() when loading */
  self->dataset = g_strdup("ti_misp.threat");
  self->id_handle = log_msg_get_value_handle(".misp.id");
  self->index_handle = log_msg_get_value_handle(".misp.index");
  /* Bookmarks are saved in acknowledgement order. */
  self->super.worker_options.ack_tracker_factory = consecutive_ack_tracker_factory_new();

  self->super.super.super.super.init = _init;
  self->super.super.super.super.deinit = _deinit;
  self->super.super.super.super.free_fn = _free;
  self->super.format_stats_instance = _format_stats_instance;
  self->super.run = _run;
  self->super.request_exit = _request_exit;
  return &self->super.super.super;
}
