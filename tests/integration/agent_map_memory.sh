#!/usr/bin/env bash
# The memory bounds README states for `misp-agent map`, measured on generated realistic input
# (tests/bench/gen_misp.py) with GNU time's peak RSS:
#   - NDJSON is streamed: peak RSS does not grow with the input (10k vs 60k documents differ by
#     under 8 MiB) and stays under 64 MiB;
#   - one JSON document (an event of N attributes) is held whole: peak RSS under 8x its size + 32 MiB.
# Under AddressSanitizer (shadow memory, quarantine) only the growth check applies.
set -euo pipefail
agent=$1 gen=$2
tmp=$(mktemp -d); trap '[ -n "${MISP_TEST_KEEP_WORK:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
asan=0; [[ "${ASAN_OPTIONS:-}" != "" ]] && asan=1

# peak_kib DATASET INPUT: maps INPUT (a file, or - for the generator's pipe) and prints peak RSS.
peak_kib() {
  /usr/bin/time -f "%M" -o "$tmp/rss" "$agent" map --dataset "$1" "$2" >"$tmp/out.ndjson" 2>"$tmp/err" \
    || { cat "$tmp/err" >&2; fail "map $2 exited non-zero"; }
  cat "$tmp/rss"
}

python3 "$gen" attributes 10000 >"$tmp/small.ndjson"
small=$(peak_kib threat_attributes "$tmp/small.ndjson")
[ "$(wc -l <"$tmp/out.ndjson")" = 10000 ] || fail "10k: wrong document count"
python3 "$gen" attributes 60000 | { /usr/bin/time -f "%M" -o "$tmp/rss" "$agent" map --dataset threat_attributes - >"$tmp/out.ndjson" 2>"$tmp/err" || fail "stdin map failed"; }
large=$(cat "$tmp/rss")
[ "$(wc -l <"$tmp/out.ndjson")" = 60000 ] || fail "60k from stdin: wrong document count"
echo "NDJSON peak RSS: 10k documents ${small} KiB, 60k documents (~84 MB, stdin) ${large} KiB"
[ $((large - small)) -lt 8192 ] || fail "NDJSON peak RSS grew with the input: ${small} -> ${large} KiB"
if [ $asan = 0 ]; then
  [ "$large" -lt 65536 ] || fail "NDJSON peak RSS ${large} KiB is over the 64 MiB bound"
fi

python3 "$gen" event 20000 >"$tmp/event.json"
bytes=$(stat -c %s "$tmp/event.json")
peak=$(peak_kib threat "$tmp/event.json")
[ "$(wc -l <"$tmp/out.ndjson")" = 20000 ] || fail "event: wrong document count"
bound=$((bytes * 8 / 1024 + 32768))
echo "one event of 20k attributes, $((bytes / 1024)) KiB: peak RSS ${peak} KiB (bound ${bound} KiB)"
if [ $asan = 0 ]; then
  [ "$peak" -lt "$bound" ] || fail "event peak RSS ${peak} KiB is over 8x the body + 32 MiB"
fi
echo "agent_map_memory: ok"
