#!/bin/sh
# Seeds one corpus folder per fuzz target under OUT (default build/fuzz-corpus) from the shared
# test data: models, their metadata buffers and appended zips, images by format, label files.
#   fuzz/make_corpus.sh build/fuzz-corpus
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/build/fuzz-corpus}
testdata=${LABELITE_TESTDATA:-$here/../shared/testdata}
mkdir -p "$out"
for t in model metadata zip jpeg png bmp webp gif labels; do mkdir -p "$out/$t"; done
cp "$testdata"/models/*.tflite "$out/model/"
cp "$testdata"/labels/* "$out/labels/" 2>/dev/null || true
find "$testdata/images" -type f | while read -r f; do
  case "$(echo "$f" | tr 'A-Z' 'a-z')" in
    *.jpg|*.jpeg) cp "$f" "$out/jpeg/" ;;
    *.png) cp "$f" "$out/png/" ;;
    *.bmp) cp "$f" "$out/bmp/" ;;
    *.webp) cp "$f" "$out/webp/" ;;
    *.gif) cp "$f" "$out/gif/" ;;
  esac
done
# The shared images have no WebP or GIF: small committed seeds (fuzz/seeds/) stand in.
cp "$here"/fuzz/seeds/*.webp "$out/webp/"
cp "$here"/fuzz/seeds/*.gif "$out/gif/"
# The server's request parsers: small committed requests (fuzz/seeds/make_server_seeds.py).
for t in oip_request tfserving_request multipart; do
  mkdir -p "$out/$t"
  cp "$here"/fuzz/seeds/$t/* "$out/$t/"
done
# Metadata buffers start 4 bytes before their "M001" file identifier; appended zips at "PK\3\4".
python3 - "$testdata/models" "$out" <<'PY'
import os, sys
models, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(models)):
    data = open(os.path.join(models, name), 'rb').read()
    i = data.find(b'M001')
    if i >= 4:
        open(os.path.join(out, 'metadata', name + '.meta'), 'wb').write(data[i - 4:i - 4 + 65536])
    j = data.find(b'PK\x03\x04')
    if j >= 0:
        open(os.path.join(out, 'zip', name + '.zip'), 'wb').write(data[j:])
PY
for t in model metadata zip jpeg png bmp webp gif labels oip_request tfserving_request multipart; do
  [ -n "$(ls -A "$out/$t")" ] || echo "make_corpus: no seeds for $t" >&2
done
