#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in build/fuzz (clang 14, ASan + UBSan) and runs each
# for SECONDS (default 60), one after the other. Seeds are derived from ../shared/vectors at run
# time (tests/fuzz/make_seeds.py) plus tests/fuzz/seeds; what a run finds new is kept in
# build/fuzz/corpus/<target> for the next run, and crashers go to build/fuzz/artifacts/<target>.
# Exits non-zero when any target finds a crash, a leak, undefined behaviour, an uncaught exception,
# a timeout or runs out of memory. FUZZ_TARGETS="fuzz_cursor fuzz_split" runs only those.
#
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
build=$root/build/fuzz
shared=${MISP_SHARED_DIR:-$root/../shared}
all_targets=(fuzz_map_threat fuzz_map_threat_attributes fuzz_split fuzz_split_map fuzz_split_text
  fuzz_response
  fuzz_config fuzz_cursor fuzz_policy fuzz_http_date)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

# Per target: largest input (bytes) and dictionary.
max_len() {
  case $1 in
    fuzz_split | fuzz_response) echo 1048576 ;;
    fuzz_split_map | fuzz_split_text) echo 65536 ;;
    fuzz_map_*) echo 262144 ;;
    fuzz_config | fuzz_policy) echo 65536 ;;
    *) echo 256 ;;
  esac
}
dict() {
  case $1 in
    fuzz_map_* | fuzz_split | fuzz_split_map | fuzz_split_text) echo misp_json ;;
    fuzz_response | fuzz_http_date) echo http ;;
    fuzz_config | fuzz_policy) echo config ;;
    fuzz_cursor) echo cursor ;;
  esac
}

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DMISP_FUZZ=ON -DMISP_SANITIZE=ON \
  -DMISP_WERROR=ON -DMISP_DEVELOPER_MODE=OFF -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_FLAGS="-O1 -g" -DCMAKE_CXX_FLAGS="-O1 -g" >/dev/null
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target fuzz_targets >/dev/null

rm -rf "$build/seeds" "$build/run"
python3 tests/fuzz/make_seeds.py "$shared/vectors" "$build/seeds"
for t in cursor http_date config policy; do
  mkdir -p "$build/seeds/fuzz_$t"
  cp tests/fuzz/seeds/$t/* "$build/seeds/fuzz_$t/"
done
cp packaging/agent/policy.example.yml "$build/seeds/fuzz_policy/"
cp -r "$build/seeds/fuzz_split" "$build/seeds/fuzz_split_map"  # the same bodies, mapped both ways
cp -r "$build/seeds/fuzz_split" "$build/seeds/fuzz_split_text"  # and split from their text
mkdir -p "$build/run" "$build/logs"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:handle_abort=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t artifacts=$build/artifacts/$t log=$build/logs/$t.log
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus" "$build/seeds/$t")
  [ -d "tests/fuzz/corpus/$t" ] && dirs+=("$root/tests/fuzz/corpus/$t")  # kept crashers
  rc=0
  # An empty working directory: relative paths a config names resolve to nothing.
  (cd "$build/run" && "$build/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" -timeout=30 -detect_leaks=1 -print_final_stats=1 \
    -dict="$root/tests/fuzz/dict/$(dict "$t").dict" -artifact_prefix="$artifacts/" \
    "${dirs[@]}" </dev/null >"$log" 2>&1) || rc=$?
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  stat() { grep -E "^stat::$1:" "$log" | awk '{print $2}' || true; }
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  findings=$(grep -hE '^(==[0-9]+==ERROR|SUMMARY: |.*runtime error: |==[0-9]+== ERROR: libFuzzer|terminate called|  what\(\): )' \
    "$log" | head -6 || true)
  printf '%s: %ss, executions %s, exec/s %s, cov %s, ft %s, corpus %s, new units %s, peak rss %s MB\n' \
    "$t" "$seconds" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "$(stat new_units_added)" "$(stat peak_rss_mb)"
  if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then
    echo "  FINDING (exit $rc; log $log; inputs in $artifacts):"
    sed 's/^/    /' <<<"${findings:-$(tail -5 "$log")}"
    failed+=("$t")
  else
    echo "  findings: none"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no findings."
