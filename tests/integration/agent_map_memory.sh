#!/usr/bin/env bash
# The memory bounds README states for `misp-agent map` and `run`, measured on generated realistic
# input (tests/bench/gen_misp.py) with GNU time's peak RSS:
#   - NDJSON is streamed: peak RSS does not grow with the input (10k vs 60k documents differ by
#     under 8 MiB) and stays under 64 MiB;
#   - one large JSON document (an event of N attributes, an attributes response) is split from its
#     text: peak RSS under 2.5x its size over the process's own footprint; one under 8 MiB is
#     parsed as a tree: under 8x its size over the footprint;
#   - a poll (`run --once`) holds pages, not the data set: 20k and 40k attributes at limit 1000
#     differ by under 8 MiB, and stay under 64 MiB; one event of 20k attributes on the events
#     stream stays under 8x its size + 32 MiB (its documents are streamed, not built all first).
# Under AddressSanitizer (shadow memory) only the growth checks apply, with its quarantine of freed
# memory cut to 16 MiB (by default it keeps 256 MiB of freed blocks, which grows with any input).
set -euo pipefail
agent=$1 gen=$2 emulator=$3
tmp=$(mktemp -d); trap '[ -n "${MISP_TEST_KEEP_WORK:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
asan=0
if [[ "${ASAN_OPTIONS:-}" != "" ]]; then
  asan=1
  export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16:thread_local_quarantine_size_kb=256"
fi

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

# A document under 8 MiB is parsed whole as a tree: under 8x its size over the footprint.
python3 "$gen" event 6000 >"$tmp/body.json"
bytes=$(stat -c %s "$tmp/body.json")
peak=$(peak_kib threat "$tmp/body.json")
[ "$(wc -l <"$tmp/out.ndjson")" = 6000 ] || fail "small event: wrong document count"
echo "one event of 6k attributes, $((bytes / 1024)) KiB, parsed as a tree: peak RSS ${peak} KiB"
if [ $asan = 0 ]; then
  [ "$peak" -lt $((bytes * 8 / 1024 + small)) ] || fail "small event peak RSS ${peak} KiB is over 8x"
fi
# One large JSON document is split from its text (issue 12): the body, simdjson's index of it
# while its shape is read, then one document at a time. Bound: 2.5x the body over the process's
# own footprint (the 10k-document NDJSON run above: code, buffers, the mapper).
for shape in "event threat" "attributes-response threat_attributes"; do
  read -r kind dataset <<<"$shape"
  python3 "$gen" "$kind" 60000 >"$tmp/body.json"
  bytes=$(stat -c %s "$tmp/body.json")
  peak=$(peak_kib "$dataset" "$tmp/body.json")
  [ "$(wc -l <"$tmp/out.ndjson")" = 60000 ] || fail "$kind: wrong document count"
  bound=$((bytes * 5 / 2 / 1024 + small))
  echo "one $kind body of 60k attributes, $((bytes / 1024)) KiB: peak RSS ${peak} KiB" \
    "($(((peak - small) * 100 / (bytes / 1024)))% of the body over the ${small} KiB footprint; bound ${bound} KiB)"
  if [ $asan = 0 ]; then
    [ "$peak" -lt "$bound" ] || fail "$kind peak RSS ${peak} KiB is over 2.5x the body + ${small} KiB"
  fi
done
# run --once against the emulator serving one generated event of N attributes: peak RSS in KiB.
#   poll_peak_kib N [DATASET=ti_misp.threat_attributes] [LIMIT=1000]
poll_peak_kib() {
  local n=$1 dataset=${2:-ti_misp.threat_attributes} limit=${3:-1000} key=memory-test-key-0123
  python3 "$gen" event "$n" >"$tmp/poll-event.json"
  rm -f "$tmp/port"
  "$emulator" --key "$key" --port-file "$tmp/port" --events 0 --load "$tmp/poll-event.json" \
    >"$tmp/emulator.log" 2>&1 &
  local emu=$!
  for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  cat >"$tmp/policy.yml" <<POLICY
outputs:
  default: {type: file, path: $tmp/poll.ndjson, rotate_bytes: 100000000000}
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: $dataset}
        url: http://127.0.0.1:$(cat "$tmp/port")
        api_token: \${env.MEMORY_TEST_KEY}
        limit: $limit
        initial_interval: 9000h
        http_request_rate_limit: 0
POLICY
  rm -rf "$tmp/data" "$tmp/poll.ndjson"
  MEMORY_TEST_KEY=$key /usr/bin/time -f "%M" -o "$tmp/rss" "$agent" run --once --policy "$tmp/policy.yml" \
    --data-dir "$tmp/data" 2>"$tmp/err" || { kill $emu; cat "$tmp/err" >&2; fail "run --once failed"; }
  kill $emu; wait $emu 2>/dev/null || true
  [ "$(wc -l <"$tmp/poll.ndjson")" = "$n" ] || fail "run --once: $(wc -l <"$tmp/poll.ndjson") of $n documents"
  cat "$tmp/rss"
}
p20=$(poll_peak_kib 20000)
p40=$(poll_peak_kib 40000)
echo "run --once at limit 1000: 20k attributes ${p20} KiB, 40k attributes ${p40} KiB"
[ $((p40 - p20)) -lt 8192 ] || fail "poll peak RSS grew with the data set: ${p20} -> ${p40} KiB"
if [ $asan = 0 ]; then
  [ "$p40" -lt 65536 ] || fail "poll peak RSS ${p40} KiB is over 64 MiB"
fi
# The events stream on one event of 20k attributes (issue 10: all its documents used to be built
# before the first was delivered): the page held whole, its documents streamed.
pe=$(poll_peak_kib 20000 ti_misp.threat 1)
ebytes=$(stat -c %s "$tmp/poll-event.json")
ebound=$((ebytes * 8 / 1024 + 32768))
echo "run --once, events stream, one event of 20k attributes ($((ebytes / 1024)) KiB): ${pe} KiB (bound ${ebound} KiB)"
if [ $asan = 0 ]; then
  [ "$pe" -lt "$ebound" ] || fail "events poll peak RSS ${pe} KiB is over 8x the page + 32 MiB"
fi
echo "agent_map_memory: ok"
