#!/usr/bin/env bash
# The main job, end to end: build misp-agent, then map the bundled MISP data (the Elastic test
# vectors and the real MISP exports in ../shared/vectors) to ECS NDJSON under out/.
#   bash scripts/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out}
shared=${MISP_SHARED_DIR:-../shared}
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target misp-agent
agent=build/default/misp-agent
mkdir -p "$out"
"$agent" map --preserve-original-event "$shared"/vectors/threat/*.ndjson "$shared"/vectors/misp/0[2-7]_*.json \
  "$shared"/vectors/misp/10_*.json >"$out/threat.ndjson"
"$agent" map --dataset threat_attributes --ioc-expiration-duration 5d "$shared"/vectors/threat_attributes/*.ndjson \
  "$shared"/vectors/misp/0[89]_*.json >"$out/threat_attributes.ndjson"
for f in "$out"/*.ndjson; do echo "$f: $(wc -l <"$f") documents"; done
