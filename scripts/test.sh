#!/usr/bin/env bash
# Installs what labelite needs, builds it, and runs the whole test suite (CTest).
#   scripts/test.sh            release build + tests
#   scripts/test.sh --asan     also an AddressSanitizer + UndefinedBehaviorSanitizer build + tests
set -euo pipefail
cd "$(dirname "$0")/.."
asan=0
for a in "$@"; do
  case "$a" in
    --asan) asan=1 ;;
    *) echo "usage: scripts/test.sh [--asan]" >&2; exit 1 ;;
  esac
done
jobs=$(nproc)
bash scripts/install-deps.sh
# Real TFLite (WebAssembly, from npm) as the oracle for kernel tests; ../shared may be read-only.
bash scripts/setup-oracle.sh build/oracle
export LABELITE_ORACLE_DIR=$PWD/build/oracle
export LABELITE_REQUIRE_ORACLE=1

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs" --timeout 900

if [ "$asan" = 1 ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" --timeout 1800
fi
