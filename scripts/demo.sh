#!/usr/bin/env bash
# Installs what labelite needs, builds it, and classifies the sample images with a sample model.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${LABELITE_SHARED:-../shared}
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target labelite_cli
bin=build/release/labelite
"$bin" inspect "$shared/testdata/models/mobilenet_v2_1.0_224_quant.tflite"
if "$bin" --help | grep -q classify; then
  "$bin" classify --model "$shared/testdata/models/mobilenet_v2_1.0_224_quant.tflite" \
    "$shared/testdata/images/"{cat.bmp,grace_hopper.bmp,burger.jpg,parrot.jpg,sparrow.png}
fi
