#!/usr/bin/env bash
# Check misp-agent against a REAL MISP (opt-in; see tests/realmisp/README.md).
#
#   MISP_URL=http://127.0.0.1:8880 MISP_KEY=... bash tests/realmisp/check.sh build/default/misp-agent
#
# MISP_KEY defaults to /var/lib/misp-test/authkey and MISP_URL to /var/lib/misp-test/url (what
# /work/shared/tools/realmisp/setup.sh leaves). The key is passed to the agent through a 0600 file
# in the work directory (api_token_file) and is never printed.
# Knobs: DURATION=120 (seconds of mutation while the agent polls), RATE=3 (changes per second),
# EVENTS=30, ATTRS=40, SCOPE=run|all (see below), WORK=<dir> (default: a new mktemp dir, kept for inspection), SEED=1,
# STRICT_REDELIVERY=1 (fail, not warn, on a document re-delivered under the same _id).
# Exits non-zero on a lost or duplicated version, or a poller/map mismatch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AGENT=$(realpath "${1:?usage: check.sh PATH/TO/misp-agent}")
STATE_DIR=${STATE_DIR:-/var/lib/misp-test}
export MISP_URL=${MISP_URL:-$(cat "$STATE_DIR/url" 2>/dev/null || true)}
export MISP_KEY=${MISP_KEY:-$(cat "$STATE_DIR/authkey" 2>/dev/null || true)}
[ -n "$MISP_URL" ] && [ -n "$MISP_KEY" ] || { echo "set MISP_URL and MISP_KEY" >&2; exit 2; }
DURATION=${DURATION:-120}; RATE=${RATE:-3}; EVENTS=${EVENTS:-30}; ATTRS=${ATTRS:-40}; SEED=${SEED:-1}
WORK=${WORK:-$(mktemp -d /tmp/realmisp-check.XXXXXX)}
mkdir -p "$WORK"; rm -rf "$WORK/data" "$WORK"/*.ndjson "$WORK"/mutations.jsonl
py() { local c=$1; shift; python3 "$here/misp_scenario.py" "$c" --state "$WORK" "$@"; }
log() { echo "[check $(date -u +%H:%M:%S)] $*" >&2; }

agent_pid=""
cleanup() { if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then kill "$agent_pid"; wait "$agent_pid" || true; fi; rm -f "$WORK/key"; }
trap cleanup EXIT

(umask 077; printf '%s\n' "$MISP_KEY" >"$WORK/key")
# SCOPE=run (default): the agent's first window and the checks start at this run's populate
# (minus a 60 s margin for the window), so data left by earlier runs is neither polled nor checked.
# SCOPE=all: initial_interval 120h, everything MISP holds from the last 120 h is polled and checked.
SCOPE=${SCOPE:-run}
T0=$(date +%s)
write_policy() { # initial_interval
cat >"$WORK/policy.yml" <<EOF
outputs:
  default:
    type: file
    path: $WORK/out.ndjson
inputs:
  - type: misp
    id: realmisp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $MISP_URL
        api_token_file: $WORK/key
        limit: 7
        initial_interval: $1
        settle_delay: 2s
        interval: 2s
        http_request_rate_limit: 0
        enable_request_tracer: true
      - id: events
        data_stream: {dataset: ti_misp.threat}
        url: $MISP_URL
        api_token_file: $WORK/key
        limit: 3
        initial_interval: $1
        settle_delay: 2s
        interval: 2s
        http_request_rate_limit: 0
        enable_request_tracer: true
EOF
}
write_policy 120h
"$AGENT" run --check --policy "$WORK/policy.yml" --data-dir "$WORK/data" >&2

log "populating MISP ($EVENTS events x $ATTRS attributes, one event of every type, objects)"
py populate --events "$EVENTS" --attrs "$ATTRS" --seed "$SEED" | tee "$WORK/populate.json"

if [ "$SCOPE" = run ]; then write_policy "$(( $(date +%s) - T0 + 60 ))s"; SINCE=$T0; else SINCE=0; fi
echo "$SINCE" >"$WORK/since"
grep -m1 initial_interval "$WORK/policy.yml" >&2
log "misp-agent run (continuous) while the mutator runs for ${DURATION}s at ${RATE}/s"
"$AGENT" run --policy "$WORK/policy.yml" --data-dir "$WORK/data" >"$WORK/agent.stdout" 2>"$WORK/agent.stderr" &
agent_pid=$!
py mutate --duration "$DURATION" --rate "$RATE" --seed "$((SEED + 1))" | tee "$WORK/mutate.json"
log "mutator stopped; waiting 6s (> settle_delay + interval), then stopping the agent"
sleep 6
kill "$agent_pid"; rc=0; wait "$agent_pid" || rc=$?; agent_pid=""
log "continuous agent exited with $rc"
sleep 3
log "final misp-agent run --once (same data dir)"
"$AGENT" run --once --policy "$WORK/policy.yml" --data-dir "$WORK/data" >"$WORK/once.stdout" 2>"$WORK/once.stderr" \
  || { cat "$WORK/once.stderr" >&2; exit 1; }

log "dumping MISP's truth"
py dump | tee "$WORK/dump.json"
NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
"$AGENT" map --dataset threat_attributes --now "$NOW" "$WORK/truth_attributes.json" >"$WORK/map_attributes.ndjson"
"$AGENT" map --dataset threat --now "$NOW" "$WORK/truth_events.json" >"$WORK/map_events.ndjson"

log "checking (work dir $WORK)"
python3 "$here/misp_scenario.py" check --state "$WORK" --output "$WORK/out.ndjson" \
  --map-attributes "$WORK/map_attributes.ndjson" --map-events "$WORK/map_events.ndjson" \
  --stderr "$WORK/agent.stderr" --stderr "$WORK/once.stderr" --strict-redelivery "${STRICT_REDELIVERY:-0}" --since "$SINCE"
