#!/usr/bin/env bash
# arm64: cross-builds labelite with Debian 12's aarch64 toolchain, runs its tests under
# qemu-aarch64 user-mode emulation, and builds the Debian packages of both architectures into
# build/packages/ (then installs the amd64 one into a fresh Debian 12 root and classifies an image
# with it, unless --no-package-test).
#   scripts/test-arm64.sh [--tests all|core|none] [--no-package-test]
# core (the default) = the base, model, kernel, golden, image, labels and classify tests; `all`
# adds the CLI, runtime and server tests. Emulated run times say nothing about speed on ARM.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=core package_test=1
while [ $# -gt 0 ]; do
  case "$1" in
    --tests) tests=$2; shift ;;
    --no-package-test) package_test=0 ;;
    *) echo "usage: scripts/test-arm64.sh [--tests all|core|none] [--no-package-test]" >&2; exit 1 ;;
  esac
  shift
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
jobs=$(nproc)
need=()
for p in g++-aarch64-linux-gnu qemu-user-static dpkg-dev debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
bash scripts/arm64-sysroot.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# cpack installs what was built; it must not build the test binaries left out below.
cmake --preset arm64 "${launcher[@]}" -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
# Build what the chosen tests and the package need: with core tests, not the runtime, CLI and
# server test binaries that would not run.
core=(base model kernels image labels classify)  # the core tests' modules: binaries and CTest labels
targets=()
case "$tests" in
  core) targets=(--target labelite_cli "${core[@]/%/_tests}") ;;
  none) targets=(--target labelite_cli) ;;
esac
start=$(date +%s)
cmake --build --preset arm64 -j "$jobs" "${targets[@]}"
echo "arm64 cross build: $(( $(date +%s) - start )) s"
file build/arm64/labelite | grep -q "ARM aarch64" || { echo "build/arm64/labelite is not an arm64 binary" >&2; exit 1; }

if [ "$tests" != none ]; then
  # The WebAssembly TFLite oracle runs on the host (node) for the kernel tests.
  if [ -z "${LABELITE_ORACLE_DIR:-}" ]; then
    bash scripts/setup-oracle.sh build/oracle
    export LABELITE_ORACLE_DIR=$PWD/build/oracle
  fi
  filter=()
  if [ "$tests" = core ]; then filter=(-L "^($(IFS='|'; echo "${core[*]}"))\$"); fi
  # The cli tests run build/arm64/labelite-emulated (the CLI under qemu); discovery and every
  # test binary run under build/arm64/qemu-run (CMAKE_CROSSCOMPILING_EMULATOR).
  start=$(date +%s)
  ctest --preset arm64 -j "$jobs" --timeout 1800 "${filter[@]}"
  echo "arm64 tests under qemu ($tests): $(( $(date +%s) - start )) s"
fi

mkdir -p build/packages
rm -f build/packages/*.deb
(cd build/arm64 && cpack -G DEB -B "$PWD/../packages" >/dev/null)
if [ ! -d build/release ]; then cmake --preset release >/dev/null; fi
cmake --build --preset release -j "$jobs" --target labelite labelite_cli
(cd build/release && cpack -G DEB -B "$PWD/../packages" >/dev/null)
rm -rf build/packages/_CPack_Packages
ls -l build/packages/*.deb
for deb in build/packages/*.deb; do dpkg-deb -f "$deb" Package Architecture Version Installed-Size; done
if [ "$package_test" = 1 ]; then
  bash tests/package_test.sh build/packages
fi
