# Shared by the shell tests: a temporary folder removed at exit (with every process started
# through start_emulator), fail(), the emulator's API key, and start_emulator.
#   source lib.sh; start_emulator EMULATOR_BINARY [misp-emulator options...]  -> sets $url
tmp=$(mktemp -d)
pids=()
# Under ctest the work is kept (MISP_TEST_KEEP_WORK, TMPDIR=<build>/test-work): secrets_scan greps it.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -z "${MISP_TEST_KEEP_WORK:-}" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
key=$(sed -n 's/^api_token=//p' "$(dirname "${BASH_SOURCE[0]}")/../support/secrets.txt")  # the emulator's default
start_emulator() {
  local bin=$1; shift
  rm -f "$tmp/port"
  "$bin" --key "$key" --port-file "$tmp/port" "$@" >"$tmp/emulator.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  [ -s "$tmp/port" ] || fail "misp-emulator did not start: $(cat "$tmp/emulator.log")"
  url="http://127.0.0.1:$(cat "$tmp/port")"
}
