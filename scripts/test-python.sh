#!/usr/bin/env bash
# Builds the labelite Python package and runs its pytest suite (python/tests) on the shared
# test data: the Classifier and labelite.interpreter against the CLI and LiteRT, labels, and a
# local Dask cluster and Ray; then the Classifier, interpreter and label tests again with numpy 1.26
# (build/venv-numpy1; LABELITE_NUMPY1=0 skips that run).
#
#   scripts/test-python.sh [PYTEST ARGS...]        CMake route (what CI runs): the release build
#                                                  gains the nanobind module (only it and the CLI
#                                                  are built) in build/release/python
#   scripts/test-python.sh --pip [PYTEST ARGS...]  `pip install .` into the venv first (builds the
#                                                  library again inside pip: slow) and tests that
#
# Python comes from LABELITE_VENV (default build/venv, made by scripts/setup-venv.sh from
# requirements-test.txt); it needs numpy, pytest, pillow, ai-edge-litert, dask[distributed],
# ray[data], nanobind and scikit-build-core.
set -euo pipefail
cd "$(dirname "$0")/.."
pip_route=0
if [ "${1:-}" = "--pip" ]; then pip_route=1; shift; fi
venv=${LABELITE_VENV:-build/venv}
py=$venv/bin/python
if [ ! -x "$py" ]; then
  echo "test-python.sh: no Python venv at $venv (run scripts/setup-venv.sh, or set LABELITE_VENV)" >&2
  exit 1
fi
py=$(cd "$(dirname "$py")" && pwd)/python
jobs=$(nproc)
export LABELITE_TESTDATA=${LABELITE_TESTDATA:-$PWD/../shared/testdata}
export LABELITE_CLI=$PWD/build/release/labelite

cmake --preset release -DLABELITE_BUILD_PYTHON=ON -DPython_EXECUTABLE="$py" >/dev/null
if [ "$pip_route" = 1 ]; then
  cmake --build --preset release -j "$jobs" --target labelite_cli
  "$py" -m pip install --no-build-isolation --no-deps --force-reinstall .
  unset PYTHONPATH
  cd python/tests  # import the installed package, not the source tree
  exec "$py" -m pytest -q -p no:cacheprovider . "$@"
fi
cmake --build --preset release -j "$jobs" --target labelite_cli labelite_python
# Dask and Ray start worker processes: they import labelite from the same place.
export PYTHONPATH=$PWD/build/release/python
"$py" -m pytest -q -p no:cacheprovider python/tests "$@"
# numpy 1.x: the same module (nanobind does not compile against numpy) with numpy 1.26 and LiteRT;
# the Classifier, interpreter and label tests (Dask and Ray pin numpy 2 in the main venv).
if [ "${LABELITE_NUMPY1:-1}" != 0 ] && [ $# -eq 0 ]; then
  bash scripts/setup-venv.sh --numpy1 build/venv-numpy1
  build/venv-numpy1/bin/python -c 'import numpy; print("numpy", numpy.__version__)'
  build/venv-numpy1/bin/python -m pytest -q -p no:cacheprovider \
    python/tests/test_classifier.py python/tests/test_interpreter.py python/tests/test_labels.py
fi
