#!/usr/bin/env bash
# syslog-ng 3.38 loads our module, which loads libmisp_input.so: documents from the MISP emulator
# reach a file destination, and a restart resumes from the bookmark in syslog-ng's persist file.
# The persist entry is allocated once (10,000 acknowledgements leave the persist file's size as
# it was), its name holds the stream id, and a library with the wrong magic number is refused.
set -euo pipefail
module_dir=$1 plugin=$2 emulator=$3 bad_magic=$4
command -v syslog-ng >/dev/null || { echo "FAIL: syslog-ng is not installed (scripts/install-deps.sh installs syslog-ng-core)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*" >&2; cat "$tmp"/sng*.log >&2 || true; exit 1; }

policy() {  # $1: file; stream variables for the emulator at $url
  cat >"$1" <<YML
url: $url
api_token: $key
http_request_rate_limit: 0
limit: ${2:-10}
interval: 1h
preserve_original_event: true
YML
}
config() {  # $1: conf file, $2: misp() options, $3: output file
  cat >"$1" <<CONF
@version: 3.38
source s_misp { misp($2 dataset("ti_misp.threat_attributes")); };
destination d_file { file("$3" template("\${.misp.id}\t\${.misp.index}\t\$MESSAGE\n")); };
log { source(s_misp); destination(d_file); flags(flow-control); };
CONF
}
start_syslog_ng() {  # $1: conf, $2: log, $3: persist file; sets $sng
  syslog-ng -F -e -f "$1" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" \
    --persist-file="$3" --pidfile="$tmp/pid" --control="$tmp/ctl" --no-caps >"$2" 2>&1 &
  sng=$!
}
lines() { [ -s "$1" ] && wc -l <"$1" || echo 0; }
wait_lines() {  # $1: output, $2: lines, $3: log; until both the lines and "Poll finished" (20 s)
  for _ in $(seq 200); do
    if [ "$(lines "$1")" -ge "$2" ] && grep -q "Poll finished" "$3"; then return 0; fi
    sleep 0.1
  done
}
stop_syslog_ng() { kill -TERM "$sng"; wait "$sng" || true; }
run_syslog_ng() {  # $1: conf, $2: log, $3: output, $4: lines, $5: persist
  start_syslog_ng "$1" "$2" "$5"
  wait_lines "$3" "$4" "$2"
  stop_syslog_ng
}

start_emulator "$emulator" --events 4 --attributes-each 25
policy "$tmp/attributes.yml"
config "$tmp/sng.conf" "policy(\"$tmp/attributes.yml\") plugin(\"$plugin\")" "$tmp/out.ndjson"
run_syslog_ng "$tmp/sng.conf" "$tmp/sng1.log" "$tmp/out.ndjson" 100 "$tmp/persist"
grep -q "misp: input started" "$tmp/sng1.log" || fail "the module did not start"
grep -q "persist_name='misp_source(attributes,$tmp/attributes.yml)'" "$tmp/sng1.log" || fail "persist name without the stream id"
[ "$(lines "$tmp/out.ndjson")" = 100 ] || fail "first run: $(lines "$tmp/out.ndjson") documents, want 100"
awk -F'\t' '$1 == "" || $2 != "logs-ti_misp.threat_attributes-default" { bad = 1 } END { exit bad }' "$tmp/out.ndjson" \
  || fail "missing .misp.id or .misp.index"
grep -q '"original":' "$tmp/out.ndjson" || fail "preserve_original_event from the policy"
run_syslog_ng "$tmp/sng.conf" "$tmp/sng2.log" "$tmp/out.ndjson" 100 "$tmp/persist"
grep -q "cursor='v2:" "$tmp/sng2.log" || fail "the restart did not resume from the persisted cursor"
grep -q "documents=0" "$tmp/sng2.log" || fail "the restart re-delivered: $(grep 'Poll finished' "$tmp/sng2.log")"
[ "$(lines "$tmp/out.ndjson")" = 100 ] || fail "after restart: $(lines "$tmp/out.ndjson") lines"

# The magic number is checked: another library exporting misp_input_entry is refused.
config "$tmp/magic.conf" "policy(\"$tmp/attributes.yml\") plugin(\"$bad_magic\")" "$tmp/magic.ndjson"
set +e
timeout 20 syslog-ng -F -e -f "$tmp/magic.conf" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" \
  --persist-file="$tmp/persist-magic" --pidfile="$tmp/pid" --control="$tmp/ctl" --no-caps >"$tmp/sng-magic.log" 2>&1
rc=$?
set -e
[ $rc != 0 ] && [ $rc != 124 ] || fail "a library with the wrong magic number: syslog-ng rc $rc"
grep -q "wrong magic number" "$tmp/sng-magic.log" || fail "no magic number message"

# 10,000 acknowledgements rewrite one persist entry: the persist file keeps its size.
start_emulator "$emulator" --events 100 --attributes-each 100
policy "$tmp/bulk.yml" 1000
config "$tmp/bulk.conf" "policy(\"$tmp/bulk.yml\") stream-id(\"bulk\") plugin(\"$plugin\")" "$tmp/bulk.ndjson"
start_syslog_ng "$tmp/bulk.conf" "$tmp/sng-bulk.log" "$tmp/persist-bulk"
for _ in $(seq 200); do [ "$(lines "$tmp/bulk.ndjson")" -ge 100 ] && break; sleep 0.05; done
size_early=$(stat -c %s "$tmp/persist-bulk")
wait_lines "$tmp/bulk.ndjson" 10000 "$tmp/sng-bulk.log"
sleep 0.5  # the last acknowledgements
stop_syslog_ng
[ "$(lines "$tmp/bulk.ndjson")" = 10000 ] || fail "bulk: $(lines "$tmp/bulk.ndjson") documents, want 10000"
size_late=$(stat -c %s "$tmp/persist-bulk")
[ "$size_early" = "$size_late" ] || fail "the persist file grew from $size_early to $size_late bytes over 10,000 acks"
grep -q "persist_name='misp_source(bulk," "$tmp/sng-bulk.log" || fail "stream-id() not in the persist name"
run_syslog_ng "$tmp/bulk.conf" "$tmp/sng-bulk2.log" "$tmp/bulk.ndjson" 10000 "$tmp/persist-bulk"
grep -q "documents=0" "$tmp/sng-bulk2.log" || fail "after 10,000 acks the restart re-delivered: $(grep 'Poll finished' "$tmp/sng-bulk2.log")"
echo "syslog_ng: 1 passed, 0 failed"
