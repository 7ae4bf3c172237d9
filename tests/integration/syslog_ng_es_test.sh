#!/usr/bin/env bash
# packaging/syslog-ng/examples/misp-elasticsearch.conf run for real (issue 11): syslog-ng 3.38 with
# our module reads the MISP emulator and its http() destination posts _bulk `create` actions with
# the documents' _id and data stream to a loopback fake Elasticsearch (fake_elasticsearch.py checks
# each action). A second run from an empty persist file re-sends every document: the fake answers
# 409 and still holds exactly one copy of each.
set -euo pipefail
module_dir=$1 emulator=$2 example=$3 fake=$4
source "$(dirname "$0")/lib.sh"
command -v syslog-ng >/dev/null || fail "syslog-ng is not installed (scripts/install-deps.sh)"
start_emulator "$emulator" --events 4 --attributes-each 25
python3 "$fake" --port-file "$tmp/es-port" --log "$tmp/es.log" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/es-port" ] && break; sleep 0.1; done
es="http://127.0.0.1:$(cat "$tmp/es-port")"
export MISP_SNG_API_TOKEN=$key
cat >"$tmp/attributes.yml" <<YML
url: $url
api_token: \${env.MISP_SNG_API_TOKEN}
http_request_rate_limit: 0
interval: 1h
YML
# The example as shipped, pointed at the emulator's policy and the fake.
sed -e "s#/etc/misp/threat_attributes.yml#$tmp/attributes.yml#" \
  -e "s#https://elasticsearch.example:9200#$es#" "$example" >"$tmp/sng.conf"
grep -q "$es/_bulk" "$tmp/sng.conf" || fail "the example's url() was not found"
state() {  # $1: docs (held in the attributes data stream) or conflicts (409 answers)
  python3 -c 'import json,sys,urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state"))
print(len(s["docs"].get("logs-ti_misp.threat_attributes-default", {})) if sys.argv[2] == "docs"
      else s["conflicts"])' "$es" "$1"
}
docs() { state docs; }
run() {  # $1: persist file, $2: log, $3: docs + conflicts to wait for
  syslog-ng -F -e -f "$tmp/sng.conf" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" \
    --persist-file="$1" --pidfile="$tmp/pid" --control="$tmp/ctl" --no-caps >"$2" 2>&1 &
  local sng=$!
  for _ in $(seq 300); do
    if grep -q "Poll finished" "$2" && [ $(($(state docs) + $(state conflicts))) -ge "$3" ]; then break; fi
    sleep 0.1
  done
  kill -TERM "$sng"; wait "$sng" || true
}
run "$tmp/persist1" "$tmp/sng1.log" 100
grep -q "UNEXPECTED" "$tmp/es.log" && fail "the fake refused a request: $(grep UNEXPECTED "$tmp/es.log" | head -3)"
[ "$(docs)" = 100 ] || fail "first run: the fake holds $(docs) documents, want 100 ($(tail -3 "$tmp/sng1.log"))"
python3 - "$es" <<'PY' || fail "documents in the fake are not what the module delivered"
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state"))
docs = s["docs"]["logs-ti_misp.threat_attributes-default"]
assert all(not i.startswith("auto-") for i in docs), "an action without the document's _id"
assert all(d["data_stream"]["dataset"] == "ti_misp.threat_attributes" for d in docs.values())
assert len({d["misp"]["attribute"]["uuid"] for d in docs.values()}) == 100
PY
run "$tmp/persist2" "$tmp/sng2.log" 200  # from scratch: every document again
[ "$(state conflicts)" = 100 ] || fail "second run: $(state conflicts) documents re-sent (409), want 100"
[ "$(docs)" = 100 ] || fail "second run: the fake holds $(docs) documents, want still 100"
grep -q "UNEXPECTED" "$tmp/es.log" && fail "the fake refused a request on the second run"
echo "syslog_ng_es: ok (100 documents, one copy each after a full re-delivery)"
