#!/usr/bin/env bash
# The Debian packages: `cpack -G DEB` in the build directory (as the README says) builds them; each
# is unpacked with dpkg-deb -x into one scratch root and checked: files at their paths, control
# fields and Depends, maintainer scripts; then the unpacked misp-agent runs (--version, run --check
# on the installed policy) with LD_LIBRARY_PATH unset and loads the unpacked plugin, syslog-ng loads
# the unpacked module which loads the unpacked plugin, the man page renders, and
# systemd-analyze verifies the unit.
# The commands of the README's "Packages" section are the ones run here.
#   deb_packages.sh BUILD_DIR LIBDIR SYSLOG_NG_MODULEDIR|"" VERSION SYSLOG_NG_VERSION|"" MAN(ON|OFF) README
set -euo pipefail
build=$1 libdir=$2 sng_moduledir=$3 version=$4 sng_version=$5 man=$6 readme=$7
source "$(dirname "$0")/lib.sh"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing"
arch=$(dpkg --print-architecture)
v="$version-1"
awk '/^## Packages$/ { on = 1; next } on && /^## / { exit } on && /^    [^ |]/ { print substr($0, 5) }' "$readme" >"$tmp/readme.commands"
grep -qxF "cd build/default && cpack -G DEB" "$tmp/readme.commands" || fail "README: no 'cd build/default && cpack -G DEB' under ## Packages"

(cd "$build" && cpack -G DEB) >"$tmp/cpack.log" 2>&1 || fail "cpack -G DEB: $(cat "$tmp/cpack.log")"
deb() { echo "$build/$1_${v}_$2.deb"; }
packages=(libmisp-input1:$arch libmisp-input-dev:$arch misp-agent:$arch misp-input-elasticsearch:all)
[ -n "$sng_moduledir" ] && packages+=(syslog-ng-mod-misp:$arch)
root="$tmp/root"
mkdir -p "$root"
for p in "${packages[@]}"; do
  f=$(deb "${p%%:*}" "${p##*:}")
  [ -f "$f" ] || fail "no package $f (cpack made: $(cd "$build" && ls ./*.deb))"
  [ "$(dpkg-deb -f "$f" Package)" = "${p%%:*}" ] || fail "$f: Package"
  [ "$(dpkg-deb -f "$f" Version)" = "$v" ] || fail "$f: Version $(dpkg-deb -f "$f" Version), want $v"
  [ "$(dpkg-deb -f "$f" Architecture)" = "${p##*:}" ] || fail "$f: Architecture"
  [ -n "$(dpkg-deb -f "$f" Maintainer)" ] && [ -n "$(dpkg-deb -f "$f" Description)" ] || fail "$f: Maintainer, Description"
  # Every file root-owned, nothing of the build machine (/usr/local, the build tree).
  dpkg-deb -c "$f" >"$tmp/${p%%:*}.list"
  awk '$2 != "root/root" { bad = 1; print } END { exit bad }' "$tmp/${p%%:*}.list" || fail "$f: files not owned by root"
  ! grep -Eq '\./usr/local/|/work/|/build/' "$tmp/${p%%:*}.list" || fail "$f: paths of the build machine: $(grep -E '/usr/local/|/build/' "$tmp/${p%%:*}.list")"
  dpkg-deb -x "$f" "$root"
  echo "ok: $(basename "$f"): $(dpkg-deb -f "$f" Depends)"
done
has() { [ -e "$root$1" ] || [ -L "$root$1" ] || fail "missing $1 (package $2)"; }
in_pkg() { grep -q " \./${1#/}\( ->.*\)\?$" "$tmp/$2.list" || fail "$1 is not in $2"; }
depends() { dpkg-deb -f "$(deb "$1" "$2")" Depends | tr ',' '\n' | sed 's/^ *//' | grep -qxF "$3" || fail "$1: Depends lacks '$3': $(dpkg-deb -f "$(deb "$1" "$2")" Depends)"; }

# libmisp-input1: the plugin by its soname; the .so link belongs to -dev (Debian's library layout).
in_pkg "/usr/$libdir/libmisp_input.so.1" libmisp-input1
in_pkg "/usr/$libdir/libmisp_input.so.$version" libmisp-input1
! grep -q "libmisp_input.so\$\|libmisp_input.so ->" "$tmp/libmisp-input1.list" || fail "libmisp-input1 ships the .so link"
dpkg-deb -e "$(deb libmisp-input1 "$arch")" "$tmp/ctl-lib"
grep -qx "libmisp_input 1 libmisp-input1 (>= $version)" "$tmp/ctl-lib/shlibs" || fail "libmisp-input1: shlibs: $(cat "$tmp/ctl-lib/shlibs")"
grep -q ldconfig "$tmp/ctl-lib/postinst" || fail "libmisp-input1: no ldconfig in postinst"
for d in libc6 libyaml-cpp libssl3; do
  dpkg-deb -f "$(deb libmisp-input1 "$arch")" Depends | grep -q "$d" || fail "libmisp-input1: dpkg-shlibdeps did not add $d"
done

# libmisp-input-dev: header and link.
in_pkg /usr/include/misp_input.h libmisp-input-dev
in_pkg "/usr/$libdir/libmisp_input.so" libmisp-input-dev
depends libmisp-input-dev "$arch" "libmisp-input1 (= $v)"

# misp-agent: binary, man page, unit, conffile, examples, maintainer scripts.
for f in /usr/bin/misp-agent /usr/lib/systemd/system/misp-agent.service /etc/misp-agent/policy.yml \
         /usr/share/doc/misp-input/examples/policy.example.yml; do in_pkg "$f" misp-agent; done
[ "$man" = ON ] && in_pkg /usr/share/man/man1/misp-agent.1.gz misp-agent
for d in "libmisp-input1 (= $v)" "misp-input-elasticsearch (= $v)" adduser; do depends misp-agent "$arch" "$d"; done
dpkg-deb -f "$(deb misp-agent "$arch")" Depends | grep -q "libyaml-cpp" || fail "misp-agent: dpkg-shlibdeps did not add libyaml-cpp"
dpkg-deb -e "$(deb misp-agent "$arch")" "$tmp/ctl-agent"
[ "$(cat "$tmp/ctl-agent/conffiles")" = /etc/misp-agent/policy.yml ] || fail "misp-agent: conffiles: $(cat "$tmp/ctl-agent/conffiles")"
for s in postinst prerm postrm; do
  [ -x "$tmp/ctl-agent/$s" ] || fail "misp-agent: $s missing or not executable"
  sh -n "$tmp/ctl-agent/$s" || fail "misp-agent: $s is not valid sh"
done
grep -q "adduser --system" "$tmp/ctl-agent/postinst" || fail "misp-agent: postinst does not create the system user"
# The maintainer scripts, run with adduser, getent, install, systemctl and rm stubbed: configure
# creates the system user once, a reconfigure does not; purge removes state and logs only.
stubs="$tmp/stubs"
mkdir -p "$stubs"
for c in adduser install systemctl rm; do printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$tmp/calls" >"$stubs/$c"; done
printf '#!/bin/sh\n[ -f "%s" ]\n' "$tmp/user-exists" >"$stubs/getent"
chmod +x "$stubs"/*
run_script() { PATH="$stubs:$PATH" sh "$tmp/ctl-agent/$1" "${@:2}" || fail "misp-agent $1 $*: exit $?"; }
run_script postinst configure ""
grep -qx "adduser --system --group --quiet --home /var/lib/misp-agent --no-create-home --shell /usr/sbin/nologin misp-agent" "$tmp/calls" \
  || fail "postinst configure: $(cat "$tmp/calls")"
touch "$tmp/user-exists"; : >"$tmp/calls"
run_script postinst configure "$v"
! grep -q adduser "$tmp/calls" || fail "postinst created the user twice"
: >"$tmp/calls"
run_script prerm remove
run_script postrm remove
! grep -q "^rm" "$tmp/calls" || fail "postrm remove deleted state: $(cat "$tmp/calls")"
run_script postrm purge
grep -qx "rm -rf /var/lib/misp-agent /var/log/misp-agent" "$tmp/calls" || fail "postrm purge: $(cat "$tmp/calls")"
echo "ok: maintainer scripts (configure, reconfigure, remove, purge)"

unit="$root/usr/lib/systemd/system/misp-agent.service"
for line in "User=misp-agent" "StateDirectory=misp-agent" "NoNewPrivileges=yes" "ProtectSystem=strict" \
    "ExecStart=/usr/bin/misp-agent run --policy /etc/misp-agent/policy.yml --data-dir /var/lib/misp-agent"; do
  grep -qxF "$line" "$unit" || fail "misp-agent.service lacks $line"
done

# misp-input-elasticsearch: the assets where misp-agent setup looks (<exe>/../share/misp-input/elasticsearch).
n=$(grep -c '\.json$' "$tmp/misp-input-elasticsearch.list")
[ "$n" -ge 9 ] || fail "misp-input-elasticsearch: $n JSON files"
in_pkg /usr/share/misp-input/elasticsearch/ingest_pipeline/logs-ti_misp@final.json misp-input-elasticsearch
in_pkg /usr/share/misp-input/elasticsearch/transform/logs-ti_misp.latest_ioc-default-0.2.0.json misp-input-elasticsearch

# syslog-ng-mod-misp: the module in syslog-ng's module directory, tied to the syslog-ng it was built for.
if [ -n "$sng_moduledir" ]; then
  in_pkg "/usr/$sng_moduledir/libmisp.so" syslog-ng-mod-misp
  IFS=. read -r a b c <<<"${sng_version%%[-+~]*}"
  depends syslog-ng-mod-misp "$arch" "libmisp-input1 (= $v)"
  depends syslog-ng-mod-misp "$arch" "syslog-ng-core (>= $sng_version)"
  depends syslog-ng-mod-misp "$arch" "syslog-ng-core (<< $a.$b.$((c + 1))~)"
  in_pkg /usr/share/doc/misp-input/examples/syslog-ng/misp-ndjson.conf syslog-ng-mod-misp
fi

# The Depends can be met on this system as it is (apt's simulation; nothing is installed),
# syslog-ng-core included, without upgrading or removing anything.
debs=()
for p in "${packages[@]}"; do debs+=("$(deb "${p%%:*}" "${p##*:}")"); done
apt-get install -s --no-install-recommends "${debs[@]}" >"$tmp/apt.log" 2>&1 || fail "apt-get install -s: $(cat "$tmp/apt.log")"
! grep -Eq '^(Remv|Inst syslog-ng-core)' "$tmp/apt.log" || fail "installing the packages would change syslog-ng-core or remove packages: $(cat "$tmp/apt.log")"
echo "ok: apt-get install -s of the ${#debs[@]} packages"

# The unpacked misp-agent finds the unpacked plugin, with no help from the environment.
agent="$root/usr/bin/misp-agent"
# The README's misp-agent commands, on the unpacked tree (MISP_API_KEY as /etc/default/misp-agent gives it).
n=0
while IFS= read -r cmd; do
  case $cmd in misp-agent\ *) ;; *) continue ;; esac
  run="$root/usr/bin/$cmd"
  run=${run//\/etc\//$root/etc/}
  echo "+ $run"
  env -u LD_LIBRARY_PATH MISP_API_KEY=test bash -c "$run" >"$tmp/readme.out" 2>&1 || fail "README's '$cmd': $(cat "$tmp/readme.out")"
  n=$((n + 1))
done <"$tmp/readme.commands"
[ "$n" -ge 2 ] || fail "README: $n misp-agent commands under ## Packages"
env -u LD_LIBRARY_PATH "$agent" --version | grep -qx "misp-agent $version (plugin ABI [0-9.]*)" || fail "misp-agent --version"
env -u LD_LIBRARY_PATH MISP_API_KEY=test LD_DEBUG=files "$agent" run --check --policy "$root/etc/misp-agent/policy.yml" \
  >"$tmp/check.out" 2>"$tmp/check.err" || fail "misp-agent run --check on the installed policy: $(cat "$tmp/check.out" "$tmp/check.err")"
grep -q "Policy is valid. streams=2" "$tmp/check.out" || fail "run --check: $(cat "$tmp/check.out")"
grep -q "file=$root/usr/$libdir/libmisp_input.so.1 " "$tmp/check.err" \
  || fail "misp-agent did not load $root/usr/$libdir/libmisp_input.so.1: $(grep -o 'file=[^ ]*misp_input[^ ]*' "$tmp/check.err")"
echo "ok: unpacked misp-agent --version and run --check, plugin from $root/usr/$libdir"

# The unpacked module, loaded by the real syslog-ng, finds the unpacked plugin.
[ -n "$sng_moduledir" ] && syslog_ng_loads "$root/usr/$sng_moduledir" "$root/usr/$libdir/libmisp_input.so.1"

# The man page renders, without warnings.
if [ "$man" = ON ]; then
  MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/misp-agent.1.gz" >"$tmp/man.txt" 2>"$tmp/man.err" || fail "man -l: $(cat "$tmp/man.err")"
  [ ! -s "$tmp/man.err" ] || fail "man -l warns: $(cat "$tmp/man.err")"
  for s in NAME SYNOPSIS DESCRIPTION COMMANDS FILES "misp-agent run" "Stream variables"; do
    grep -q "$s" "$tmp/man.txt" || fail "man page lacks $s"
  done
  echo "ok: man -l misp-agent.1.gz"
fi

# The unit: systemd-analyze verify (its ExecStart and man page resolved in the unpacked root), and
# the exposure of its sandbox.
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/bin/misp-agent#$root/usr/bin/misp-agent#" "$unit" >"$tmp/misp-agent.service"
  MANPATH="$root/usr/share/man" systemd-analyze verify "$tmp/misp-agent.service" >"$tmp/verify.log" 2>&1 \
    || fail "systemd-analyze verify: $(cat "$tmp/verify.log")"
  systemd-analyze security --offline=true --threshold=20 "$unit" >"$tmp/security.log" 2>&1 \
    || fail "systemd-analyze security: exposure above 2.0: $(tail -1 "$tmp/security.log")"
  echo "ok: systemd-analyze verify; $(tail -1 "$tmp/security.log")"
else
  echo "skip: systemd-analyze is not installed (scripts/install-deps.sh installs systemd)"
fi
echo "deb_packages: ${#packages[@]} packages checked"
