# Shared by the packaging tests: a scratch folder removed at exit, fail(), and the check that the
# real syslog-ng (3.38) loads an installed misp module which, without plugin(), loads the
# installed plugin.
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# syslog_ng_loads MODULE_DIR PLUGIN: syslog-ng with --module-path MODULE_DIR starts a misp() source
# without plugin(), and the module reports that it loaded PLUGIN (after symlinks).
syslog_ng_loads() {
  local module_dir=$1 want=$2 d="$tmp/sng-$RANDOM"
  command -v syslog-ng >/dev/null || fail "syslog-ng is not installed (scripts/install-deps.sh installs syslog-ng-core)"
  mkdir -p "$d"
  # A MISP that refuses connections: start-up (load, validate, persist entry) is what is checked.
  printf 'url: http://127.0.0.1:9\napi_token: test\ninterval: 1h\nhttp_request_rate_limit: 0\n' >"$d/threat.yml"
  cat >"$d/sng.conf" <<CONF
@version: 3.38
source s_misp { misp(policy("$d/threat.yml") dataset("ti_misp.threat")); };
destination d_out { file("$d/out.ndjson" template("\$MESSAGE\n")); };
log { source(s_misp); destination(d_out); flags(flow-control); };
CONF
  syslog-ng --syntax-only -f "$d/sng.conf" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" >"$d/syntax.log" 2>&1 \
    || fail "syslog-ng --syntax-only with the module in $module_dir: $(cat "$d/syntax.log")"
  syslog-ng -F -e -f "$d/sng.conf" --module-path="$module_dir:/usr/lib/syslog-ng/3.38" \
    --persist-file="$d/persist" --pidfile="$d/pid" --control="$d/ctl" --no-caps >"$d/sng.log" 2>&1 &
  local sng=$!
  pids+=("$sng")
  for _ in $(seq 100); do grep -q "misp: input started" "$d/sng.log" && break; sleep 0.1; done
  kill -TERM "$sng" 2>/dev/null || true
  wait "$sng" || true
  grep -q "misp: input started" "$d/sng.log" || fail "the misp() source did not start: $(cat "$d/sng.log")"
  local got
  got=$(sed -n "s/.*misp: input started.* plugin='\([^']*\)'.*/\1/p" "$d/sng.log" | head -1)
  [ -n "$got" ] || fail "no plugin='...' in: $(grep 'input started' "$d/sng.log")"
  [ "$(readlink -f "$got")" = "$(readlink -f "$want")" ] || fail "the module loaded $got, want $want"
  echo "ok: syslog-ng loaded $module_dir/libmisp.so, which loaded $got"
}
