#!/usr/bin/env bash
# Starts two emulators (one prompt, one that answers after 10 s) and runs the C host against them.
set -euo pipefail
host=$1 lib=$2 emulator=$3
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${MISP_TEST_KEEP_WORK:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
"$emulator" --events 3 --attributes-each 20 --port-file "$tmp/fast" >/dev/null 2>&1 & pids+=($!)
"$emulator" --events 1 --attributes-each 1 --delay-ms 10000 --port-file "$tmp/slow" >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/fast" ] && [ -s "$tmp/slow" ] && break; sleep 0.1; done
"$host" "$lib" "http://127.0.0.1:$(cat "$tmp/fast")" "http://127.0.0.1:$(cat "$tmp/slow")"
