#!/usr/bin/env bash
# misp-agent run's elasticsearch output against the fake Elasticsearch and the MISP emulator:
# documents refused for good go to DATA_DIR/dead_letter/elasticsearch.ndjson (document, status,
# reason, time), are counted in /metrics and logged once per batch, and the cursor moves past
# them; 429 items are retried; every host is used (a dead one and a 503 one fail over to the
# next); an empty port is refused naming the key; when no host takes the documents the run fails
# and no cursor is written.
#   agent_es_output.sh MISP_AGENT MISP_EMULATOR FAKE_ELASTICSEARCH_PY
set -euo pipefail
agent=$1 emulator=$2 fake=$3
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 10 --attributes-each 30

start_fake() {  # $1: name; the rest: fake_elasticsearch.py options. Sets $es.
  local name=$1; shift
  python3 "$fake" --port-file "$tmp/$name.port" --log "$tmp/$name.log" "$@" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
  [ -s "$tmp/$name.port" ] || fail "fake Elasticsearch $name did not start"
  es="http://127.0.0.1:$(cat "$tmp/$name.port")"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
state() { python3 -c "import json,urllib.request; print(json.dumps(json.load(urllib.request.urlopen('$1/_fake/state'))))"; }
count_docs() { state "$1" | python3 -c "import json,sys; d=json.load(sys.stdin)['docs']; print(sum(len(v) for v in d.values()))"; }

policy() {  # $1: hosts (YAML flow list), $2: extra output keys
  cat <<POLICY
outputs:
  default:
    type: elasticsearch
    hosts: $1
    backoff_ms: 20
    ${2:-}
inputs:
  - type: misp
    streams:
      - id: threat
        data_stream: {dataset: ti_misp.threat}
        url: $url
        api_token: $key
        http_request_rate_limit: 0
        limit: 50
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: $key
        http_request_rate_limit: 0
        limit: 50
POLICY
}

# --- Dead letter: every threat document refused (400), the attributes stored. -----------------
start_fake refusing --refuse-index logs-ti_misp.threat-
policy "[$es]" >"$tmp/dl.yml"
mport=$(free_port)
"$agent" run --policy "$tmp/dl.yml" --data-dir "$tmp/dl" --metrics-port "$mport" 2>"$tmp/dl.log" &
agent_pid=$!
dlq="$tmp/dl/dead_letter/elasticsearch.ndjson"
for _ in $(seq 150); do
  [ -s "$tmp/dl/cursors/threat.cursor" ] && [ -s "$tmp/dl/cursors/attrs.cursor" ] && \
    [ "$(wc -l <"$dlq" 2>/dev/null || echo 0)" = 300 ] && break
  sleep 0.1
done
metrics=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$mport/metrics').read().decode())")
kill -TERM "$agent_pid"
wait "$agent_pid" || true
[ "$(wc -l <"$dlq")" = 300 ] || fail "dead letter: $(wc -l <"$dlq") lines, want 300; log: $(cat "$tmp/dl.log")"
[ -s "$tmp/dl/cursors/threat.cursor" ] || fail "the cursor did not move past dead-lettered documents"
printf '%s\n' "$metrics" | /usr/bin/python3 "$(dirname "$0")/check_prometheus.py" \
  'misp_agent_output_rejected_total|output=elasticsearch|300' \
  'misp_agent_output_indexed_total|output=elasticsearch|300' || fail "metrics: $metrics"
state "$es" >"$tmp/refusing.state"
python3 - "$dlq" "$tmp/refusing.state" <<'PY' || fail "dead-letter content"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
stored = json.load(open(sys.argv[2]))["docs"]
ids = set()
for l in lines:
    assert set(l) == {"@timestamp", "index", "_id", "status", "reason", "error", "document"}, l.keys()
    assert l["index"] == "logs-ti_misp.threat-default", l["index"]
    assert l["status"] == 400 and l["reason"] == "[1:2] failed to parse field [threat] (fake)", l
    assert l["error"]["type"] == "document_parsing_exception", l["error"]
    assert l["@timestamp"].endswith("Z") and l["@timestamp"][:2] == "20", l["@timestamp"]
    assert l["document"]["event"]["dataset"] == "ti_misp.threat", l["document"]
    ids.add(l["_id"])
assert len(ids) == 300, len(ids)
assert "logs-ti_misp.threat-default" not in stored or not stored["logs-ti_misp.threat-default"]
assert len(stored["logs-ti_misp.threat_attributes-default"]) == 300
PY
logged=$(grep -c "Documents refused by Elasticsearch, written to the dead-letter file. path=$dlq count=" "$tmp/dl.log" || true)
requests=$(grep -c "^POST /_bulk " "$tmp/refusing.log" || true)
[ "$logged" -ge 1 ] && [ "$logged" -le "$requests" ] && [ "$logged" -lt 300 ] \
  || fail "dead letter logged $logged times for $requests _bulk requests"
# The next run delivers nothing again: the cursor moved past the refused documents.
"$agent" run --policy "$tmp/dl.yml" --data-dir "$tmp/dl" --once 2>"$tmp/dl2.log" || fail "second run: $(cat "$tmp/dl2.log")"
[ "$(wc -l <"$dlq")" = 300 ] || fail "second run dead-lettered again"

# --- 429 per item: retried until stored. ---------------------------------------------------------
start_fake throttling --throttle-first 120
policy "[$es]" >"$tmp/429.yml"
"$agent" run --policy "$tmp/429.yml" --data-dir "$tmp/429" --once 2>"$tmp/429.log" || fail "429 run: $(cat "$tmp/429.log")"
[ "$(count_docs "$es")" = 600 ] || fail "429: $(count_docs "$es") documents stored, want 600"
[ "$(state "$es" | python3 -c 'import json,sys; print(json.load(sys.stdin)["throttled"])')" = 120 ] || fail "429: not throttled"
[ ! -e "$tmp/429/dead_letter/elasticsearch.ndjson" ] || fail "429 items were dead-lettered"

# --- Failover: a dead host and a 503 one before a good one. ---------------------------------------
start_fake broken --status 503
broken=$es
start_fake good
policy "[http://127.0.0.1:$(free_port), $broken, $es]" >"$tmp/fo.yml"
"$agent" run --policy "$tmp/fo.yml" --data-dir "$tmp/fo" --once 2>"$tmp/fo.log" || fail "failover run: $(cat "$tmp/fo.log")"
[ "$(count_docs "$es")" = 600 ] || fail "failover: $(count_docs "$es") documents on the good host"
grep -q "^POST /_bulk" "$tmp/broken.log" || fail "failover: the 503 host was never tried"

# --- No host takes the documents: the run fails and no cursor is written. ------------------------
policy "[http://127.0.0.1:$(free_port), $broken]" "max_retries: 1" >"$tmp/down.yml"
set +e
"$agent" run --policy "$tmp/down.yml" --data-dir "$tmp/down" --once 2>"$tmp/down.log"; rc=$?
set -e
[ $rc = 1 ] || fail "all hosts down: exit $rc"
[ ! -e "$tmp/down/cursors/threat.cursor" ] && [ ! -e "$tmp/down/cursors/attrs.cursor" ] || fail "a cursor moved with every host down"
grep -q "Bulk request failed; retrying. url=$broken reason=\"HTTP 503\"." "$tmp/down.log" || fail "down log: $(cat "$tmp/down.log")"

# --- hosts: an empty port is refused naming the key; no port means 9200; no scheme means http. -----
for bad in "'http://127.0.0.1:'|has an empty port" "'https://[::1]:'|has an empty port" \
           "'http://user:pw@127.0.0.1:9200'|must not carry credentials" "'ftp://x'|must use http or https"; do
  policy "[$es, ${bad%%|*}]" >"$tmp/bad.yml"
  set +e
  "$agent" run --policy "$tmp/bad.yml" --check 2>"$tmp/bad.err"; rc=$?
  set -e
  [ $rc = 1 ] && grep -q "outputs.default.hosts\[1\]: ${bad#*|}" "$tmp/bad.err" || fail "$bad: $(cat "$tmp/bad.err")"
done
if grep -q "pw@" "$tmp/bad.err"; then fail "credentials of a host printed"; fi
policy "[http://127.0.0.1, localhost:9201]" >"$tmp/noport.yml"
"$agent" run --policy "$tmp/noport.yml" --check >/dev/null 2>"$tmp/noport.err" || fail "no port: $(cat "$tmp/noport.err")"
policy "[127.0.0.1:$(cat "$tmp/good.port")]" >"$tmp/noscheme.yml"
"$agent" run --policy "$tmp/noscheme.yml" --data-dir "$tmp/ns" --once 2>"$tmp/ns.log" || fail "host without a scheme: $(cat "$tmp/ns.log")"

if grep -h UNEXPECTED "$tmp"/*.log; then fail "the fake Elasticsearch saw an unexpected request"; fi
echo "agent_es_output: OK"
