#!/usr/bin/env bash
# Installs what labelite needs, builds it, shows what is inside a sample model, and classifies
# the sample images with it.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${LABELITE_SHARED:-../shared}
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target labelite_cli
bin=build/release/labelite
model="$shared/testdata/models/mobilenet_v2_1.0_224_quant.tflite"
"$bin" inspect "$model"
echo
"$bin" classify --model "$model" --format table --top-k 3 -v \
  "$shared/testdata/images/"{cat.bmp,grace_hopper.bmp,burger.jpg,parrot.jpg,hot_dog.jpg,sparrow.png}
