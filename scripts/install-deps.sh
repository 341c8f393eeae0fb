#!/usr/bin/env bash
# Installs every Debian 12 package that labelite's build, tests and benchmarks need.
# Idempotent; run as root (or with sudo) on a fresh Debian 12.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config git python3 clang lld jq
  libclang-rt-14-dev
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libflatbuffers-dev flatbuffers-compiler
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev libyuv-dev libexif-dev
  libminizip-dev zlib1g-dev
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libsqlite3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  )
# Node.js runs the TFLite oracle in tests; the machine image may already ship its own build.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
