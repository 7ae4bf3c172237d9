/* A host written in C (compiled as C11, not C++): proves abi/misp_input.h is plain C and that the
** real libmisp_input.so behaves as the header promises, loaded with dlopen.
**   abi_host LIB_PATH MISP_URL SLOW_MISP_URL
** Built twice: against abi/misp_input.h (abi_host: every 1.1 feature) and against the frozen 1.0
** header in tests/abi/frozen/1.0 (abi_host_1_0: a host built back then keeps working). */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/misp_input.h"

static int passed = 0, failed = 0;
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (cond) {                                           \
      ++passed;                                           \
    } else {                                              \
      ++failed;                                           \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                       \
      fprintf(stderr, "\n");                              \
    }                                                     \
  } while (0)

/* api_token of tests/support/secrets.txt (CMake passes it as KEY). */
#ifndef KEY
#define KEY "mispTestSECRETapiKey00000000000000000001"
#endif

typedef struct collected {
  int documents;
  int stop_after;      /* emit refuses after this many (0: never) */
  char last_cursor[128];
  char first_index[128];
  int saw_secret;
  int levels[4];       /* log lines per level */
  int last_error_code; /* of the host's error() callback (ABI 1.1) */
  int formats_raw;     /* documents of format RAW (ABI 1.1) */
  const misp_input_plugin* p;
  misp_input_instance* inst;  /* set to read the metrics while run() delivers */
  double documents_seen_mid_poll, requests_seen_mid_poll, pages_seen_mid_poll;
} collected;

static int contains(const char* hay, size_t len, const char* needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i)
    if (memcmp(hay + i, needle, n) == 0) return 1;
  return 0;
}

static void on_log(void* data, int32_t level, const char* msg, size_t len) {
  collected* c = (collected*)data;
  if (level >= 0 && level <= 3) ++c->levels[level];
  if (contains(msg, len, KEY)) c->saw_secret = 1;
}

#if MISP_INPUT_ABI_MINOR >= 1
typedef struct found_metric {
  const char* name;
  double value;
  int samples, labelled;
} found_metric;

static void on_metric(void* data, const misp_input_metric* m) {
  found_metric* f = (found_metric*)data;
  ++f->samples;
  if (m->label_count >= 3 && strcmp(m->label_names[0], "stream_id") == 0 &&
      strcmp(m->label_names[1], "namespace") == 0)
    ++f->labelled;
  if (strcmp(m->name, f->name) == 0) f->value = m->value;
}

/* A metric's value through collect_metrics (-1 when absent). */
static double metric(const misp_input_plugin* p, misp_input_instance* inst, const char* name) {
  found_metric f = {name, -1, 0, 0};
  if (p->collect_metrics(inst, on_metric, &f) != MISP_INPUT_OK) return -2;
  return f.value;
}

static void on_error(void* data, const misp_input_error* e) {
  collected* c = (collected*)data;
  if (e->struct_size >= sizeof(misp_input_error) && e->name && e->message_len > 0) c->last_error_code = e->code;
}

static int64_t hour_ahead(void* data) {
  (void)data;
  return (int64_t)time(NULL) * 1000 + 3600 * 1000; /* MISP's Date is an hour behind this clock */
}
#endif

static int32_t on_emit(void* data, const misp_input_event* ev) {
  collected* c = (collected*)data;
  if (c->stop_after && c->documents >= c->stop_after) return 1;
  if (ev->struct_size < sizeof(misp_input_event) || ev->document_len < 2 || ev->document[0] != '{') return 1;
  if (c->documents == 0) snprintf(c->first_index, sizeof c->first_index, "%.*s", (int)ev->index_len, ev->index);
  snprintf(c->last_cursor, sizeof c->last_cursor, "%.*s", (int)ev->cursor_len, ev->cursor);
#if MISP_INPUT_ABI_MINOR >= 1
  if (MISP_INPUT_HAS_FIELD(ev, misp_input_event, format) && ev->format == MISP_INPUT_FORMAT_RAW)
    ++c->formats_raw;
  if (c->inst && c->documents == 10) {
    c->documents_seen_mid_poll = metric(c->p, c->inst, "misp_input_documents_total");
    c->requests_seen_mid_poll = metric(c->p, c->inst, "misp_input_requests_total");
    c->pages_seen_mid_poll = metric(c->p, c->inst, "misp_input_pages_total");
  }
#endif
  ++c->documents;
  return 0;
}

static int32_t on_wait(void* data, int64_t ms) {
  (void)data;
  (void)ms;
  return 1; /* instant: the test never waits for intervals */
}

static misp_input_host make_host(collected* c) {
  misp_input_host h;
  memset(&h, 0, sizeof h);
  h.struct_size = sizeof h;
  h.abi_major = MISP_INPUT_ABI_MAJOR;
  h.abi_minor = MISP_INPUT_ABI_MINOR;
  h.host_data = c;
  h.log = on_log;
  h.emit = on_emit;
  h.wait = on_wait;
#if MISP_INPUT_ABI_MINOR >= 1
  h.stream_id = "abi-host";
  h.stream_id_len = 8;
  h.error = on_error;
#endif
  return h;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct runner {
  const misp_input_plugin* p;
  misp_input_instance* inst;
  int32_t rc;
} runner;

static void* run_thread(void* arg) {
  runner* r = (runner*)arg;
  r->rc = r->p->run(r->inst, 0);
  return NULL;
}

#if MISP_INPUT_ABI_MINOR >= 1
/* The option table: both data sets, typed rows, per-data-set options. */
static void test_options(const misp_input_plugin* p) {
  CHECK(strcmp(p->dataset(0), "ti_misp.threat") == 0 && strcmp(p->dataset(1), "ti_misp.threat_attributes") == 0 &&
            p->dataset(2) == NULL,
        "datasets");
  int limit = 0, ioc_threat = 0, ioc_attributes = 0, required = 0;
  for (size_t i = 0; p->option("ti_misp.threat", i); ++i) {
    const misp_input_option* o = p->option("ti_misp.threat", i);
    if (strcmp(o->name, "limit") == 0) limit = strcmp(o->type, "int") == 0 && strcmp(o->default_value, "10") == 0;
    if (strcmp(o->name, "ioc_expiration_duration") == 0) ioc_threat = 1;
    if (o->flags & MISP_INPUT_OPTION_REQUIRED) required += strcmp(o->name, "api_token") == 0;
  }
  for (size_t i = 0; p->option("ti_misp.threat_attributes", i); ++i)
    if (strcmp(p->option("ti_misp.threat_attributes", i)->name, "ioc_expiration_duration") == 0) ioc_attributes = 1;
  CHECK(limit && required == 1, "limit/api_token rows");
  CHECK(!ioc_threat && ioc_attributes, "ioc_expiration_duration is threat_attributes only");
  CHECK(p->option("nope", 0) == NULL, "unknown data set");
}

/* The offline mapping entry: bytes in, documents out through emit, positions of bad lines. */
static void test_map(const misp_input_plugin* p) {
  collected c;
  memset(&c, 0, sizeof c);
  misp_input_host h = make_host(&c);
  h.wait = NULL; /* map() needs none */
  const char* event =
      "{\"Event\":{\"id\":\"1\",\"uuid\":\"e-1\",\"info\":\"x\",\"timestamp\":\"1700000000\","
      "\"Attribute\":[{\"id\":\"1\",\"type\":\"ip-src\",\"value\":\"192.0.2.1\",\"uuid\":\"a-1\","
      "\"timestamp\":\"1700000000\"},{\"id\":\"2\",\"type\":\"domain\",\"value\":\"example.org\","
      "\"uuid\":\"a-2\",\"timestamp\":\"1700000000\"}]}}";
  misp_input_map_stats s;
  memset(&s, 0, sizeof s);
  s.struct_size = sizeof s;
  char err[256] = "";
  CHECK(p->map(&h, "ti_misp.threat", "", 0, event, strlen(event), "event.json", 10, 0, &s, err, sizeof err) ==
                MISP_INPUT_OK && c.documents == 2 && s.documents == 2,
        "map event: %s %d", err, c.documents);
  const char* ndjson = "{\"Event\": {\n{\"hello\":1}\n";
  CHECK(p->map(&h, "ti_misp.threat", "", 0, ndjson, strlen(ndjson), "bad.ndjson", 10, 0, &s, err, sizeof err) ==
                MISP_INPUT_ERR_INPUT && s.input_errors == 2 && c.last_error_code == 402,
        "map bad input: %d errors, code %d", (int)s.input_errors, c.last_error_code);
  CHECK(p->map(&h, "ti_misp.threat", "output: raw\n", 12, event, strlen(event), "e", 1, 0, &s, err, sizeof err) ==
                MISP_INPUT_OK && c.formats_raw == 2,
        "map raw: %d", c.formats_raw);
  CHECK(p->map(&h, "ti_misp.threat", "split: sideways\n", 16, event, strlen(event), "e", 1, 0, &s, err, sizeof err) ==
                MISP_INPUT_ERR_CONFIG && strcmp(err, "split: must be per-indicator or elastic") == 0 &&
            c.last_error_code == 103,
        "map bad option: %s", err);
}

/* Errors carry their code; levels are kept; metrics are structured, labelled, and move. */
static void test_abi_1_1(const misp_input_plugin* p, const char* url, misp_input_instance* polled) {
  test_options(p);
  test_map(p);
  char config[512], err[512];
  snprintf(config, sizeof config, "url: %s\napi_token: %s\nhttp_request_rate_limit: 0\nlimit: 7\n", url, KEY);
  collected c;
  memset(&c, 0, sizeof c);
  misp_input_host h = make_host(&c);
  misp_input_instance* bad = NULL;
  CHECK(p->create(&h, "ti_misp.threat", config, strlen(config), "garbage", 7, &bad, err, sizeof err) ==
                MISP_INPUT_ERR_ARGUMENT && c.last_error_code == 602,
        "cursor error code %d", c.last_error_code);
  /* MISP's Date an hour off this host's clock: a WARN, not an INFO. */
  h.now_ms = hour_ahead;
  misp_input_instance* inst = NULL;
  CHECK(p->create(&h, "ti_misp.threat_attributes", config, strlen(config), "", 0, &inst, err, sizeof err) ==
            MISP_INPUT_OK,
        "create: %s", err);
  c.p = p, c.inst = inst;
  CHECK(p->run(inst, 1) == MISP_INPUT_OK && c.levels[MISP_INPUT_LOG_WARN] >= 1 && c.levels[MISP_INPUT_LOG_INFO] >= 1,
        "levels: warn %d info %d", c.levels[MISP_INPUT_LOG_WARN], c.levels[MISP_INPUT_LOG_INFO]);
  CHECK(c.documents_seen_mid_poll == 10, "documents_total during the poll: %g", c.documents_seen_mid_poll);
  /* limit 7: the 10th document comes from the second page, so two requests and pages have moved. */
  CHECK(c.requests_seen_mid_poll >= 2 && c.pages_seen_mid_poll >= 2, "requests %g pages %g during the poll",
        c.requests_seen_mid_poll, c.pages_seen_mid_poll);
  found_metric f = {"misp_input_documents_total", -1, 0, 0};
  CHECK(p->collect_metrics(inst, on_metric, &f) == MISP_INPUT_OK && f.value == 60 && f.labelled == f.samples,
        "collect_metrics %g %d/%d", f.value, f.labelled, f.samples);
  CHECK(metric(p, inst, "misp_input_commits_total") == 0, "no commit yet");
  p->committed(inst, c.last_cursor, strlen(c.last_cursor));
  CHECK(metric(p, inst, "misp_input_commits_total") == 1 && metric(p, inst, "misp_input_committed_cursor_lag_seconds") > 3000,
        "committed() is observable");
  p->destroy(inst);
  (void)polled;
  /* A failed poll reaches the host with its code: 403 is http_status (202). */
  snprintf(config, sizeof config, "url: %s\napi_token: wrong\nhttp_request_rate_limit: 0\n", url);
  c.last_error_code = 0;
  h.now_ms = NULL;
  CHECK(p->create(&h, "ti_misp.threat", config, strlen(config), "", 0, &inst, err, sizeof err) == MISP_INPUT_OK, "create");
  CHECK(p->run(inst, 1) == MISP_INPUT_ERR_POLL && c.last_error_code == 202, "poll error code %d", c.last_error_code);
  p->destroy(inst);
}
#endif

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: abi_host LIB MISP_URL SLOW_MISP_URL\n");
    return 2;
  }
  char config[1024], err[512];
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  CHECK(lib != NULL, "dlopen: %s", dlerror());
  if (!lib) return 1;
  misp_input_entry_fn entry = (misp_input_entry_fn)dlsym(lib, MISP_INPUT_ENTRY_SYMBOL);
  CHECK(entry != NULL, "no %s", MISP_INPUT_ENTRY_SYMBOL);
  CHECK(dlsym(lib, "_ZN4misp6plugin6Poller4pollEv") == NULL, "C++ symbols must stay hidden");

  /* Version: a different major is refused with a message; magic and sizes are right. */
  const misp_input_plugin* p = NULL;
  CHECK(entry(2, 0, &p, err, sizeof err) == MISP_INPUT_ERR_VERSION && p == NULL, "major 2 accepted");
  CHECK(strstr(err, "ABI major version 2") != NULL, "version message: %s", err);
  CHECK(entry(MISP_INPUT_ABI_MAJOR, 99, &p, err, sizeof err) == MISP_INPUT_OK, "minor 99 refused: %s", err);
  CHECK(p && p->magic == MISP_INPUT_MAGIC && p->struct_size >= sizeof(misp_input_plugin), "table");
  CHECK(p && p->abi_major == MISP_INPUT_ABI_MAJOR && strcmp(p->name, "misp_input") == 0, "table identity");
  if (!p) return 1;

  /* Config validation: errors name the key; a tiny buffer is truncated, not overrun. */
  CHECK(p->validate_config("ti_misp.threat", "api_token: k\nlimit: 0\n", 21, err, sizeof err) == MISP_INPUT_ERR_CONFIG,
        "limit 0 accepted");
  CHECK(strcmp(err, "limit: must be between 1 and 10000, got 0") == 0, "message: %s", err);
  char tiny[8];
  memset(tiny, 'x', sizeof tiny);
  CHECK(p->validate_config("ti_misp.threat", "{{{", 3, tiny, sizeof tiny) == MISP_INPUT_ERR_CONFIG && tiny[7] == '\0',
        "truncation");
  CHECK(p->validate_config("nope", "api_token: k", 12, err, sizeof err) == MISP_INPUT_ERR_CONFIG, "bad dataset");
  CHECK(p->validate_config("ti_misp.threat", NULL, 0, err, sizeof err) != MISP_INPUT_OK, "NULL config");

  /* Two instances at once (both data streams), one poll each. */
  collected c1, c2;
  memset(&c1, 0, sizeof c1);
  memset(&c2, 0, sizeof c2);
  misp_input_host h1 = make_host(&c1), h2 = make_host(&c2);
  misp_input_instance *i1 = NULL, *i2 = NULL;
  snprintf(config, sizeof config, "url: %s\napi_token: %s\nhttp_request_rate_limit: 0\nlimit: 7\n", argv[2], KEY);
  CHECK(p->create(&h1, "ti_misp.threat", config, strlen(config), "", 0, &i1, err, sizeof err) == MISP_INPUT_OK,
        "create threat: %s", err);
  CHECK(p->create(&h2, "ti_misp.threat_attributes", config, strlen(config), NULL, 0, &i2, err, sizeof err) ==
            MISP_INPUT_OK,
        "create attributes: %s", err);
  CHECK(p->run(i1, 1) == MISP_INPUT_OK, "run threat");
  CHECK(p->run(i2, 1) == MISP_INPUT_OK, "run attributes");
  CHECK(c1.documents == 60 && c2.documents == 60, "documents %d %d", c1.documents, c2.documents);
  CHECK(strcmp(c1.first_index, "logs-ti_misp.threat-default") == 0, "index %s", c1.first_index);
  CHECK(strlen(c2.last_cursor) > 0 && strlen(c2.last_cursor) < 96, "cursor %s", c2.last_cursor);
  CHECK(!c1.saw_secret && !c2.saw_secret, "api_token in a log line");

  /* Metrics, with a size probe first. */
  size_t needed = 0;
  char metrics[8192];
  CHECK(p->metrics(i2, NULL, 0, &needed) == MISP_INPUT_OK && needed > 0, "metrics size");
  CHECK(p->metrics(i2, metrics, sizeof metrics, &needed) == MISP_INPUT_OK &&
            strstr(metrics, "namespace=\"default\",dataset=\"ti_misp.threat_attributes\"} 60") != NULL &&
            strstr(metrics, "# TYPE misp_input_documents_total counter") != NULL,
        "metrics: %s", metrics);

  /* Resume from the committed cursor: nothing is delivered twice. */
  collected c3;
  memset(&c3, 0, sizeof c3);
  misp_input_host h3 = make_host(&c3);
  misp_input_instance* i3 = NULL;
  CHECK(p->create(&h3, "ti_misp.threat_attributes", config, strlen(config), c2.last_cursor, strlen(c2.last_cursor), &i3,
                  err, sizeof err) == MISP_INPUT_OK,
        "create from cursor: %s", err);
  p->committed(i3, c2.last_cursor, strlen(c2.last_cursor));
  CHECK(p->run(i3, 1) == MISP_INPUT_OK && c3.documents == 0, "re-delivered %d", c3.documents);
  p->destroy(i3);

  /* Bad arguments come back as codes, never as a crash. */
  misp_input_instance* bad = NULL;
  CHECK(p->create(&h3, "ti_misp.threat", config, strlen(config), "garbage", 7, &bad, err, sizeof err) ==
                MISP_INPUT_ERR_ARGUMENT && bad == NULL,
        "bad cursor");
  CHECK(p->create(NULL, "ti_misp.threat", config, strlen(config), "", 0, &bad, err, sizeof err) == MISP_INPUT_ERR_ARGUMENT,
        "NULL host");
  CHECK(p->run(NULL, 1) == MISP_INPUT_ERR_ARGUMENT, "run(NULL)");
  p->request_stop(NULL);
  p->destroy(NULL);

  /* A host struct from a newer host (bigger, with fields we do not know) is tolerated. */
  struct {
    misp_input_host v1;
    void* future_field;
  } grown;
  memset(&grown, 0, sizeof grown);
  grown.v1 = make_host(&c3);
  grown.v1.struct_size = sizeof grown;
  grown.v1.abi_minor = 7;
  misp_input_instance* i4 = NULL;
  CHECK(p->create(&grown.v1, "ti_misp.threat", config, strlen(config), "", 0, &i4, err, sizeof err) == MISP_INPUT_OK,
        "grown host struct: %s", err);
  p->destroy(i4);

  /* A failing poll is a code, and the host stopping ends run() with STOPPED. */
  collected c5;
  memset(&c5, 0, sizeof c5);
  c5.stop_after = 5;
  misp_input_host h5 = make_host(&c5);
  misp_input_instance* i5 = NULL;
  CHECK(p->create(&h5, "ti_misp.threat_attributes", config, strlen(config), "", 0, &i5, err, sizeof err) == MISP_INPUT_OK,
        "create");
  CHECK(p->run(i5, 0) == MISP_INPUT_STOPPED && c5.documents == 5, "emit refusal: %d", c5.documents);
  p->destroy(i5);
  snprintf(config, sizeof config, "url: %s\napi_token: wrong\nhttp_request_rate_limit: 0\n", argv[2]);
  misp_input_instance* i6 = NULL;
  CHECK(p->create(&h5, "ti_misp.threat", config, strlen(config), "", 0, &i6, err, sizeof err) == MISP_INPUT_OK, "create");
  CHECK(p->run(i6, 1) == MISP_INPUT_ERR_POLL, "403 must be ERR_POLL");
  p->destroy(i6);

  /* Stop during a slow request returns promptly. */
  snprintf(config, sizeof config, "url: %s\napi_token: %s\nhttp_request_rate_limit: 0\nhttp_client_timeout: 30s\n",
           argv[3], KEY);
  collected c7;
  memset(&c7, 0, sizeof c7);
  misp_input_host h7 = make_host(&c7);
  runner r = {p, NULL, -1};
  CHECK(p->create(&h7, "ti_misp.threat", config, strlen(config), "", 0, &r.inst, err, sizeof err) == MISP_INPUT_OK,
        "create slow");
  pthread_t t;
  pthread_create(&t, NULL, run_thread, &r);
  struct timespec pause = {0, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  double t0 = now_s();
  p->request_stop(r.inst);
  pthread_join(t, NULL);
  double took = now_s() - t0;
  CHECK(r.rc == MISP_INPUT_STOPPED, "slow run rc %d", r.rc);
  CHECK(took < 1.5, "stop took %.2f s", took);
  p->destroy(r.inst);

#if MISP_INPUT_ABI_MINOR >= 1
  test_abi_1_1(p, argv[2], i2);
#endif

  p->destroy(i1);
  p->destroy(i2);
  dlclose(lib);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
