# Shared by the shell tests: a temporary folder removed at exit (with every process started
# through start_emulator), fail(), the emulator's API key, and start_emulator.
#   source lib.sh; start_emulator EMULATOR_BINARY [misp-emulator options...]  -> sets $url
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
key=0123456789abcdef0123456789abcdef01234567
start_emulator() {
  local bin=$1; shift
  rm -f "$tmp/port"
  "$bin" --key "$key" --port-file "$tmp/port" "$@" >"$tmp/emulator.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  [ -s "$tmp/port" ] || fail "misp-emulator did not start: $(cat "$tmp/emulator.log")"
  url="http://127.0.0.1:$(cat "$tmp/port")"
}
