#!/usr/bin/env bash
# kill -9 at 10 random moments during a 10,000-attribute backfill, restarting each time: at the
# end every attribute is in the output, and any duplicate shares its _id (so Elasticsearch keeps
# one document).
set -euo pipefail
agent=$1 emulator=$2
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 200 --attributes-each 50
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
        http_request_rate_limit: 0
        limit: 100
POLICY
RANDOM=42
kills=0
for i in $(seq 10); do
  "$agent" run --policy "$tmp/policy.yml" --data-dir "$tmp/data" 2>>"$tmp/agent.log" &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
done
"$agent" run --policy "$tmp/policy.yml" --once --data-dir "$tmp/data" 2>>"$tmp/agent.log" || fail "final run"
pairs=$(sed -E 's/.*"_id":"([^"]*)".*"uuid":"([0-9a-f]{8}-0000-4000-8000-000000000061)".*/\2 \1/' "$tmp/out.ndjson" | sort -u)
uuids=$(echo "$pairs" | cut -d' ' -f1 | sort -u | wc -l)
[ "$uuids" = 10000 ] || fail "$uuids distinct attributes in the output, want 10000"
conflicts=$(echo "$pairs" | cut -d' ' -f1 | uniq -d | wc -l)
[ "$conflicts" = 0 ] || fail "$conflicts attributes delivered with different _ids"
lines=$(wc -l <"$tmp/out.ndjson")
echo "agent_kill9: $kills kills, $lines lines for 10000 attributes ($((lines - 10000)) re-delivered, same _id)"
echo "agent_kill9: 1 passed, 0 failed"
