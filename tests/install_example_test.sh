#!/usr/bin/env bash
# Installs labelite into a temporary prefix, builds examples/classify against it with
# find_package(labelite), runs it on a shared model and image, and checks the top class.
set -euo pipefail
build_dir=$1 source_dir=$2 testdata=${LABELITE_TESTDATA:-$3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cmake -S "$source_dir/examples/classify" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/classify_example" "$testdata/models/mobilenet_v2_1.0_224_quant.tflite" \
      "$testdata/images/burger.jpg")
echo "$out"
first=$(echo "$out" | head -n1 | cut -f2)
[ "$first" = "cheeseburger" ] || { echo "expected cheeseburger, got '$first'" >&2; exit 1; }
test -f "$tmp/prefix/lib/pkgconfig/labelite.pc"
test -x "$tmp/prefix/bin/labelite"
echo "example OK"
