#!/usr/bin/env bash
# Generates the model zoo and tests labelite against native LiteRT on it.
#   scripts/zoo.sh            the full zoo (every architecture x 5 conversions); writes
#                             tests/zoo/RESULTS.md
#   scripts/zoo.sh ci         the CI subset (every architecture as float32 and int8-uint8);
#                             writes build/zoo/RESULTS-ci.md, leaves tests/zoo/RESULTS.md alone
# Environment: LABELITE_VENV (default build/venv, created by scripts/setup-venv.sh),
# LABELITE_BIN (default build/release/labelite, built here), LABELITE_ZOO_CACHE (model cache).
# Exits with pytest's status: 0 only when every model passes.
set -euo pipefail
cd "$(dirname "$0")/.."
subset=full
case "${1:-}" in
  ""|full) ;;
  ci) subset=ci ;;
  *) echo "usage: scripts/zoo.sh [ci|full]" >&2; exit 2 ;;
esac
venv=${LABELITE_VENV:-build/venv}
if [ -z "${LABELITE_VENV:-}" ]; then
  bash scripts/setup-venv.sh "$venv"
fi
py=$venv/bin/python
if [ -z "${LABELITE_BIN:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target labelite_cli
  export LABELITE_BIN=$PWD/build/release/labelite
fi
mkdir -p build/zoo
export TF_CPP_MIN_LOG_LEVEL=2
start=$(date +%s)
"$py" tests/zoo/generate.py --subset "$subset" 2>&1 | grep -v -E '^(WARNING: All log messages|[IW][0-9]{4} )' || true
echo "zoo: generation took $(( $(date +%s) - start )) s"
status=0
"$py" -m pytest tests/zoo -p no:cacheprovider -q --zoo-subset "$subset" \
  --zoo-results "build/zoo/results-$subset.json" || status=$?
if [ "$subset" = full ]; then
  "$py" tests/zoo/report.py "build/zoo/results-$subset.json" --subset full --out tests/zoo/RESULTS.md
else
  "$py" tests/zoo/report.py "build/zoo/results-$subset.json" --subset ci --out build/zoo/RESULTS-ci.md
fi
echo "zoo: $subset subset took $(( $(date +%s) - start )) s in all"
exit "$status"
