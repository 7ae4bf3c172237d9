#!/usr/bin/env bash
# Idle is free (issue 12): between polls the agent (its stream thread, signal watcher, metrics
# server and the plugin's wait) sleeps without waking; a SIGTERM still stops it at once.
# Wake-ups are counted as context switches of all its threads over 3 idle seconds (the 100 ms
# sleep loops this replaced made ~45).
set -euo pipefail
agent=$1 emulator=$2
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 5 --attributes-each 4
cat >"$tmp/policy.yml" <<POLICY
outputs:
  default: {type: file, path: $tmp/out.ndjson}
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: $key
        interval: 1h
        http_request_rate_limit: 0
POLICY
port=$((20000 + RANDOM % 20000))
"$agent" run --policy "$tmp/policy.yml" --data-dir "$tmp/data" --metrics-port "$port" 2>"$tmp/agent.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 100); do [ -s "$tmp/data/cursors/attrs.cursor" ] && break; sleep 0.1; done
[ -s "$tmp/data/cursors/attrs.cursor" ] || fail "no cursor after the first poll: $(cat "$tmp/agent.log")"
[ "$(wc -l <"$tmp/out.ndjson")" = 20 ] || fail "first poll: want 20 documents"
python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=5).read()" "http://127.0.0.1:$port/metrics" || fail "metrics server not answering"
sleep 1  # let the poll's last commit and the metrics request settle

switches() {
  local n=0
  for f in /proc/"$pid"/task/*/status; do
    n=$((n + $(awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}' "$f")))
  done
  echo "$n"
}
threads=$(ls /proc/"$pid"/task | wc -l)
before=$(switches)
sleep 3
after=$(switches)
echo "idle for 3 s: $((after - before)) context switches over $threads threads"
[ $((after - before)) -le 3 ] || fail "the idle agent woke $((after - before)) times in 3 s"

start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid" || fail "agent exited non-zero after SIGTERM: $(cat "$tmp/agent.log")"
ms=$((($(date +%s%N) - start) / 1000000))
echo "stopped ${ms} ms after SIGTERM"
[ "$ms" -lt 1000 ] || fail "stopping took ${ms} ms"
echo "agent_idle: ok"
