#!/usr/bin/env bash
# misp-agent with a plugin built against ABI 1.0: the 1.0 slots work, and every 1.1 feature says
# what is missing instead of calling past the plugin's table.
set -euo pipefail
agent=$1 plugin=$2 policy=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$("$agent" run --check --policy "$policy" --plugin "$plugin") || fail "--check: $out"
grep -q "abi=1.0" <<<"$out" || fail "--check: $out"
"$agent" run --help --plugin "$plugin" | grep -q "needs a plugin with ABI 1.1 or later; this one implements 1.0" \
  || fail "run --help"
set +e
err=$("$agent" map --plugin "$plugin" /dev/null 2>&1); rc=$?
set -e
[ $rc = 1 ] && grep -q "map needs a plugin with ABI 1.1" <<<"$err" || fail "map: rc $rc: $err"
set +e
err=$("$agent" options --plugin "$plugin" 2>&1); rc=$?
set -e
[ $rc = 1 ] || fail "options: rc $rc: $err"
echo "abi_plugin_1_0: 1 passed, 0 failed"
