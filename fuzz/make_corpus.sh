#!/bin/sh
# Seeds a corpus directory for model_fuzz with the shared test models.
#   fuzz/make_corpus.sh /tmp/model_corpus && ./model_fuzz /tmp/model_corpus -max_len=4000000
set -e
out=${1:-/tmp/model_corpus}
testdata=${LABELITE_TESTDATA:-$(dirname "$0")/../../shared/testdata}
mkdir -p "$out"
cp "$testdata"/models/*.tflite "$out"/
