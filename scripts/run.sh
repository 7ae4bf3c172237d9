#!/usr/bin/env bash
# The main job, end to end: build, then poll MISP for both data streams into out/misp.ndjson.
#   bash scripts/run.sh                      # against the bundled MISP emulator (loopback)
#   MISP_URL=https://misp.example MISP_API_KEY=... bash scripts/run.sh   # against a real MISP
# It also maps the bundled MISP exports offline (out/offline-*.ndjson) with `misp-agent map`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT_DIR:-out}
shared=${MISP_SHARED_DIR:-../shared}
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target misp-agent misp-emulator
bin=build/default
mkdir -p "$out"
rm -rf "$out/data" "$out/misp.ndjson"

emulator_pid=""
cleanup() { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "${MISP_URL:-}" ]; then
  key=0123456789abcdef0123456789abcdef01234567
  rm -f "$out/emulator.port"
  "$bin/misp-emulator" --events 40 --attributes-each 25 --key "$key" --port-file "$out/emulator.port" \
    --load "$shared/vectors/misp/06_circl_osint_feed_event__PyMISP_57c4445b-c548-4654-af0b-4be3950d210f.json" &
  emulator_pid=$!
  for _ in $(seq 50); do [ -s "$out/emulator.port" ] && break; sleep 0.1; done
  MISP_URL="http://127.0.0.1:$(cat "$out/emulator.port")"
  MISP_API_KEY=$key
fi

cat >"$out/policy.yml" <<POLICY
outputs:
  default: {type: file, path: $out/misp.ndjson}
inputs:
  - type: misp
    id: misp
    streams:
      - id: threat
        data_stream: {dataset: ti_misp.threat, namespace: default}
        url: $MISP_URL
        api_token: "$MISP_API_KEY"
        limit: 10
        initial_interval: 131400h  # 15 years: the bundled CIRCL export is from 2016
      - id: threat_attributes
        data_stream: {dataset: ti_misp.threat_attributes, namespace: default}
        url: $MISP_URL
        api_token: "$MISP_API_KEY"
        limit: 100
        initial_interval: 131400h  # 15 years: the bundled CIRCL export is from 2016
        preserve_original_event: true
POLICY
"$bin/misp-agent" run --policy "$out/policy.yml" --once --data-dir "$out/data"
echo "polled: $(wc -l <"$out/misp.ndjson") documents in $out/misp.ndjson; cursors:"
for f in "$out"/data/cursors/*.cursor; do echo "  $(basename "$f" .cursor): $(cat "$f")"; done

"$bin/misp-agent" map --preserve-original-event "$shared"/vectors/misp/0[2-7]_*.json "$shared"/vectors/misp/10_*.json \
  >"$out/offline-threat.ndjson"
"$bin/misp-agent" map --dataset threat_attributes "$shared"/vectors/misp/0[89]_*.json >"$out/offline-threat_attributes.ndjson"
