#!/usr/bin/env bash
# Installs what labelite needs, builds it, and runs every test. What CI runs (.ci/run).
#   scripts/test.sh            everything below
#   scripts/test.sh --quick    the release build and its CTest suite only
# Steps (each prints its time and result; after the release build, a failing step does not stop
# the later ones, and the run fails at the end naming every failed step):
#   1. Debian packages (scripts/install-deps.sh --test), the WebAssembly TFLite oracle (npm) and
#      the Python test tools (scripts/setup-venv.sh: requirements-test.txt into build/venv)
#   2. release build with the Python module; CTest: unit, kernel, golden, CLI, server, MediaPipe
#   3. the Python package (scripts/test-python.sh: pytest, Dask LocalCluster, local Ray; numpy 1.26)
#   4. the model zoo subset against native LiteRT (scripts/zoo.sh ci)
#   5. arm64: cross build, core tests under qemu, Debian packages + install test (scripts/test-arm64.sh)
#   6. fuzzing, FUZZ_SECONDS (default 30) per target (scripts/fuzz.sh)
#   7. the AddressSanitizer + UndefinedBehaviorSanitizer build and its CTest suite
# Oracles are required (LABELITE_REQUIRE_ORACLE=1): a missing one fails its tests, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --asan) ;;  # kept for old callers: the sanitizer build is always part of the full run
    *) echo "usage: scripts/test.sh [--quick]" >&2; exit 1 ;;
  esac
done
jobs=$(nproc)
t0=$(date +%s)
failed=()
# run NAME COMMAND...: runs one step, prints its time and result; a failing step is recorded and
# the later steps still run, so one run shows every failure. The summary at the end fails the run.
# Each step's output also goes to build/test-logs/STEP.log; the summary repeats the end of a failed
# step's log, so the last lines of a long run (all CI keeps) say what failed.
logs=build/test-logs
mkdir -p "$logs"
step_log() { echo "$logs/$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_').log"; }
run() {
  local name=$1; shift
  local start; start=$(date +%s)
  local rc=0
  "$@" 2>&1 | tee "$(step_log "$name")" || rc=$?
  local now; now=$(date +%s)
  if [ $rc -eq 0 ]; then
    echo "== test.sh: $name: ok ($(( now - start )) s; $(( now - t0 )) s in all)"
  else
    echo "== test.sh: $name: FAILED, exit $rc ($(( now - start )) s; $(( now - t0 )) s in all)"
    failed+=("$name")
  fi
}
summary() {
  if [ ${#failed[@]} -gt 0 ]; then
    local name
    for name in "${failed[@]}"; do
      echo "== test.sh: the end of the failed step \"$name\" ($(step_log "$name")):"
      tail -n 25 "$(step_log "$name")"
    done
    echo "== test.sh: FAILED steps: ${failed[*]} ($(( $(date +%s) - t0 )) s in all)"
    exit 1
  fi
  echo "== test.sh: every step passed ($(( $(date +%s) - t0 )) s in all)"
  exit 0  # --quick ends here after the release CTest
}

# (Step functions chain with &&: bash ignores set -e inside a function called from "||".)
setup() {
  bash scripts/install-deps.sh --test &&
    bash scripts/setup-oracle.sh build/oracle &&
    bash scripts/setup-venv.sh build/venv
}
run "packages, oracle and venv" setup
[ ${#failed[@]} -eq 0 ] || summary
export LABELITE_ORACLE_DIR=$PWD/build/oracle
export LABELITE_REQUIRE_ORACLE=1
export LABELITE_VENV=$PWD/build/venv
export LABELITE_PYTHON=$LABELITE_VENV/bin/python

release_build() {
  cmake --preset release -DLABELITE_BUILD_PYTHON=ON -DPython_EXECUTABLE="$LABELITE_PYTHON" >/dev/null &&
    cmake --build --preset release -j "$jobs"
}
run "release build" release_build
[ ${#failed[@]} -eq 0 ] || summary  # every later step needs it
run "release CTest" ctest --preset release -j "$jobs" --timeout 900
[ "$quick" = 1 ] && summary

run "Python package" bash scripts/test-python.sh
run "model zoo (CI subset)" env LABELITE_BIN="$PWD/build/release/labelite" bash scripts/zoo.sh ci
run "arm64" bash scripts/test-arm64.sh --tests core
run "fuzzing" bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

asan() {
  cmake --preset asan >/dev/null &&
    cmake --build --preset asan -j "$jobs" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" --timeout 1800
}
run "ASan + UBSan build and CTest" asan
summary
