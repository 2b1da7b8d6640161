#!/usr/bin/env bash
# Runs the fuzz targets with libFuzzer, one at a time, one process each.
#
#   tests/fuzz/run.sh [TARGET [SECONDS]]     default: every target, 60 s each
#
# TARGET is one of: header keys index archive archive_v2 container age segment (or "all").
# Environment:
#   COFFER_FUZZ_BUILD   the clang build folder (default: build-fuzz in the repository);
#                       configured and built here if needed (CC=clang CXX=clang++,
#                       -DCOFFER_FUZZ=ON -DCOFFER_SANITIZE=ON)
#   COFFER_FUZZ_ARGS    extra libFuzzer arguments (e.g. -runs=1000)
#   COFFER              a coffer executable for make-seeds.sh (default: build one here)
#
# Seeds: made once by make-seeds.sh into BUILD/fuzz-seeds/TARGET. The growing
# corpus is BUILD/fuzz-corpus/TARGET, crashes go to BUILD/fuzz-artifacts/TARGET/,
# the log (with -print_final_stats) to BUILD/fuzz-logs/TARGET.log. A crash makes
# this script fail; keep its input as tests/fuzz/regressions/TARGET/NAME.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${COFFER_FUZZ_BUILD:-$root/build-fuzz}
targets=(header keys index archive archive_v2 container age segment)
want=${1:-all}
seconds=${2:-60}
if [ "$want" != all ]; then
  case " ${targets[*]} " in
    *" $want "*) targets=("$want") ;;
    *) echo "unknown target \"$want\"; one of: ${targets[*]}" >&2; exit 2 ;;
  esac
fi

cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  echo "run.sh: clang is needed for libFuzzer (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=$cc CXX=$cxx cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCOFFER_FUZZ=ON -DCOFFER_SANITIZE=ON > "$build.configure.log"
fi
jobs=${COFFER_BUILD_JOBS:-2}
coffer=${COFFER:-$build/main/coffer}
build_targets=(coffer_fuzz_seedtool $(printf 'fuzz_%s ' "${targets[@]}"))
[ -z "${COFFER:-}" ] && build_targets+=(coffer)
cmake --build "$build" -j "$jobs" --target "${build_targets[@]}" > "$build.build.log" || {
  tail -30 "$build.build.log" >&2
  exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export BOTAN_MLOCK_POOL_SIZE=0
if [ ! -d "$build/fuzz-seeds/segment" ] || [ ! -d "$build/fuzz-seeds/archive_v2" ] || [ -z "$(ls -A "$build/fuzz-seeds/container" 2> /dev/null)" ]; then
  "$root/tests/fuzz/make-seeds.sh" "$coffer" "$build/tests/fuzz/coffer_fuzz_seedtool" "$build/fuzz-seeds"
fi

status=0
for t in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  mkdir -p "$corpus" "$artifacts" "$build/fuzz-logs"
  log=$build/fuzz-logs/$t.log
  echo "== fuzz_$t for ${seconds}s (log: $log)"
  # -jobs/-workers 1: one process on one core; the machine is shared.
  # The fuzzer's own CPU time (user + sys) is appended to BUILD/fuzz-logs/TARGET.cpu.
  timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -a -o "$build/fuzz-logs/$t.cpu")
  if ! "${timer[@]}" "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 \
    -rss_limit_mb=4096 -dict="$root/tests/fuzz/dict/$t.dict" -artifact_prefix="$artifacts/" \
    ${COFFER_FUZZ_ARGS:-} "$corpus" "$build/fuzz-seeds/$t" > "$log" 2>&1; then
    echo "fuzz_$t FAILED; inputs in $artifacts:" >&2
    ls "$artifacts" >&2
    grep -E "ERROR|FUZZ_CHECK|SUMMARY" "$log" | head -5 >&2 || true
    status=1
  fi
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)" "$log" || true
  grep -E "cov: [0-9]+" "$log" | tail -1 || true
  [ -f "$build/fuzz-logs/$t.cpu" ] &&
    awk '/^[0-9.]+ [0-9.]+$/ { c += $1 + $2 } END { printf "CPU seconds so far (all runs): %.0f\n", c }' "$build/fuzz-logs/$t.cpu"
done
exit $status
