#!/usr/bin/env bash
# Whole-process figures for tests/bench/RESULTS.md: `misp-agent run --once` over N generated
# realistic attributes (tests/bench/gen_misp.py) served by the emulator, against curl fetching the
# same rows in the same page size, with GNU time (wall, user+sys, peak RSS).
#   bash tests/bench/run_vs_curl.sh BUILD_DIR [ATTRIBUTES=100000] [LIMIT=10000] [RUNS=3]
set -euo pipefail
build=$1 n=${2:-100000} limit=${3:-10000} runs=${4:-3}
agent=${AGENT:-$build/misp-agent}  # AGENT=... times another build against the same emulator
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'kill $emu 2>/dev/null || true; rm -rf "$tmp"' EXIT
key=bench-key-0123456789
python3 "$here/gen_misp.py" event "$n" >"$tmp/event.json"
"$build/misp-emulator" --key "$key" --port-file "$tmp/port" --events 0 --load "$tmp/event.json" \
  >"$tmp/emulator.log" 2>&1 &
emu=$!
for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$tmp/port")"
cat >"$tmp/policy.yml" <<POLICY
outputs:
  default: {type: console}  # curl writes to /dev/null: so does the agent (no fsync of 250 MB)
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: $key
        limit: $limit
        initial_interval: 9000h
        http_request_rate_limit: 0
POLICY
pages=$(( (n + limit - 1) / limit ))
fetch_all() {  # what curl alone costs: the same rows, the same page size, read to /dev/null
  for p in $(seq "$pages"); do
    curl -sS -o /dev/null -H "Authorization: $key" -H 'Accept: application/json' \
      -H 'Content-Type: application/json' \
      -d "{\"returnFormat\":\"json\",\"limit\":$limit,\"page\":$p,\"includeDecayScore\":true}" \
      "$url/attributes/restSearch"
  done
}
export -f fetch_all; export key limit url pages
for i in $(seq "$runs"); do
  rm -rf "$tmp/data"
  /usr/bin/time -o "$tmp/time" -f "agent wall=%e s cpu=%U+%S s peak_rss=%M KiB" \
    "$agent" run --once --policy "$tmp/policy.yml" --data-dir "$tmp/data" 2>"$tmp/agent.log" \
    | wc -l >"$tmp/lines"
  cat "$tmp/time"
  got=$(cat "$tmp/lines")
  [ "$got" = "$n" ] || { echo "agent delivered $got of $n" >&2; tail -3 "$tmp/agent.log" >&2; exit 1; }
  /usr/bin/time -o "$tmp/time" -f "curl  wall=%e s cpu=%U+%S s" bash -c fetch_all
  cat "$tmp/time"
done
