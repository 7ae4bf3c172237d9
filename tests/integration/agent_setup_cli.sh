#!/usr/bin/env bash
# `misp-agent setup` against the loopback fake Elasticsearch (fake_elasticsearch.py checks method,
# path and body of every call): every asset created and the transform started, a second run
# changes nothing, an asset that differs is updated, a 7.17 cluster and an 8.7 one are refused
# with the version, a 401 names the host and never the key, the assets are found in the build tree
# without --assets, and a policy without an elasticsearch output is refused.
#   agent_setup_cli.sh MISP_AGENT ASSETS_DIR FAKE_ELASTICSEARCH_PY
set -euo pipefail
agent=$1 assets=$2 fake=$3
source "$(dirname "$0")/lib.sh"
api_key='setupid:s3cr3t-setup-key'
key_b64=$(printf '%s' "$api_key" | base64)

start_fake() {  # $1: name; the rest: fake_elasticsearch.py options. Sets $es.
  local name=$1; shift
  python3 "$fake" --port-file "$tmp/$name.port" --log "$tmp/$name.log" "$@" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
  [ -s "$tmp/$name.port" ] || fail "fake Elasticsearch $name did not start"
  es="http://127.0.0.1:$(cat "$tmp/$name.port")"
}

policy() {  # $1: hosts (YAML flow list), $2: api key
  cat <<POLICY
outputs:
  default:
    type: elasticsearch
    hosts: $1
    api_key: "$2"
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: http://127.0.0.1:1
        api_token: x
POLICY
}

expected_lines() {  # $1: what every PUT asset says, $2: what the transform says
  cat <<EXPECTED
ingest_pipeline logs-ti_misp@final: $1
ilm_policy logs-ti_misp.threat_attributes-default_policy: $1
component_template logs-ti_misp.threat@package: $1
component_template logs-ti_misp.threat_attributes@package: $1
index_template logs-ti_misp.threat: $1
index_template logs-ti_misp.threat_attributes: $1
index_template logs-ti_misp_latest.dest_threat_attributes: $1
transform logs-ti_misp.latest_ioc-default-0.2.0: $2
data_stream_lifecycle logs-ti_misp.threat_attributes: skipped (the ILM policy applies)
EXPECTED
}

puts() { grep -cE '^(PUT|POST) ' "$1" || true; }

start_fake es --api-key "$api_key"
good=$es
policy "[$good]" "$api_key" >"$tmp/policy.yml"

# First run: everything created, the transform started.
"$agent" setup --policy "$tmp/policy.yml" --assets "$assets" >"$tmp/setup1.out" 2>"$tmp/setup1.err" \
  || fail "first setup: $(cat "$tmp/setup1.out" "$tmp/setup1.err")"
grep -q "^Elasticsearch 8.17.0 at $good$" "$tmp/setup1.out" || fail "version line: $(cat "$tmp/setup1.out")"
diff <(expected_lines created "created, started") <(grep -E '^[a-z_]+ [^ ]+: ' "$tmp/setup1.out") \
  || fail "first setup lines"
grep -q "^Setup complete: 8 assets on $good.$" "$tmp/setup1.out" || fail "summary line"
# What the fake holds is the files, byte for byte as JSON.
curl_state() { python3 -c "import json,urllib.request; print(json.dumps(json.load(urllib.request.urlopen('$1/_fake/state'))))"; }
curl_state "$good" >"$tmp/state1.json"
python3 - "$tmp/state1.json" "$assets" <<'PY' || fail "stored assets differ from the files"
import json, os, sys
state = json.load(open(sys.argv[1])); assets = sys.argv[2]
api = {"component_template": "_component_template", "index_template": "_index_template",
       "ingest_pipeline": "_ingest/pipeline", "ilm": "_ilm/policy", "transform": "_transform"}
n = 0
for folder, prefix in api.items():
    for f in os.listdir(os.path.join(assets, folder)):
        want = json.load(open(os.path.join(assets, folder, f)))
        got = state["assets"].get(prefix + "/" + f[:-5])
        assert got == want, (folder, f)
        n += 1
assert n == 8 and len(state["assets"]) == 8, n
assert state["started"] == ["logs-ti_misp.latest_ioc-default-0.2.0"], state["started"]
PY
puts1=$(puts "$tmp/es.log")
[ "$puts1" = 9 ] || fail "first setup: $puts1 PUT/POST requests, want 8 PUT and 1 _start"

# Second run: nothing sent but the _start, which says already started.
"$agent" setup --policy "$tmp/policy.yml" --assets "$assets" >"$tmp/setup2.out" 2>"$tmp/setup2.err" \
  || fail "second setup: $(cat "$tmp/setup2.out" "$tmp/setup2.err")"
diff <(expected_lines unchanged "unchanged, already started") <(grep -E '^[a-z_]+ [^ ]+: ' "$tmp/setup2.out") \
  || fail "second setup lines"
puts2=$(puts "$tmp/es.log")
[ $((puts2 - puts1)) = 1 ] || fail "second setup sent $((puts2 - puts1 - 1)) PUTs besides _start"

# An asset that differs from what is installed is updated, the others stay.
cp -r "$assets" "$tmp/assets2"
python3 - "$tmp/assets2" <<'PY'
import json, sys
for f, key, value in [("index_template/logs-ti_misp.threat.json", "priority", 201),
                      ("transform/logs-ti_misp.latest_ioc-default-0.2.0.json", "frequency", "1m")]:
    p = sys.argv[1] + "/" + f
    body = json.load(open(p)); body[key] = value; json.dump(body, open(p, "w"))
PY
"$agent" setup --policy "$tmp/policy.yml" --assets "$tmp/assets2" >"$tmp/setup3.out" 2>&1 \
  || fail "third setup: $(cat "$tmp/setup3.out")"
grep -q "^index_template logs-ti_misp.threat: updated$" "$tmp/setup3.out" || fail "update: $(cat "$tmp/setup3.out")"
grep -q "^index_template logs-ti_misp.threat_attributes: unchanged$" "$tmp/setup3.out" || fail "unchanged beside an update"
grep -q "^transform logs-ti_misp.latest_ioc-default-0.2.0: updated, already started$" "$tmp/setup3.out" \
  || fail "transform update: $(cat "$tmp/setup3.out")"
grep -q "POST /_transform/logs-ti_misp.latest_ioc-default-0.2.0/_update?defer_validation=true" "$tmp/es.log" \
  || fail "transform updated through _update"
# A transform whose latest differs cannot be updated: the operator is told what to do.
python3 - "$tmp/assets2" <<'PY'
import json, sys
p = sys.argv[1] + "/transform/logs-ti_misp.latest_ioc-default-0.2.0.json"
body = json.load(open(p)); body["latest"]["sort"] = "event.ingested"; json.dump(body, open(p, "w"))
PY
set +e
"$agent" setup --policy "$tmp/policy.yml" --assets "$tmp/assets2" >"$tmp/setup4.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] || fail "differing latest: exit $rc"
grep -q "^transform logs-ti_misp.latest_ioc-default-0.2.0: error: its latest settings differ .*DELETE _transform/logs-ti_misp.latest_ioc-default-0.2.0" "$tmp/setup4.out" \
  || fail "differing latest message: $(cat "$tmp/setup4.out")"
grep -q "^misp-agent setup: 1 of 8 assets failed$" "$tmp/setup4.out" || fail "failure summary"

# The build tree's assets are found without --assets (misp-agent sits at the top of the build).
if [ -d "$(dirname "$agent")/packaging/elasticsearch/assets/index_template" ]; then
  "$agent" setup --policy "$tmp/policy.yml" >"$tmp/setup5.out" 2>&1 || fail "default assets: $(cat "$tmp/setup5.out")"
fi
# Installed layout: <prefix>/bin/misp-agent reads <prefix>/share/misp-input/elasticsearch.
mkdir -p "$tmp/prefix/bin" "$tmp/prefix/share/misp-input"
cp "$agent" "$tmp/prefix/bin/misp-agent"
cp -r "$tmp/assets2" "$tmp/prefix/share/misp-input/elasticsearch"
set +e
"$tmp/prefix/bin/misp-agent" setup --policy "$tmp/policy.yml" >"$tmp/setup7.out" 2>&1
set -e
grep -q "^transform logs-ti_misp.latest_ioc-default-0.2.0: error: its latest settings differ" "$tmp/setup7.out" \
  || fail "installed assets not read: $(cat "$tmp/setup7.out")"
set +e
"$agent" setup --policy "$tmp/policy.yml" --assets "$tmp/nowhere" >"$tmp/setup6.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "no Elasticsearch assets found (looked in $tmp/nowhere); use --assets DIR" "$tmp/setup6.out" \
  || fail "missing assets: $(cat "$tmp/setup6.out")"

# Elasticsearch 7.17 and 8.7 are refused with the version, before anything is sent.
for v in 7.17.28 8.7.1; do
  start_fake "es$v" --version "$v"
  policy "[$es]" "$api_key" >"$tmp/policy-$v.yml"
  set +e
  "$agent" setup --policy "$tmp/policy-$v.yml" --assets "$assets" >"$tmp/old.out" 2>&1; rc=$?
  set -e
  [ $rc = 1 ] || fail "$v: exit $rc"
  grep -q "^misp-agent setup: Elasticsearch $v at $es is not supported: misp-agent setup needs Elasticsearch 8.8 or later" "$tmp/old.out" \
    || fail "$v message: $(cat "$tmp/old.out")"
  [ "$(puts "$tmp/es$v.log")" = 0 ] || fail "$v: something was installed"
done

# 401: the host is named, the key never printed (neither as written nor base64-encoded).
policy "[$good]" "setupid:wrong-key-4242" >"$tmp/policy-401.yml"
set +e
"$agent" setup --policy "$tmp/policy-401.yml" --assets "$assets" >"$tmp/401.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] || fail "401: exit $rc"
grep -q "^misp-agent setup: Elasticsearch at $good refused the credentials (HTTP 401): check outputs.default.api_key" "$tmp/401.out" \
  || fail "401 message: $(cat "$tmp/401.out")"
wrong_b64=$(printf '%s' "setupid:wrong-key-4242" | base64)
if grep -qF -e "wrong-key-4242" -e "$wrong_b64" -e "s3cr3t" -e "$key_b64" "$tmp"/*.out "$tmp"/setup*.err; then
  fail "a key was printed"
fi

# Every host is tried: a dead one and a broken one (503) before the good one.
start_fake broken --status 503
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
policy "[http://127.0.0.1:$dead_port, $es, $good]" "$api_key" >"$tmp/policy-failover.yml"
"$agent" setup --policy "$tmp/policy-failover.yml" --assets "$assets" >"$tmp/failover.out" 2>&1 \
  || fail "failover: $(cat "$tmp/failover.out")"
grep -q "^Elasticsearch 8.17.0 at $good$" "$tmp/failover.out" || fail "failover host: $(cat "$tmp/failover.out")"

# A cluster where Fleet installed Elastic's MISP integration: nothing is replaced.
start_fake fleet
python3 - "$es" <<'PY'
import json, sys, urllib.request
body = {"index_patterns": ["logs-ti_misp.threat_attributes-*"], "data_stream": {}, "priority": 200,
        "composed_of": ["logs-ti_misp.threat_attributes@package"],
        "_meta": {"package": {"name": "ti_misp"}, "managed_by": "fleet", "managed": True}}
req = urllib.request.Request(sys.argv[1] + "/_index_template/logs-ti_misp.threat_attributes",
                             data=json.dumps(body).encode(), method="PUT",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
PY
policy "[$es]" "$api_key" >"$tmp/policy-fleet.yml"
set +e
"$agent" setup --policy "$tmp/policy-fleet.yml" --assets "$assets" >"$tmp/fleet.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] || fail "Fleet: exit $rc"
grep -q "^index_template logs-ti_misp.threat_attributes: error: installed by Fleet .*output: raw" "$tmp/fleet.out" \
  && grep -q "^misp-agent setup: nothing installed: 1 of the assets belong to Fleet$" "$tmp/fleet.out" \
  || fail "Fleet message: $(cat "$tmp/fleet.out")"
[ "$(puts "$tmp/fleet.log")" = 1 ] || fail "Fleet: setup sent something"

# Not an elasticsearch output, a port left empty: refused naming the key.
sed 's/type: elasticsearch/type: console/; /hosts:/d; /api_key:/d' "$tmp/policy.yml" >"$tmp/policy-console.yml"
set +e
"$agent" setup --policy "$tmp/policy-console.yml" >"$tmp/console.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "outputs.default.type: setup installs on an elasticsearch output" "$tmp/console.out" \
  || fail "console output: $(cat "$tmp/console.out")"
policy "[$good, 'http://127.0.0.1:']" "$api_key" >"$tmp/policy-port.yml"
set +e
"$agent" setup --policy "$tmp/policy-port.yml" --assets "$assets" >"$tmp/port.out" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "^misp-agent setup: outputs.default.hosts\[1\]: has an empty port" "$tmp/port.out" \
  || fail "empty port: $(cat "$tmp/port.out")"

if grep -h UNEXPECTED "$tmp"/*.log; then fail "the fake Elasticsearch saw an unexpected request"; fi
echo "agent_setup_cli: OK"
