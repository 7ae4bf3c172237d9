#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test of one preset (default: "default").
#   bash scripts/test.sh [default|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
bash scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" --output-on-failure
# ctest flushes Testing/Temporary/LastTest.log only when the run ends, so its last test
# (secrets_scan) sees the work files but not always the log: scan the finished log once more.
bash tests/support/secrets_scan.sh "build/$preset" "build/$preset/test-work" .
