#!/usr/bin/env bash
# Installs the amd64 Debian package of labelite (from DIR, default build/packages) into a fresh
# Debian 12 root made with debootstrap, with `apt-get install ./labelite_*.deb` (so apt resolves
# the declared dependencies from Debian), and classifies a shared sample image with it.
# Needs root (or sudo) for debootstrap and chroot. The root is cached in build/pkgroot-base.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:-$here/build/packages}" && pwd)
testdata=${LABELITE_TESTDATA:-$here/../shared/testdata}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
deb=$(ls "$dir"/labelite_*_amd64.deb | head -n1)
base=$here/build/pkgroot-base
root=$here/build/pkgroot
mirror=${LABELITE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ ! -x "$base/usr/bin/apt-get" ]; then
  $SUDO rm -rf "$base"
  $SUDO debootstrap --variant=minbase bookworm "$base" "$mirror" >/dev/null
fi
$SUDO rm -rf "$root"
$SUDO cp -a "$base" "$root"
cleanup() {
  $SUDO umount "$root/proc" 2>/dev/null || true
  $SUDO rm -rf "$root"
}
trap cleanup EXIT
$SUDO mount -t proc proc "$root/proc"
$SUDO cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
$SUDO mkdir -p "$root/pkg" "$root/data"
$SUDO cp "$deb" "$root/pkg/"
$SUDO cp "$testdata/models/mobilenet_v2_1.0_224_quant.tflite" "$testdata/images/burger.jpg" "$root/data/"
$SUDO chroot "$root" /bin/sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
  apt-get install -y -qq --no-install-recommends ./pkg/$(basename "$deb") >/dev/null"
out=$($SUDO chroot "$root" labelite classify --model /data/mobilenet_v2_1.0_224_quant.tflite \
      --format json /data/burger.jpg)
echo "$out"
echo "$out" | grep -q '"label": *"cheeseburger"' || { echo "package_test: expected cheeseburger" >&2; exit 1; }
echo "package_test: $(basename "$deb") installs with apt into a fresh Debian 12 root and classifies"
