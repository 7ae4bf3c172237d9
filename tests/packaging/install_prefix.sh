#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` gives a tree where everything finds everything: P/bin/misp-agent
# loads P/<libdir>/libmisp_input.so.1 (LD_LIBRARY_PATH unset), the real syslog-ng loads
# P/<syslog-ng moduledir>/libmisp.so, which loads the same plugin without plugin(), and the tree
# still works once moved. The README's "Deploy with syslog-ng" configuration passes
# syslog-ng --syntax-only with the installed module; a second install keeps an edited policy.
#   install_prefix.sh BUILD_DIR LIBDIR SYSLOG_NG_MODULEDIR|"" VERSION MAN(ON|OFF) README
set -euo pipefail
build=$1 libdir=$2 sng_moduledir=$3 version=$4 man=$5 readme=$6
source "$(dirname "$0")/lib.sh"
P="$tmp/prefix"
# The README's command (section "Packages"), with this build directory and a scratch prefix.
cmd=$(awk '/^## Packages$/ { on = 1; next } on && /^## / { exit } on && /^    cmake --install / { print substr($0, 5) }' "$readme")
[[ "$cmd" == "cmake --install build/default --prefix /opt/misp-input" ]] || fail "README's install command: '$cmd'"
cmd=${cmd/build\/default/$build}
cmd=${cmd/\/opt\/misp-input/$P}
echo "+ $cmd"
bash -c "$cmd" >"$tmp/install.log" 2>&1 || fail "$cmd: $(cat "$tmp/install.log")"
has() { [ -e "$P/$1" ] || fail "missing P/$1 after cmake --install --prefix P"; }
for f in bin/misp-agent "$libdir/libmisp_input.so.1" "$libdir/libmisp_input.so" include/misp_input.h \
         share/misp-input/elasticsearch/ingest_pipeline/logs-ti_misp@final.json \
         share/misp-input/elasticsearch/index_template/logs-ti_misp.threat.json \
         share/doc/misp-input/examples/policy.example.yml lib/systemd/system/misp-agent.service \
         etc/misp-agent/policy.yml; do has "$f"; done
[ "$man" = ON ] && has share/man/man1/misp-agent.1.gz
[ -n "$sng_moduledir" ] && has "$sng_moduledir/libmisp.so" && has share/doc/misp-input/examples/syslog-ng/misp-ndjson.conf
grep -qxF "ExecStart=$P/bin/misp-agent run --policy $P/etc/misp-agent/policy.yml --data-dir /var/lib/misp-agent" \
  "$P/lib/systemd/system/misp-agent.service" || fail "the unit's ExecStart is not under the prefix: $(grep ExecStart "$P/lib/systemd/system/misp-agent.service")"

agent_finds_plugin() {  # $1: prefix
  env -u LD_LIBRARY_PATH "$1/bin/misp-agent" --version | grep -qx "misp-agent $version (plugin ABI [0-9.]*)" || fail "$1/bin/misp-agent --version"
  env -u LD_LIBRARY_PATH MISP_API_KEY=test LD_DEBUG=files "$1/bin/misp-agent" run --check --policy "$1/etc/misp-agent/policy.yml" \
    >"$tmp/check.out" 2>"$tmp/check.err" || fail "$1/bin/misp-agent run --check: $(cat "$tmp/check.out" "$tmp/check.err")"
  grep -q "Policy is valid. streams=2" "$tmp/check.out" || fail "run --check: $(cat "$tmp/check.out")"
  grep -q "file=$1/$libdir/libmisp_input.so.1 " "$tmp/check.err" \
    || fail "misp-agent did not load $1/$libdir/libmisp_input.so.1: $(grep -o 'file=[^ ]*misp_input[^ ]*' "$tmp/check.err")"
  echo "ok: $1/bin/misp-agent --version and run --check, plugin $1/$libdir/libmisp_input.so.1"
}
agent_finds_plugin "$P"
if [ -n "$sng_moduledir" ]; then
  syslog_ng_loads "$P/$sng_moduledir" "$P/$libdir/libmisp_input.so.1"
  # The README's configuration, with the installed module.
  awk '/^## Deploy with syslog-ng/ { s = 1 } s && /^    @version:/ { on = 1 } on && !/^    / { exit } on { print substr($0, 5) }' \
    "$readme" >"$tmp/readme.conf"
  grep -q 'misp(' "$tmp/readme.conf" || fail "no misp() configuration under '## Deploy with syslog-ng' in $readme"
  ! grep -q 'plugin(' "$tmp/readme.conf" || fail "the README's deployment configuration should not need plugin()"
  syslog-ng --syntax-only -f "$tmp/readme.conf" --module-path="$P/$sng_moduledir:/usr/lib/syslog-ng/3.38" >"$tmp/readme.log" 2>&1 \
    || fail "the README's configuration: $(cat "$tmp/readme.log")"
  echo "ok: the README's syslog-ng configuration passes --syntax-only with $P/$sng_moduledir"
fi
if [ "$man" = ON ]; then
  MANWIDTH=80 man -l "$P/share/man/man1/misp-agent.1.gz" | grep -q "misp-agent run" || fail "man -l misp-agent.1.gz"
fi

# The administrator's policy survives a second install.
echo "# edited" >>"$P/etc/misp-agent/policy.yml"
cmake --install "$build" --prefix "$P" >"$tmp/install2.log" 2>&1 || fail "second cmake --install: $(cat "$tmp/install2.log")"
grep -q "^# edited" "$P/etc/misp-agent/policy.yml" || fail "a second install overwrote etc/misp-agent/policy.yml"

# Relocatable: moved elsewhere, the tree still finds itself.
mv "$P" "$tmp/moved"
agent_finds_plugin "$tmp/moved"
[ -n "$sng_moduledir" ] && syslog_ng_loads "$tmp/moved/$sng_moduledir" "$tmp/moved/$libdir/libmisp_input.so.1"
echo "install_prefix: passed"
