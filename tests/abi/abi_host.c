/* A host written in C (compiled as C11, not C++): proves abi/misp_input.h is plain C and that the
** real libmisp_input.so behaves as the header promises, loaded with dlopen.
**   abi_host LIB_PATH MISP_URL SLOW_MISP_URL */
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

#define KEY "0123456789abcdef0123456789abcdef01234567"

typedef struct collected {
  int documents;
  int stop_after;      /* emit refuses after this many (0: never) */
  char last_cursor[128];
  char first_index[128];
  int saw_secret;
} collected;

static int contains(const char* hay, size_t len, const char* needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i)
    if (memcmp(hay + i, needle, n) == 0) return 1;
  return 0;
}

static void on_log(void* data, int32_t level, const char* msg, size_t len) {
  collected* c = (collected*)data;
  (void)level;
  if (contains(msg, len, KEY)) c->saw_secret = 1;
}

static int32_t on_emit(void* data, const misp_input_event* ev) {
  collected* c = (collected*)data;
  if (c->stop_after && c->documents >= c->stop_after) return 1;
  if (ev->struct_size < sizeof(misp_input_event) || ev->document_len < 2 || ev->document[0] != '{') return 1;
  if (c->documents == 0) snprintf(c->first_index, sizeof c->first_index, "%.*s", (int)ev->index_len, ev->index);
  snprintf(c->last_cursor, sizeof c->last_cursor, "%.*s", (int)ev->cursor_len, ev->cursor);
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
  char metrics[1024];
  CHECK(p->metrics(i2, NULL, 0, &needed) == MISP_INPUT_OK && needed > 0, "metrics size");
  CHECK(p->metrics(i2, metrics, sizeof metrics, &needed) == MISP_INPUT_OK &&
            strstr(metrics, "misp_input_documents_total{dataset=\"ti_misp.threat_attributes\"} 60") != NULL,
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

  p->destroy(i1);
  p->destroy(i2);
  dlclose(lib);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
