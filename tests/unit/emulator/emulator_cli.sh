#!/usr/bin/env bash
# misp-emulator's command line: bad values exit 2 with a message naming the flag; the clock,
# bulk-event and chaos flags change what it serves; --ledger-file records the changes.
set -euo pipefail
emulator=$1
source "$(dirname "$0")/../../integration/lib.sh"

expect_refused() {  # expect_refused "message part" args...
  local want=$1; shift
  local out rc=0
  out=$("$emulator" "$@" 2>&1) || rc=$?
  [ "$rc" = 2 ] || fail "misp-emulator $* exited $rc, not 2: $out"
  grep -qF -- "$want" <<<"$out" || fail "misp-emulator $*: no '$want' in: $out"
}
expect_refused "--events: not an integer: 'x'" --events x
expect_refused "--attributes-each: must be between 0 and" --attributes-each -1
expect_refused "--delay-ms: not an integer: '5ms'" --delay-ms 5ms
expect_refused "--clock-offset: not an integer: ''" --clock-offset ""
expect_refused "--edit-probability: must be between 0 and 1, got 1.5" --edit-probability 1.5
expect_refused "--edit-probability: not a number: 'often'" --edit-probability often
expect_refused "--inserts-per-request: must be between 0 and 2147483647, got 99999999999" --inserts-per-request 99999999999
expect_refused "--chaos-seed: must be between 0 and" --chaos-seed -3
expect_refused "--late-save-max-age needs a value" --late-save-max-age
expect_refused "unknown option --bogus" --bogus
expect_refused "--load: cannot open /nonexistent.json" --load /nonexistent.json
"$emulator" --help | grep -q -- "--hard-deletes-per-request N" || fail "--help lacks the chaos flags"
expect_refused "--error-probability: must be between 0 and 1, got 2" --error-probability 2
expect_refused "--slow-ms: not an integer: 'slow'" --slow-ms slow
expect_refused "add up to more than 1" --error-probability 0.6 --rate-limit-probability 0.5
"$emulator" --help | grep -q -- "--served-file FILE" || fail "--help lacks the soak flags"

command -v curl >/dev/null || { echo "curl missing: HTTP part skipped"; exit 0; }
ledger="$tmp/ledger.ndjson"
start_emulator "$emulator" --events 2 --attributes-each 5 --clock-offset 86400 --bulk-event 7 \
  --chaos-seed 3 --inserts-per-request 2 --late-save-max-age 60 --synced-per-request 1 \
  --hard-deletes-per-request 1 --ledger-file "$ledger"
headers="$tmp/headers"
body=$(curl -sS -D "$headers" -H "Authorization: $key" -H 'Content-Type: application/json' \
  -d '{"returnFormat":"json"}' "$url/attributes/restSearch")
date_header=$(grep -i '^Date:' "$headers" | cut -d' ' -f2- | tr -d '\r')
misp_now=$(date -u -d "$date_header" +%s)
[ $((misp_now - $(date -u +%s))) -ge 86300 ] || fail "Date $date_header is not a day ahead"
rows=$(grep -o '"uuid"' <<<"$body" | wc -l)
# 10 generated + 7 bulk + 2 inserted + 1 synced - 1 hard-deleted, each with an Event stub uuid.
[ "$rows" = $((2 * 19)) ] || fail "expected 19 attributes, got $((rows / 2)): $body"
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true
[ "$(grep -c '"kind":"bulk"' "$ledger")" = 7 ] || fail "ledger: $(cat "$ledger")"
[ "$(grep -c '"request":1' "$ledger")" = 4 ] || fail "ledger: $(cat "$ledger")"
echo "ok"
