#!/usr/bin/env bash
# Installs a private copy of ../shared/tools/tflite-oracle (real TFLite as WebAssembly, from
# npm) into DEST (default build/oracle), since ../shared may be read-only. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${LABELITE_SHARED:-$here/../shared}/tools/tflite-oracle
dest=${1:-$here/build/oracle}
if [ -f "$dest/node_modules/.package-lock.json" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
mkdir -p "$dest"
cp "$src"/*.mjs "$src"/*.cjs "$src"/package.json "$src"/package-lock.json "$dest"/
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
