#!/usr/bin/env bash
# `misp-agent map` as a user runs it: every input shape, flags, errors with positions, exit codes.
set -euo pipefail
agent=$1 shared=$2
tmp=$(mktemp -d); trap '[ -n "${MISP_TEST_KEEP_WORK:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { grep -c . "$1" || true; }

# NDJSON of split documents, seed example: one document, _id in @metadata, original kept on request.
"$agent" map --namespace 74662 --preserve-original-event "$shared/vectors/threat/seed-example.ndjson" >"$tmp/seed.ndjson" 2>"$tmp/err"
[ "$(count "$tmp/seed.ndjson")" = 1 ] || fail "seed: expected 1 document"
grep -q '"@metadata":{"_id":"' "$tmp/seed.ndjson" || fail "seed: no @metadata._id"
grep -q '"original":' "$tmp/seed.ndjson" || fail "seed: event.original missing with --preserve-original-event"
grep -q '"namespace":"74662"' "$tmp/seed.ndjson" || fail "seed: namespace"
"$agent" map "$shared/vectors/threat/seed-example.ndjson" >"$tmp/plain.ndjson" 2>/dev/null
grep -q '"original":' "$tmp/plain.ndjson" && fail "event.original present without preserve_original_event"
grep -q '"tags":\["forwarded","misp-threat"\]' "$tmp/plain.ndjson" || fail "default tags"
"$agent" map --tags '' --no-envelope "$shared/vectors/threat/seed-example.ndjson" >"$tmp/notags.ndjson" 2>/dev/null
grep -q '"tags"' "$tmp/notags.ndjson" && fail "--tags '' must add no tags field"
grep -q '"data_stream"' "$tmp/notags.ndjson" && fail "--no-envelope must omit data_stream"

# stdin, and the same _id for the same document.
id1=$(grep -o '"_id":"[^"]*"' "$tmp/seed.ndjson")
id2=$("$agent" map - <"$shared/vectors/threat/seed-example.ndjson" 2>/dev/null | grep -o '"_id":"[^"]*"')
[ "$id1" = "$id2" ] || fail "_id differs between runs"

# An event export, a bare PyMISP body, a restSearch body and an attributes response.
"$agent" map "$shared"/vectors/misp/06_*.json >"$tmp/06.ndjson" 2>/dev/null
[ "$(count "$tmp/06.ndjson")" = 9 ] || fail "06: expected 9 documents, got $(count "$tmp/06.ndjson")"
"$agent" map "$shared"/vectors/misp/04_*.json >"$tmp/04.ndjson" 2>/dev/null
[ "$(count "$tmp/04.ndjson")" = 3 ] || fail "04: expected 3"
"$agent" map "$shared"/vectors/misp/10_*.json >"$tmp/10.ndjson" 2>/dev/null
[ "$(count "$tmp/10.ndjson")" = 2 ] || fail "10: expected 2"
"$agent" map --dataset threat_attributes --now 2025-01-01T00:00:00Z "$shared"/vectors/misp/09_*.json >"$tmp/09.ndjson" 2>/dev/null
[ "$(count "$tmp/09.ndjson")" = 1 ] || fail "09: expected 1"
grep -q '"decayed_at"' "$tmp/09.ndjson" || fail "09: no decayed_at"
"$agent" map --dataset threat_attributes --ioc-expiration-duration 5d --tags preserve_original_event \
  --no-envelope --now 2025-01-01T00:00:00Z "$shared/vectors/threat_attributes/sample.ndjson" >"$tmp/attrs.ndjson" 2>/dev/null
[ "$(count "$tmp/attrs.ndjson")" = 14 ] || fail "attributes sample: expected 14"

# A feed directory: manifest.json is skipped, every <uuid>.json is an event.
mkdir "$tmp/feed"
cp "$shared"/vectors/misp/12_*.json "$tmp/feed/manifest.json"
cp "$shared"/vectors/misp/06_*.json "$tmp/feed/57c4445b-c548-4654-af0b-4be3950d210f.json"
cp "$shared"/vectors/misp/03_*.json "$tmp/feed/5b6b3b3a-0000-0000-0000-000000000003.json"
"$agent" map "$tmp/feed" >"$tmp/feed.ndjson" 2>/dev/null
[ "$(count "$tmp/feed.ndjson")" = 14 ] || fail "feed: expected 9 + 5 documents, got $(count "$tmp/feed.ndjson")"

# The elastic split reproduces httpjson's cross product.
"$agent" map --split elastic "$shared"/vectors/misp/02_*.json >"$tmp/cross.ndjson" 2>/dev/null
"$agent" map "$shared"/vectors/misp/02_*.json >"$tmp/per.ndjson" 2>/dev/null
[ "$(count "$tmp/cross.ndjson")" -gt "$(count "$tmp/per.ndjson")" ] || fail "cross product not larger"

# Errors name the input and line; the good lines are still mapped; exit code 1.
{ cat "$shared/vectors/threat/seed-example.ndjson"; echo '{"Event": {'; echo '{"hello":1}'; } >"$tmp/bad.ndjson"
set +e
"$agent" map "$tmp/bad.ndjson" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
set -e
[ $rc = 1 ] || fail "bad input: exit code $rc, want 1"
grep -q "bad.ndjson:2: invalid JSON" "$tmp/bad.err" || fail "bad input: no position for line 2: $(cat "$tmp/bad.err")"
grep -q "bad.ndjson:3: not a MISP event" "$tmp/bad.err" || fail "bad input: no position for line 3"
[ "$(count "$tmp/bad.out")" = 1 ] || fail "bad input: the good line must still be mapped"
# Issue 10: rows that are not objects, a list that is not a list, an empty file and a
# pretty-printed export cut in half are errors with positions and exit 1; no fragment is mapped.
expect_map_error() {  # name, dataset, file, error text
  set +e
  "$agent" map --dataset "$2" "$3" >"$tmp/$1.out" 2>"$tmp/$1.err"; rc=$?
  set -e
  [ $rc = 1 ] || fail "$1: exit code $rc, want 1"
  grep -qF -- "$4" "$tmp/$1.err" || fail "$1: no '$4' in: $(cat "$tmp/$1.err")"
}
printf '%s' '{"response":{"Attribute":[1,null,"x",{"type":"ip-src","value":"192.0.2.1","uuid":"a"}]}}' >"$tmp/rows.json"
expect_map_error rows threat_attributes "$tmp/rows.json" "rows.json: /response/Attribute/1: an attribute row must be an object, got null"
grep -qF "/response/Attribute/0: an attribute row must be an object, got a number" "$tmp/rows.err" || fail "rows: row 0"
grep -qF "/response/Attribute/2: an attribute row must be an object, got a string" "$tmp/rows.err" || fail "rows: row 2"
[ "$(count "$tmp/rows.out")" = 1 ] || fail "rows: the object row must still be mapped"
printf '%s' '{"response":{"Attribute":"x"}}' >"$tmp/scalar.json"
expect_map_error scalar threat_attributes "$tmp/scalar.json" "scalar.json: /response/Attribute: must be a list of attributes, got a string"
: >"$tmp/empty.json"
expect_map_error empty threat "$tmp/empty.json" "empty.json: empty input"
python3 -m json.tool "$shared"/vectors/misp/06_*.json >"$tmp/pretty.json"
head -c "$(( $(wc -c <"$tmp/pretty.json") / 2 ))" "$tmp/pretty.json" >"$tmp/half.json"
expect_map_error half threat "$tmp/half.json" "half.json: invalid JSON"
grep -qE "the input ends at line [0-9]+, column [0-9]+" "$tmp/half.err" || fail "half: no position: $(cat "$tmp/half.err")"
[ "$(grep -c 'half.json' "$tmp/half.err")" = 1 ] || fail "half: want exactly one error: $(cat "$tmp/half.err")"
[ "$(count "$tmp/half.out")" = 0 ] || fail "half: fragments mapped as documents"

set +e
"$agent" map --dataset nope x 2>/dev/null; rc=$?
set -e
[ $rc = 2 ] || fail "usage error: exit $rc, want 2"
"$agent" map --help | grep -q -- "--preserve-original-event" || fail "help text"
echo "agent_map_cli: 1 passed, 0 failed"
