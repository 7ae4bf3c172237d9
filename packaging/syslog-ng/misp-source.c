/* The misp() source: a LogThreadedSourceDriver whose run() is the plugin's run(). Each document
** becomes a message (MESSAGE = the JSON document, .misp.id and .misp.index as name-value pairs)
** carrying a bookmark with the plugin's cursor; syslog-ng saves the bookmark to its persist file
** when the message is acknowledged (consecutive ack tracker: in order), and a restart resumes
** from it. With flags(flow-control) on the log path, delivery is at-least-once. */
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
  gchar *persist_name;
  void *library;
  const misp_input_plugin *plugin;
  misp_input_instance *instance;
  GMutex lock;
  GCond cond;
  gboolean exit_requested;
  NVHandle id_handle, index_handle;
} MispSourceDriver;

/* What a bookmark holds: the cursor text. */
typedef struct MispBookmark {
  gchar cursor[MISP_CURSOR_MAX];
  gchar *persist_name; /* owned by the driver, which outlives its messages' acks */
} MispBookmark;

G_STATIC_ASSERT(sizeof(MispBookmark) <= sizeof(BookmarkContainer));

static void
_bookmark_save(Bookmark *bookmark)
{
  MispBookmark *b = (MispBookmark *) &bookmark->container;
  PersistEntryHandle handle = persist_state_alloc_entry(bookmark->persist_state, b->persist_name, MISP_CURSOR_MAX);
  if (!handle)
    return;
  gchar *slot = persist_state_map_entry(bookmark->persist_state, handle);
  memcpy(slot, b->cursor, MISP_CURSOR_MAX);
  persist_state_unmap_entry(bookmark->persist_state, handle);
}

static gchar *
_load_cursor(MispSourceDriver *self, GlobalConfig *cfg)
{
  gsize size = 0;
  guint8 version = 0;
  PersistEntryHandle handle = persist_state_lookup_entry(cfg->state, self->persist_name, &size, &version);
  if (!handle || size < MISP_CURSOR_MAX)
    return g_strdup("");
  gchar *slot = persist_state_map_entry(cfg->state, handle);
  gchar *cursor = g_strndup(slot, MISP_CURSOR_MAX);
  persist_state_unmap_entry(cfg->state, handle);
  return cursor;
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

static int32_t
_host_emit(void *data, const misp_input_event *event)
{
  MispSourceDriver *self = (MispSourceDriver *) data;
  g_mutex_lock(&self->lock);
  gboolean stopping = self->exit_requested;
  g_mutex_unlock(&self->lock);
  if (stopping || event->cursor_len >= MISP_CURSOR_MAX)
    return 1;

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
  b->persist_name = self->persist_name;
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
  g_snprintf(persist_name, sizeof(persist_name), "misp,%s", self->policy_path);
  return persist_name;
}

static gboolean
_load_plugin(MispSourceDriver *self)
{
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
      return FALSE;
    }
  return TRUE;
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
  g_free(self->persist_name);
  self->persist_name = g_strdup_printf("misp_source(%s)", self->policy_path);

  char err[1024] = "";
  if (self->plugin->validate_config(self->dataset, self->config_text, self->config_len, err, sizeof(err)) != MISP_INPUT_OK)
    {
      msg_error("misp: invalid policy", evt_tag_str("policy", self->policy_path), evt_tag_str("error", err));
      return FALSE;
    }
  gchar *cursor = _load_cursor(self, cfg);
  misp_input_host host;
  memset(&host, 0, sizeof(host));
  host.struct_size = sizeof(host);
  host.abi_major = MISP_INPUT_ABI_MAJOR;
  host.abi_minor = MISP_INPUT_ABI_MINOR;
  host.host_data = self;
  host.log = _host_log;
  host.emit = _host_emit;
  host.wait = _host_wait;
  self->exit_requested = FALSE;
  int32_t rc = self->plugin->create(&host, self->dataset, self->config_text, self->config_len, cursor, strlen(cursor),
                                    &self->instance, err, sizeof(err));
  if (rc != MISP_INPUT_OK)
    {
      msg_error("misp: cannot start the input", evt_tag_str("error", err));
      g_free(cursor);
      return FALSE;
    }
  msg_info("misp: input started", evt_tag_str("policy", self->policy_path), evt_tag_str("dataset", self->dataset),
           evt_tag_str("cursor", cursor));
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
  self->plugin_path = g_strdup(MISP_INPUT_DEFAULT_PLUGIN);
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
