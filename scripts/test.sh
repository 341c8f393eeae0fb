#!/usr/bin/env bash
# Installs what labelite needs, builds it, and runs every test. What CI runs (.ci/run).
#   scripts/test.sh            everything below
#   scripts/test.sh --quick    the release build and its CTest suite only
# Steps (each prints its time):
#   1. Debian packages (scripts/install-deps.sh --test), the WebAssembly TFLite oracle (npm) and
#      the Python test tools (scripts/setup-venv.sh: requirements-test.txt into build/venv)
#   2. release build with the Python module; CTest: unit, kernel, golden, CLI, server, MediaPipe
#   3. the Python package (scripts/test-python.sh: pytest, Dask LocalCluster, local Ray)
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
step_start=$t0
step() {
  local now; now=$(date +%s)
  echo "== test.sh: $1 ($(( now - step_start )) s; $(( now - t0 )) s in all)"
  step_start=$now
}

bash scripts/install-deps.sh --test
bash scripts/setup-oracle.sh build/oracle
bash scripts/setup-venv.sh build/venv
export LABELITE_ORACLE_DIR=$PWD/build/oracle
export LABELITE_REQUIRE_ORACLE=1
export LABELITE_VENV=$PWD/build/venv
export LABELITE_PYTHON=$LABELITE_VENV/bin/python
step "packages, oracle and venv ready"

cmake --preset release -DLABELITE_BUILD_PYTHON=ON -DPython_EXECUTABLE="$LABELITE_PYTHON" >/dev/null
cmake --build --preset release -j "$jobs"
step "release build"
ctest --preset release -j "$jobs" --timeout 900
step "release CTest"
[ "$quick" = 1 ] && exit 0

bash scripts/test-python.sh
step "Python package"

LABELITE_BIN=$PWD/build/release/labelite bash scripts/zoo.sh ci
step "model zoo (CI subset)"

bash scripts/test-arm64.sh --tests core
step "arm64"

bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
step "fuzzing"

cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs" --timeout 1800
step "ASan + UBSan build and CTest"
