#!/usr/bin/env bash
# Creates (or reuses) the Python venv for labelite's test tools and installs
# requirements-test.txt into it. Never installs anything system-wide.
#   scripts/setup-venv.sh [DEST]            DEST defaults to build/venv
#   scripts/setup-venv.sh --numpy1 [DEST]   the numpy 1.x compatibility venv (build/venv-numpy1):
#                                           ai-edge-litert, pytest and pillow as pinned in
#                                           requirements-test.txt, numpy from its "# numpy1:" line
# Reuse: DEST/.requirements.sha256 holds the hash of requirements-test.txt and the Python version
# it was installed for; when it matches, nothing is done. Set PYTHON to choose the interpreter
# (default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
numpy1=0
if [ "${1:-}" = "--numpy1" ]; then numpy1=1; shift; fi
python=${PYTHON:-python3}
req=$here/requirements-test.txt
if [ "$numpy1" = 1 ]; then
  dest=${1:-$here/build/venv-numpy1}
  mkdir -p "$dest"
  sub=$dest/requirements.txt
  { grep -E '^(ai-edge-litert|pytest|pillow)==' "$req"; sed -n 's/^# numpy1: *//p' "$req"; } > "$sub.new"
  if [ "$(grep -c '^numpy==' "$sub.new")" != 1 ] || [ "$(wc -l < "$sub.new")" != 4 ]; then
    echo "setup-venv: requirements-test.txt lacks the pins of the numpy 1.x run" >&2
    exit 1
  fi
  mv "$sub.new" "$sub"
  req=$sub
else
  dest=${1:-$here/build/venv}
fi

if ! command -v "$python" >/dev/null; then
  echo "setup-venv: no '$python' on PATH (set PYTHON)" >&2
  exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
want=$( (cat "$req"; echo "python $version") | sha256sum | cut -d' ' -f1)
stamp=$dest/.requirements.sha256
if [ -x "$dest/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ ! -x "$dest/bin/python" ]; then
  if ! "$python" -m venv "$dest"; then
    echo "setup-venv: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi
rm -f "$stamp"
"$dest/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$dest/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup-venv: $dest ready (python $version)"
