#!/usr/bin/env bash
# ctest secrets_scan: runs after every other test (cleanup of the test_work fixture) and greps what
# the suites produced for the secrets they used (tests/support/secrets.txt): ctest's logs
# (Testing/Temporary/LastTest*.log) and every file under the tests' work root (TMPDIR for each
# test: logs, request traces, NDJSON outputs, cursor files, metrics pages, dead letters). Zero hits
# pass. Files tests write as their own input are skipped by name: policies and configs (*.yml,
# *.yaml, *.conf) may hold the secret the test hands over, and *.key/*.pem/*.csr are the TLS
# material itself; anything else, and any PEM private key block outside them, is a leak.
# Also checks that tests/support/secrets.h holds the same values as secrets.txt. While ctest runs,
# it writes the log to LastTest.log.tmp through a buffer (LastTest.log is still the previous
# run's) and renames it when the run ends: under ctest this scan reads the .tmp, the current run's
# log as far as it is flushed, and scripts/test.sh runs the scan again after ctest, on the finished
# LastTest.log.
#   secrets_scan.sh BUILD_DIR WORK_ROOT SOURCE_DIR
set -uo pipefail
build=$1 work=$2 src=$3
list="$src/tests/support/secrets.txt"
fail=0
names=() values=()
while IFS='=' read -r name value; do
  case "$name" in ''|'#'*) continue ;; esac
  names+=("$name") values+=("$value")
done <"$list"
[ "${#values[@]}" -gt 0 ] || { echo "FAIL: no secrets in $list"; exit 1; }
for i in "${!values[@]}"; do
  v=${values[$i]}
  [ "${#v}" -ge 12 ] || { echo "FAIL: ${names[$i]} is too short to be recognisable"; fail=1; }
  grep -qF "\"$v\"" "$src/tests/support/secrets.h" \
    || { echo "FAIL: tests/support/secrets.h does not hold ${names[$i]} of secrets.txt"; fail=1; }
done

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  if compgen -G "$build/Testing/Temporary/LastTest*.log.tmp" >/dev/null; then
    find "$build/Testing/Temporary" -maxdepth 1 -name 'LastTest*.log.tmp' -print0
  else
    find "$build/Testing/Temporary" -maxdepth 1 -name 'LastTest*.log' -print0 2>/dev/null
  fi
  find "$work" -type f ! -name '*.yml' ! -name '*.yaml' ! -name '*.conf' ! -name '*.key' \
    ! -name '*.pem' ! -name '*.csr' -print0 2>/dev/null)
echo "secrets_scan: ${#values[@]} secrets, ${#files[@]} files ($(du -sh "$work" 2>/dev/null | cut -f1) under $work)"
hits=0
if [ "${#files[@]}" -gt 0 ]; then
  for i in "${!values[@]}"; do
    # The forms a leak may take: the value, and base64 of user:value as Basic auth sends it.
    forms=("${values[$i]}")
    for user in bob alice elastic; do forms+=("$(printf '%s:%s' "$user" "${values[$i]}" | base64 -w0)"); done
    for form in "${forms[@]}"; do
      # Print where, never the line: the scan's own output lands in LastTest.log.
      while IFS= read -r where; do
        echo "LEAK: ${names[$i]} in ${where%%:*} line $(cut -d: -f2 <<<"$where")"
        hits=$((hits + 1))
      done < <(grep -a -n -o -F -e "$form" "${files[@]}" 2>/dev/null | cut -d: -f1-2 | sort -u)
    done
  done
  while IFS= read -r where; do
    echo "LEAK: a PEM private key in ${where%%:*} line $(cut -d: -f2 <<<"$where")"
    hits=$((hits + 1))
  done < <(grep -a -n -o -E -e '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' "${files[@]}" 2>/dev/null \
             | cut -d: -f1-2 | sort -u)
fi
if [ "$hits" -gt 0 ] || [ "$fail" != 0 ]; then
  echo "secrets_scan: $hits hits: FAIL"
  exit 1
fi
echo "secrets_scan: 0 hits: 1 passed, 0 failed"
