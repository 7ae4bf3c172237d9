#!/usr/bin/env bash
# Soak: misp-agent against a busy, faulty MISP (the emulator with chaos: edits, inserts, long
# saves, soft deletes, equal-timestamp runs, 5xx, 429 with X-Rate-Limit-Reset, dropped and slow
# answers), killed with SIGKILL every 5-20 s and restarted, for SOAK_SECONDS (default 120). Then
# the MISP goes quiet, one last `run --once` catches up, and check.py holds the output against the
# emulator's ground truth: every line parses, no version under two _ids, every attribute and event
# in the version MISP ends with is delivered, every version MISP served is delivered unless MISP
# replaced it before the agent committed it, every cursor file parses and each run started from it.
#   soak.sh MISP_AGENT MISP_EMULATOR
#   env: SOAK_SECONDS (120), SOAK_SEED (random, printed), SOAK_DIR (work dir; default a new one
#        under $TMPDIR, removed when the run passes unless MISP_TEST_KEEP_WORK is set, kept when
#        it fails), SOAK_EDIT_PROBABILITY (0.0005: each live attribute's chance per request)
set -euo pipefail
agent=$1 emulator=$2
here=$(cd "$(dirname "$0")" && pwd)
seconds=${SOAK_SECONDS:-120}
seed=${SOAK_SEED:-$(( $(date +%s) % 100000 ))}
if [ -n "${SOAK_DIR:-}" ]; then work=$SOAK_DIR; mkdir -p "$work"; else work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX"); fi
key=$(sed -n 's/^api_token=//p' "$here/../support/secrets.txt")
export MISP_SOAK_API_TOKEN=$key  # policies name it, so no file of the run holds the key
emu_pid= agent_pid= passed=0
cleanup() {
  [ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null
  if [ "$passed" = 1 ] && [ -z "${SOAK_DIR:-}" ] && [ -z "${MISP_TEST_KEEP_WORK:-}" ]; then
    rm -rf "$work"
  else
    echo "soak: work kept in $work"
  fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
RANDOM=$seed
echo "soak: ${seconds}s, seed $seed, work $work"

# 2000 attributes in 400 small events (the threat stream re-reads a whole event whenever one of
# its attributes changes) plus a bulk import of 120 sharing one second (a run of equal timestamps
# longer than the attribute stream's limit of 50); per request about one edit (stamped MISP's
# now, so edits of one request tie), one insert (up to 2 s late: a long save) and one soft delete.
"$emulator" --key "$key" --port-file "$work/port" --events 400 --attributes-each 5 \
  --bulk-event 120 --chaos-seed "$seed" --edit-probability "${SOAK_EDIT_PROBABILITY:-0.0005}" \
  --inserts-per-request 1 --late-save-max-age 2 --soft-deletes-per-request 1 --fault-seed "$seed" \
  --error-probability 0.05 --rate-limit-probability 0.03 --rate-limit-reset 1 \
  --drop-probability 0.02 --slow-probability 0.05 --slow-ms 1500 \
  --ledger-file "$work/ledger.ndjson" --served-file "$work/served.ndjson" \
  --snapshot-file "$work/snapshot.ndjson" >"$work/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "misp-emulator did not start: $(cat "$work/emulator.log")"
url="http://127.0.0.1:$(cat "$work/port")"

# One policy per run: each run's request trace goes to its own file, so check.py can see where
# the run's first request started. settle_delay (4 s) exceeds the longest late save (2 s).
policy() {  # policy RUN
  cat <<POLICY
outputs:
  default: {type: file, path: $work/out.ndjson}
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: \${env.MISP_SOAK_API_TOKEN}
        http_request_rate_limit: 0
        limit: 50
        interval: 1s
        settle_delay: 4s
        retry_wait_min: 100ms
        retry_wait_max: 1s
        http_client_timeout: 5s
        enable_request_tracer: true
        tracer_path: $work/trace/$1-attrs.ndjson
      - id: events
        data_stream: {dataset: ti_misp.threat}
        url: $url
        api_token: \${env.MISP_SOAK_API_TOKEN}
        http_request_rate_limit: 0
        limit: 10
        interval: 1s
        settle_delay: 4s
        retry_wait_min: 100ms
        retry_wait_max: 1s
        http_client_timeout: 5s
        enable_request_tracer: true
        tracer_path: $work/trace/$1-events.ndjson
POLICY
}

mkdir -p "$work/trace" "$work/cursors-seen"
start=$(date +%s) run=0 kills=0
while [ $(( $(date +%s) - start )) -lt "$seconds" ]; do
  run=$((run + 1))
  # The cursors this run starts from, for check.py (absent before the first commit).
  for s in attrs events; do
    f="$work/data/cursors/$s.cursor"
    if [ -e "$f" ]; then cp "$f" "$work/cursors-seen/$run-$s.cursor"; fi
  done
  policy "$run" >"$work/policy-$run.yml"
  echo "=== run $run" >>"$work/agent.log"
  "$agent" run --policy "$work/policy-$run.yml" --data-dir "$work/data" 2>>"$work/agent.log" &
  agent_pid=$!
  left=$(( seconds - ($(date +%s) - start) ))
  nap=$(( RANDOM % 16 + 5 ))
  [ "$nap" -gt "$left" ] && nap=$(( left > 1 ? left : 1 ))
  # Kill at a random moment inside the second too, not only on whole seconds.
  sleep "$nap.$(( RANDOM % 10 ))"
  if kill -0 "$agent_pid" 2>/dev/null; then
    kill -9 "$agent_pid"
    kills=$((kills + 1))
  else
    wait "$agent_pid" || true
    fail "misp-agent exited on its own in run $run (see $work/agent.log)"
  fi
  wait "$agent_pid" 2>/dev/null || true
  agent_pid=
done

# Quiet: no more changes or faults; once settle_delay has passed, one run catches up to MISP's
# final state and must end cleanly.
kill -USR1 "$emu_pid"
sleep 6
run=$((run + 1))
for s in attrs events; do
  f="$work/data/cursors/$s.cursor"
  if [ -e "$f" ]; then cp "$f" "$work/cursors-seen/$run-$s.cursor"; fi
done
policy "$run" >"$work/policy-$run.yml"
echo "=== run $run (final, --once)" >>"$work/agent.log"
"$agent" run --policy "$work/policy-$run.yml" --once --data-dir "$work/data" 2>>"$work/agent.log" \
  || fail "the final run --once failed (see $work/agent.log)"
kill "$emu_pid"
wait "$emu_pid" || true
emu_pid=
python3 "$here/check.py" "$work" --runs "$run" --kills "$kills" --seconds "$seconds" --seed "$seed"
passed=1
echo "soak: 1 passed, 0 failed"
