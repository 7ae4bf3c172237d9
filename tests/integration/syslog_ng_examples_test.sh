#!/usr/bin/env bash
# Every example configuration in packaging/syslog-ng/examples, and the README's misp() snippet,
# passes `syslog-ng --syntax-only` on the installed syslog-ng (3.38) with our module from the build.
set -euo pipefail
module_dir=$1 examples_dir=$2 readme=$3
command -v syslog-ng >/dev/null || { echo "FAIL: syslog-ng is not installed (scripts/install-deps.sh installs syslog-ng-core)" >&2; exit 1; }
tmp=$(mktemp -d)
trap '[ -n "${MISP_TEST_KEEP_WORK:-}" ] || rm -rf "$tmp"' EXIT
check() {  # $1: configuration file
  if ! syslog-ng --syntax-only -f "$1" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" >"$tmp/out" 2>&1; then
    cat "$tmp/out" >&2
    echo "FAIL: $1 does not pass syslog-ng --syntax-only" >&2
    exit 1
  fi
  echo "ok: $1"
}
n=0
for conf in "$examples_dir"/*.conf; do
  check "$conf"
  n=$((n + 1))
done
[ "$n" -ge 2 ] || { echo "FAIL: found $n example configurations in $examples_dir" >&2; exit 1; }
# The README's snippet: the indented block that starts with "    @version:".
awk '/^    @version:/ { on = 1 } on && !/^    / { exit } on { print substr($0, 5) }' "$readme" >"$tmp/readme.conf"
grep -q 'misp(' "$tmp/readme.conf" || { echo "FAIL: no misp() snippet found in $readme" >&2; exit 1; }
check "$tmp/readme.conf"
