#!/usr/bin/env bash
# misp-agent when its files fail: a full disk or a file size limit never leaves a torn line in the
# NDJSON output (nor one glued to the next document after a restart), a torn tail left by a crash
# is cut off before appending, the error names the file and the reason (strerror), and a damaged
# cursor file is refused with its bytes shown escaped (no NUL or control byte reaches the log).
set -euo pipefail
agent=$1 emulator=$2
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 20 --attributes-each 50
policy() {  # policy OUTPUT_PATH
  cat <<POLICY
outputs:
  default: {type: file, path: $1}
inputs:
  - type: misp
    streams:
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: \${env.MISP_TEST_API_TOKEN}
        http_request_rate_limit: 0
        limit: 100
POLICY
}
export MISP_TEST_API_TOKEN=$key
# every_line_parses FILE: the file ends with a newline and each line is a JSON document.
every_line_parses() {
  python3 - "$1" <<'PY' || fail "$1: $(tail -c 200 "$1")"
import json, sys
data = open(sys.argv[1], "rb").read()
if data and not data.endswith(b"\n"):
    sys.exit(f"ends in a torn line: {data[-80:]!r}")
for n, line in enumerate(data.splitlines(), 1):
    try:
        json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line[:120]!r}")
PY
}
passed=0

# 1. A file size limit (ulimit -f, SIGXFSZ ignored as a service manager may) cuts a write short:
#    the run fails naming the file and EFBIG's text, and no partial line is left behind.
policy "$tmp/limited.ndjson" >"$tmp/limited.yml"
rc=0
(trap '' XFSZ; ulimit -f 100; exec "$agent" run --policy "$tmp/limited.yml" --once \
  --data-dir "$tmp/data-limited") 2>"$tmp/limited.err" || rc=$?
[ "$rc" != 0 ] || fail "a run over the file size limit succeeded"
grep -q "$tmp/limited.ndjson: write: File too large" "$tmp/limited.err" \
  || fail "the error does not name the file and the reason: $(cat "$tmp/limited.err")"
every_line_parses "$tmp/limited.ndjson"
[ ! -e "$tmp/data-limited/cursors/attrs.cursor" ] || fail "a cursor was committed for a failed write"
passed=$((passed + 1))

# 2. A torn tail (a crash mid-write, or the failed write of an older version) is cut off on the
#    next start, said in a WARN line, and the documents come again: nothing glued, nothing lost.
policy "$tmp/out.ndjson" >"$tmp/out.yml"
"$agent" run --policy "$tmp/out.yml" --once --data-dir "$tmp/data" 2>"$tmp/run1.err" \
  || fail "first run: $(cat "$tmp/run1.err")"
head -c 300 "$tmp/out.ndjson" >"$tmp/torn.ndjson"  # half a line, no newline
rm -rf "$tmp/data"
cp "$tmp/torn.ndjson" "$tmp/out.ndjson"
"$agent" run --policy "$tmp/out.yml" --once --data-dir "$tmp/data" 2>"$tmp/run2.err" \
  || fail "run after a torn tail: $(cat "$tmp/run2.err")"
grep -q "WARN Output file ended in a partial line (300 bytes" "$tmp/run2.err" \
  || fail "no warning about the cut: $(cat "$tmp/run2.err")"
every_line_parses "$tmp/out.ndjson"
n=$(wc -l <"$tmp/out.ndjson")
[ "$n" = 1000 ] || fail "$n documents after the restart, want 1000"
passed=$((passed + 1))

# 3. A full disk: /dev/full refuses every write with ENOSPC; the message says so and where.
policy /dev/full >"$tmp/full.yml"
rc=0
"$agent" run --policy "$tmp/full.yml" --once --data-dir "$tmp/data-full" 2>"$tmp/full.err" || rc=$?
[ "$rc" != 0 ] || fail "a run into /dev/full succeeded"
grep -q 'Output failed. output=file error="/dev/full: write: No space left on device' "$tmp/full.err" \
  || fail "the error does not name the device and the reason: $(cat "$tmp/full.err")"
passed=$((passed + 1))

# 4. A cursor file that cannot be written: the error names it and why.
mkdir -p "$tmp/data-nocursor/cursors/attrs.cursor.tmp"  # where the new cursor is written first
rc=0
"$agent" run --policy "$tmp/out.yml" --once --data-dir "$tmp/data-nocursor" 2>"$tmp/nocursor.err" || rc=$?
[ "$rc" != 0 ] || fail "a run whose cursor cannot be written succeeded"
grep -q "Cursor file write failed; the cursor stays where it was. error=\"$tmp/data-nocursor/cursors/attrs.cursor.tmp: open: Is a directory\"" \
  "$tmp/nocursor.err" || fail "the cursor error does not name the file and the reason: $(cat "$tmp/nocursor.err")"
passed=$((passed + 1))

# 5. A damaged cursor file (NUL and control bytes): refused, the stream does not start from
#    scratch, and the message shows the bytes escaped: no NUL, no ESC reaches the log.
mkdir -p "$tmp/data-bad/cursors"
printf 'v2:17\000\033[31m:*:0\n' >"$tmp/data-bad/cursors/attrs.cursor"
rc=0
"$agent" run --policy "$tmp/out.yml" --once --data-dir "$tmp/data-bad" 2>"$tmp/bad.err" || rc=$?
[ "$rc" != 0 ] || fail "a damaged cursor was accepted"
grep -q "is not a cursor this plugin wrote" "$tmp/bad.err" || fail "no refusal: $(cat -v "$tmp/bad.err")"
[ "$(tr -d -c '\000\033' <"$tmp/bad.err" | wc -c)" = 0 ] \
  || fail "raw NUL or ESC bytes in the log: $(cat -v "$tmp/bad.err")"
grep -qF 'v2:17\x00\x1b[31m:*:0' "$tmp/bad.err" \
  || fail "the cursor's bytes are not shown escaped: $(cat -v "$tmp/bad.err")"
passed=$((passed + 1))

# 6. A cursor file that cannot be read (here a directory) stops the stream with the reason: it
#    never starts over from initial_interval in silence.
mkdir -p "$tmp/data-unreadable/cursors/attrs.cursor"
rc=0
"$agent" run --policy "$tmp/out.yml" --once --data-dir "$tmp/data-unreadable" 2>"$tmp/unreadable.err" || rc=$?
[ "$rc" != 0 ] || fail "a run with an unreadable cursor file succeeded"
grep -qF "Stream not started: its cursor file cannot be read. error=\"$tmp/data-unreadable/cursors/attrs.cursor: Is a directory\"" \
  "$tmp/unreadable.err" || fail "unreadable cursor: $(cat "$tmp/unreadable.err")"
passed=$((passed + 1))

echo "agent_output_faults: $passed passed, 0 failed"
