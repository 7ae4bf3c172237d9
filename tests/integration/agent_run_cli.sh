#!/usr/bin/env bash
# `misp-agent run` as a user runs it, against the misp-emulator process: both data streams to an
# NDJSON file, cursors on disk, a second run delivers nothing new, a new attribute arrives once,
# bad policies are refused naming the key, and SIGTERM stops a long-running agent cleanly.
set -euo pipefail
agent=$1 emulator=$2
source "$(dirname "$0")/lib.sh"
start_emulator "$emulator" --events 10 --attributes-each 30

policy() {  # $1: extra stream variables
  cat <<POLICY
outputs:
  default: {type: file, path: $tmp/out/misp.ndjson}
inputs:
  - type: misp
    id: misp
    streams:
      - id: threat
        data_stream: {dataset: ti_misp.threat, namespace: ci}
        url: $url
        api_token: $key
        http_request_rate_limit: 0
        limit: 3
        $1
      - id: attrs
        data_stream: {dataset: ti_misp.threat_attributes}
        url: $url
        api_token: $key
        http_request_rate_limit: 0
        limit: 50
        preserve_original_event: true
        $1
POLICY
}
policy "" >"$tmp/policy.yml"
"$agent" run --policy "$tmp/policy.yml" --check | grep -q "Policy is valid. streams=2 plugin=misp_input/" || fail "--check"
set +e
"$agent" run --policy "$tmp/policy.yml" --check --plugin "$tmp/nope.so" 2>"$tmp/noplugin.err"; rc=$?
set -e
[ $rc = 1 ] && grep -q "cannot load libmisp_input.so" "$tmp/noplugin.err" || fail "missing plugin: $(cat "$tmp/noplugin.err")"
"$agent" run --policy "$tmp/policy.yml" --once --data-dir "$tmp/data" 2>"$tmp/run1.log" || fail "first run: $(cat "$tmp/run1.log")"
n1=$(wc -l <"$tmp/out/misp.ndjson")
[ "$n1" = 600 ] || fail "first run: $n1 documents, want 600 (300 per stream)"
grep -q '"namespace":"ci"' "$tmp/out/misp.ndjson" || fail "namespace from the policy"
[ "$(grep -c '"original":' "$tmp/out/misp.ndjson")" = 300 ] || fail "event.original only for the stream that preserves it"
[ -s "$tmp/data/cursors/threat.cursor" ] && [ -s "$tmp/data/cursors/attrs.cursor" ] || fail "cursor files"
grep -q "Poll finished. stream=logs-ti_misp.threat-ci documents=300" "$tmp/run1.log" || fail "progress line: $(cat "$tmp/run1.log")"

"$agent" run --policy "$tmp/policy.yml" --once --data-dir "$tmp/data" 2>"$tmp/run2.log" || fail "second run"
n2=$(wc -l <"$tmp/out/misp.ndjson")
[ "$n2" = "$n1" ] || fail "second run re-delivered: $n2 vs $n1"

# A damaged cursor file is refused with a message naming it, never silently reset.
cp -r "$tmp/data" "$tmp/data4"
printf 'garbage\001' >"$tmp/data4/cursors/attrs.cursor"
set +e
"$agent" run --policy "$tmp/policy.yml" --once --data-dir "$tmp/data4" 2>"$tmp/run6.log"; rc=$?
set -e
[ $rc != 0 ] || fail "damaged cursor: exit 0"
grep -qF "cursor: 'garbage\x01' is not a cursor this plugin wrote" "$tmp/run6.log" || fail "damaged cursor message: $(cat "$tmp/run6.log")"

# The plugin's option table drives --help; --version comes from CMake's project version.
"$agent" run --help | grep -q "ioc_expiration_duration (duration, default 90d, ti_misp.threat_attributes only)" \
  || fail "run --help: no option table"
"$agent" --version | grep -Eq "^misp-agent [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI 1\.2\)$" || fail "--version"

# Secrets stay out of logs and trace files.
policy "enable_request_tracer: true" >"$tmp/policy-trace.yml"
"$agent" run --policy "$tmp/policy-trace.yml" --once --data-dir "$tmp/data" 2>"$tmp/run3.log" || fail "traced run"
ls "$tmp"/data/logs/http-request-trace-*.ndjson >/dev/null || fail "no trace file"
if grep -rq "$key" "$tmp/data/logs" "$tmp"/run*.log; then fail "api_token leaked into a log or trace"; fi

# Bad policies name the key.
sed 's/limit: 3/limit: -3/' "$tmp/policy.yml" >"$tmp/bad.yml"
set +e
"$agent" run --policy "$tmp/bad.yml" --check 2>"$tmp/bad.err"; rc=$?
set -e
[ $rc = 1 ] || fail "bad policy: exit $rc"
grep -q "inputs\[0\].streams\[0\].limit: must be between 1 and 10000, got -3" "$tmp/bad.err" || fail "bad policy message: $(cat "$tmp/bad.err")"

# ${env.NAME} in a stream is resolved by the plugin; an unset one is refused, named with its key.
sed "s/api_token: $key/api_token: \${env.MISP_CLI_TEST_KEY}/" "$tmp/policy.yml" >"$tmp/env.yml"
set +e
env -u MISP_CLI_TEST_KEY "$agent" run --policy "$tmp/env.yml" --check 2>"$tmp/env.err"; rc=$?
set -e
[ $rc = 1 ] || fail "unset variable: exit $rc"
grep -q "inputs\[0\].streams\[0\].api_token: environment variable MISP_CLI_TEST_KEY is not set" "$tmp/env.err" || fail "unset variable message: $(cat "$tmp/env.err")"
MISP_CLI_TEST_KEY=$key "$agent" run --policy "$tmp/env.yml" --check | grep -q "Policy is valid." || fail "variable from the environment"

# A stream that fails makes --once exit non-zero, with MISP's reason in the log.
sed "s/api_token: $key/api_token: wrongkeywrongkeywrongkeywrongkeywrongkey1/" "$tmp/policy.yml" >"$tmp/wrongkey.yml"
set +e
"$agent" run --policy "$tmp/wrongkey.yml" --once --data-dir "$tmp/data3" 2>"$tmp/run5.log"; rc=$?
set -e
[ $rc = 1 ] || fail "failing stream: exit $rc, want 1"
grep -q "HTTP 403" "$tmp/run5.log" || fail "failing stream: no HTTP 403 in $(cat "$tmp/run5.log")"
grep -q "Authentication failed" "$tmp/run5.log" || fail "failing stream: MISP's message missing"
if grep -q "wrongkeywrongkey" "$tmp/run5.log"; then fail "api_token in the log"; fi

# A long-running agent stops on SIGTERM, with its cursors written.
rm -rf "$tmp/data2"
mport=$((20000 + RANDOM % 20000))
"$agent" run --policy "$tmp/policy.yml" --data-dir "$tmp/data2" --metrics-port "$mport" 2>"$tmp/run4.log" &
agent_pid=$!
sleep 1.5
# Metrics over HTTP (bash's /dev/tcp: no curl needed).
exec 3<>"/dev/tcp/127.0.0.1/$mport"
printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3
metrics=$(cat <&3)
exec 3<&-
# Valid Prometheus exposition by a real parser (Debian's python3-prometheus-client): one HELP and
# TYPE per family, unique series, stream_id and namespace labels, the output's counters.
body=$(printf '%s\n' "$metrics" | sed '1,/^\r*$/d')
printf '%s\n' "$body" | /usr/bin/python3 "$(dirname "$0")/check_prometheus.py" \
  'misp_input_documents_total|stream_id=attrs,namespace=default,dataset=ti_misp.threat_attributes|300' \
  'misp_input_documents_total|stream_id=threat,namespace=ci|300' \
  'misp_agent_output_documents_total|output=file|600' || fail "metrics: $body"
echo "$body" | grep -q '^misp_input_committed_cursor_lag_seconds{' || fail "metrics: no committed cursor lag"
kill -TERM "$agent_pid"
for _ in $(seq 50); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$agent_pid" 2>/dev/null; then kill -9 "$agent_pid"; fail "agent ignored SIGTERM"; fi
[ -s "$tmp/data2/cursors/attrs.cursor" ] || fail "cursor after SIGTERM"
echo "agent_run_cli: 1 passed, 0 failed"
