#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan (cmake --preset fuzz), seeds
# their corpora from the shared test data, and runs each for SECONDS (default 60).
# Fails on any crash, sanitizer report, leak, timeout (> 1 s for one input, again when that input
# is replayed alone: a stall of a shared host does not count) or out-of-memory (> 2 GB); prints
# the executions of each target. Failing inputs are left in build/fuzz-artifacts/ and, when small,
# printed as base64.
# Before fuzzing, each target replays the crashes found earlier (fuzz/regressions/TARGET/: one
# small file per bug fixed, or a .patch of a shared test model, written out by
# fuzz/regressions/materialize.py into build/fuzz-regressions/); a replay that fails fails the run.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# LABELITE_FUZZ_TIMEOUT (default 1) is libFuzzer's per-input limit in wall-clock seconds: raise it
# only on a host so loaded that a run waits for the CPU (check a timeout input's user time with
# /usr/bin/time build/fuzz/fuzz/TARGET -runs=1 INPUT before calling it a hang).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
per_input=${LABELITE_FUZZ_TIMEOUT:-1}
shift || true
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake --preset fuzz "${launcher[@]}" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do t=$(basename "$f" .cc); targets+=("$t"); done
fi
cmake --build build/fuzz -j "$jobs" --target "${targets[@]}"
corpus=build/fuzz-corpus
sh fuzz/make_corpus.sh "$corpus" >/dev/null
regressions=build/fuzz-regressions
python3 fuzz/regressions/materialize.py "${LABELITE_TESTDATA:-../shared/testdata}" "$regressions"
artifacts=build/fuzz-artifacts
mkdir -p "$artifacts"
# run_target TARGET ARGS...: the target under the sanitizers' options, with the limits every run
# shares: -timeout the time per input, -rss_limit_mb and -malloc_limit_mb the memory (2 GB).
run_target() {
  local t=$1
  shift
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build/fuzz/fuzz/$t" -timeout="$per_input" -rss_limit_mb=2048 -malloc_limit_mb=2048 "$@"
}
# fuzz_one TARGET: replays the target's regressions, then fuzzes it; leaves its exit code in
# build/fuzz-work/TARGET.rc and its output in build/fuzz-work/TARGET.log.
fuzz_one() {
  local t=$1 seeds="$corpus/${1%_fuzz}" work="build/fuzz-work/${1%_fuzz}" rc=0
  local log="build/fuzz-work/$t.log"
  mkdir -p "$work" "$artifacts/$t"
  : >"$log"
  if [ -d "$regressions/$t" ]; then
    # Replays every committed crash input once (files, not a corpus folder: nothing is written).
    run_target "$t" "$regressions/$t"/* >>"$log" 2>&1 || rc=$?
  fi
  if [ $rc -eq 0 ]; then
    # -fork-free single process: -max_total_time bounds the run.
    run_target "$t" -max_total_time="$seconds" -max_len=1048576 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$t/" "$work" "$seeds" >>"$log" 2>&1 || rc=$?
  fi
  rm -f "build/fuzz-work/$t.note"
  if [ $rc -ne 0 ] && grep -q 'ERROR: libFuzzer: timeout' "$log"; then
    # The limit is wall-clock time, and CI machines are shared: a stall of the host also trips it.
    # The input is replayed alone three times; only a timeout that reproduces fails the run.
    local input replays=0
    input=$(ls -t "$artifacts/$t"/timeout-* 2>/dev/null | head -n 1)
    while [ -n "$input" ] && [ $replays -lt 3 ] && run_target "$t" "$input" >>"$log" 2>&1; do
      replays=$((replays + 1))
    done
    if [ $replays -eq 3 ]; then
      echo "timeout did not reproduce: $input ran within $per_input s alone, 3 times" \
        >"build/fuzz-work/$t.note"
      rc=0
    fi
  fi
  echo "$rc" >"build/fuzz-work/$t.rc"
}
# One target per core at a time (each libFuzzer process is single-threaded), so the run takes
# about SECONDS x targets / cores.
mkdir -p build/fuzz-work
running=0
for t in "${targets[@]}"; do
  rm -f "build/fuzz-work/$t.rc"
  fuzz_one "$t" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
failed=()
printf '%-16s %12s %10s %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  log="build/fuzz-work/$t.log"
  rc=$(cat "build/fuzz-work/$t.rc" 2>/dev/null || echo "?")
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  if [ "$rc" = 0 ]; then
    result=ok
    [ -f "build/fuzz-work/$t.note" ] && result="ok ($(cat "build/fuzz-work/$t.note"))"
  else result="FAILED (exit $rc, see $log)"; failed+=("$t"); fi
  printf '%-16s %12s %10s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo "---- $t" >&2
    grep -m5 -E 'ERROR|SUMMARY|runtime error|Timeout|out-of-memory' "build/fuzz-work/$t.log" >&2 || true
    grep -m8 -E '^ +#[0-9]+ 0x' "build/fuzz-work/$t.log" >&2 || true
    # The input that failed, as base64 when small, so a CI log alone reproduces it
    # (base64 -d > input; build/fuzz/fuzz/TARGET input).
    for a in "$artifacts/$t"/*; do
      [ -f "$a" ] || continue
      size=$(stat -c %s "$a")
      if [ "$size" -le 3072 ]; then
        echo "$a ($size bytes, base64): $(base64 -w0 "$a")" >&2
      else
        echo "$a ($size bytes, sha256 $(sha256sum "$a" | cut -c1-16))" >&2
      fi
    done
  done
  exit 1
fi
