#!/usr/bin/env bash
# Unpacks Debian 12's arm64 builds of labelite's dependencies into a private sysroot
# (default build/arm64-sysroot) for the cross build (cmake/toolchains/aarch64-linux-gnu.cmake).
# Why not `apt-get install libfoo-dev:arm64`: libxnnpack-dev and libpthreadpool-dev are not
# Multi-Arch: same in Debian 12, so their arm64 builds would replace the amd64 ones the native
# build needs. The packages come from the machine's apt sources (arm64 added as a foreign
# architecture); libc, libgcc and libstdc++ come from the cross toolchain instead.
# Idempotent: reuses the sysroot when its stamp matches the package list.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/build/arm64-sysroot}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
DEV_PKGS=(libxnnpack-dev libpthreadpool-dev libcpuinfo-dev libflatbuffers-dev libjpeg62-turbo-dev
  libpng-dev libwebp-dev libgif-dev libyuv-dev libexif-dev libstb-dev libminizip-dev zlib1g-dev
  libcpp-httplib-dev libsqlite3-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev)
# Header-only, Architecture: all.
ALL_PKGS=(nlohmann-json3-dev libcli11-dev)
# Provided by the cross toolchain (libc6-arm64-cross, libstdc++-12-dev-arm64-cross, ...).
SKIP_RE='^(libc6|libc6-dev|libgcc-s1|libgcc-12-dev|libstdc\+\+6|libstdc\+\+-12-dev|gcc-12-base|linux-libc-dev|libcrypt1|libcrypt-dev|libnsl2|libnsl-dev|libtirpc3|libtirpc-dev|libtirpc-common|rpcsvc-proto|libasan8|libatomic1|libgomp1|libitm1|liblsan0|libtsan2|libubsan1|libhwasan0|debconf|perl-base|dpkg|tar|libselinux1|libpcre2-8-0|libgssapi-krb5-2|libkrb5-3|libk5crypto3|libkrb5support0|libcom-err2|libkeyutils1|libkrb5-dev|libgssrpc4|libkadm5clnt-mit12|libkadm5srv-mit12|libkdb5-10|comerr-dev|krb5-multidev|libdb5.3)$'
stamp="$dest/.stamp"
want=$(sha256sum "$0" | cut -c1-16)  # the script is the package list
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
elif ! apt-cache show libxnnpack-dev:arm64 >/dev/null 2>&1; then
  $SUDO apt-get update -qq
fi
args=()
for p in "${DEV_PKGS[@]}"; do args+=("$p:arm64"); done
mapfile -t all < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances "${args[@]}" | grep -E '^[a-z0-9]' | sed 's/:arm64$//' |
  grep -vE ':(amd64|i386|all)$' | sort -u)
keep=()
for p in "${all[@]}"; do [[ "$p" =~ $SKIP_RE ]] || keep+=("$p:arm64"); done
# One apt-cache call: the architecture of each real package (virtual ones print nothing).
pkgs=("${ALL_PKGS[@]}")
while read -r name arch; do
  if [ "$arch" = all ]; then pkgs+=("$name"); else pkgs+=("$name:arm64"); fi
done < <(apt-cache show --no-all-versions "${keep[@]}" 2>/dev/null |
  awk '/^Package:/{n=$2} /^Architecture:/{print n, $2}' | sort -u)
debs="$dest.debs"
rm -rf "$dest" "$debs"
mkdir -p "$dest" "$debs"
(cd "$debs" && apt-get download -qq "${pkgs[@]}" 2>&1 | grep -v "^W:" || true)
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
# Absolute symlinks inside the sysroot (lib.so -> /lib/...) point into the host: make them
# relative to the sysroot.
find "$dest" -type l | while read -r l; do
  t=$(readlink "$l")
  if [[ "$t" = /* ]]; then ln -sfn "$dest$t" "$l"; fi
done
rm -rf "$debs"
echo "$want" > "$stamp"
echo "arm64 sysroot: ${#pkgs[@]} packages in $dest ($(du -sh "$dest" | cut -f1))"
