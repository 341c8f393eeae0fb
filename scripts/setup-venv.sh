#!/usr/bin/env bash
# Creates (or reuses) the Python venv for labelite's test tools and installs
# requirements-test.txt into it. Never installs anything system-wide.
#   scripts/setup-venv.sh [DEST]      DEST defaults to build/venv
# Reuse: DEST/.requirements.sha256 holds the hash of requirements-test.txt and the Python version
# it was installed for; when it matches, nothing is done. Set PYTHON to choose the interpreter
# (default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/build/venv}
python=${PYTHON:-python3}
req=$here/requirements-test.txt

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
