#!/usr/bin/env bash
# Runs the end-to-end tests of `labelite serve` with the test venv's Python (pytest, numpy,
# pillow, tritonclient[http]; scripts/setup-venv.sh makes it).
#   tests/server/run.sh BUILD_DIR SOURCE_DIR TEST_FILE [pytest args...]
# Python is $LABELITE_PYTHON, else SOURCE_DIR/build/venv/bin/python. Without it the test is
# skipped (exit 77), except with LABELITE_REQUIRE_ORACLE=1 (CI), where it fails.
set -euo pipefail
build=$1 src=$2 file=$3
shift 3
py=${LABELITE_PYTHON:-$src/build/venv/bin/python}
if ! "$py" -c "import pytest, numpy, PIL, tritonclient.http" 2>/dev/null; then
  echo "server tests: no test venv at $py (with pytest, numpy, pillow, tritonclient[http]); run scripts/setup-venv.sh or set LABELITE_PYTHON" >&2
  if [ "${LABELITE_REQUIRE_ORACLE:-0}" = 1 ]; then exit 1; fi
  exit 77
fi
export LABELITE_CLI=$build/labelite
export LABELITE_TESTDATA=${LABELITE_TESTDATA:-$src/../shared/testdata}
exec "$py" -m pytest -q -p no:cacheprovider "$src/tests/server/$file" "$@"
