#!/usr/bin/env bash
# syslog-ng 3.38 loads our module, which loads libmisp_input.so: documents from the MISP emulator
# reach a file destination, and a restart resumes from the bookmark in syslog-ng's persist file.
set -euo pipefail
module_dir=$1 plugin=$2 emulator=$3
command -v syslog-ng >/dev/null || { echo "FAIL: syslog-ng is not installed (scripts/install-deps.sh installs syslog-ng-core)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
fail() { echo "FAIL: $*" >&2; cat "$tmp"/sng*.log >&2 || true; exit 1; }
start_emulator "$emulator" --events 4 --attributes-each 25
cat >"$tmp/attributes.yml" <<YML
url: $url
api_token: $key
http_request_rate_limit: 0
limit: 10
interval: 1h
preserve_original_event: true
YML
cat >"$tmp/sng.conf" <<CONF
@version: 3.38
source s_misp { misp(policy("$tmp/attributes.yml") dataset("ti_misp.threat_attributes") plugin("$plugin")); };
destination d_file { file("$tmp/out.ndjson" template("\${.misp.id}\t\${.misp.index}\t\$MESSAGE\n")); };
log { source(s_misp); destination(d_file); flags(flow-control); };
CONF
run_syslog_ng() {  # $1: log file; runs until the output has $2 lines (or 20 s), then SIGTERM
  syslog-ng -F -e -f "$tmp/sng.conf" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" \
    --persist-file="$tmp/persist" --pidfile="$tmp/pid" --control="$tmp/ctl" --no-caps >"$1" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do
    if [ -s "$tmp/out.ndjson" ] && [ "$(wc -l <"$tmp/out.ndjson")" -ge "$2" ] && grep -q "Poll finished" "$1"; then break; fi
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid" || true
}
run_syslog_ng "$tmp/sng1.log" 100
grep -q "misp: input started" "$tmp/sng1.log" || fail "the module did not start"
[ "$(wc -l <"$tmp/out.ndjson")" = 100 ] || fail "first run: $(wc -l <"$tmp/out.ndjson") documents, want 100"
awk -F'\t' '$1 == "" || $2 != "logs-ti_misp.threat_attributes-default" { bad = 1 } END { exit bad }' "$tmp/out.ndjson" \
  || fail "missing .misp.id or .misp.index"
grep -q '"original":' "$tmp/out.ndjson" || fail "preserve_original_event from the policy"
run_syslog_ng "$tmp/sng2.log" 100
grep -q "cursor='v2:" "$tmp/sng2.log" || fail "the restart did not resume from the persisted cursor"
grep -q "documents=0" "$tmp/sng2.log" || fail "the restart re-delivered: $(grep 'Poll finished' "$tmp/sng2.log")"
[ "$(wc -l <"$tmp/out.ndjson")" = 100 ] || fail "after restart: $(wc -l <"$tmp/out.ndjson") lines"
echo "syslog_ng: 1 passed, 0 failed"
