# Debian packages with CPack (`cpack -G DEB` in a build folder; scripts/test-arm64.sh builds both
# architectures into build/packages/):
#   labelite        the command-line tool (runtime libraries of Debian 12 as dependencies)
#   liblabelite-dev the static library, headers, pkg-config and CMake package files (depends on
#                   the -dev packages a program linking the static library needs)
# Dependencies are declared by name: dpkg-shlibdeps cannot see the arm64 libraries of a cross
# build (they live in a private sysroot, not in dpkg's database). The names are the same on
# amd64 and arm64 in Debian 12; tests/package_test.sh installs the amd64 package into a fresh
# Debian 12 root with apt, which proves the list.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME labelite)
set(CPACK_PACKAGE_VENDOR "labelite")
set(CPACK_PACKAGE_CONTACT "labelite developers <labelite@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Runs TensorFlow Lite image classifiers on CPUs and names the right class")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
else()
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
endif()

set(CPACK_DEBIAN_CLI_PACKAGE_NAME labelite)
set(CPACK_DEBIAN_CLI_DESCRIPTION "labelite command-line tool\n classify, eval, inspect, invoke, bench, labels and serve.")
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS
  "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libxnnpack0, libpthreadpool0, libcpuinfo0, \
libflatbuffers2, libjpeg62-turbo, libpng16-16, libwebp7, libgif7, libyuv0, libexif12, \
libminizip1, zlib1g, libcpp-httplib0.11, libsqlite3-0, libssl3, libstb0")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME liblabelite-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "labelite static library and headers\n With pkg-config and CMake package files (find_package(labelite)).")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libxnnpack-dev, libpthreadpool-dev, libcpuinfo-dev, libflatbuffers-dev, libjpeg62-turbo-dev, \
libpng-dev, libwebp-dev, libgif-dev, libyuv-dev, libexif-dev, libstb-dev, libminizip-dev, zlib1g-dev, \
libcpp-httplib-dev, libsqlite3-dev")
include(CPack)
