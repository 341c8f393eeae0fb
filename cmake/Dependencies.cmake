# Every dependency comes from a Debian 12 package (see scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(FlatBuffers CONFIG REQUIRED)
find_program(FLATC_EXECUTABLE flatc REQUIRED)
find_package(JPEG REQUIRED)
find_package(PNG REQUIRED)
find_package(GIF REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
pkg_check_modules(MINIZIP REQUIRED IMPORTED_TARGET minizip)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
pkg_check_modules(LIBEXIF REQUIRED IMPORTED_TARGET libexif)
pkg_check_modules(CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)
# stb_image: the decoder MediaPipe Tasks and the TFLite Task Library read image files with
# (--preprocess mediapipe|tasklib).
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)

# pthreadpool ships no CMake or pkg-config file in Debian 12.
find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h REQUIRED)
find_library(PTHREADPOOL_LIBRARY pthreadpool REQUIRED)
add_library(PkgConfig::PTHREADPOOL UNKNOWN IMPORTED)
set_target_properties(PkgConfig::PTHREADPOOL PROPERTIES IMPORTED_LOCATION ${PTHREADPOOL_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${PTHREADPOOL_INCLUDE_DIR})
set(PTHREADPOOL_LINK_LIBRARIES ${PTHREADPOOL_LIBRARY})

# XNNPACK ships no CMake or pkg-config file in Debian 12.
find_path(XNNPACK_INCLUDE_DIR xnnpack.h REQUIRED)
find_library(XNNPACK_LIBRARY XNNPACK REQUIRED)
add_library(XNNPACK::XNNPACK UNKNOWN IMPORTED)
set_target_properties(XNNPACK::XNNPACK PROPERTIES
  IMPORTED_LOCATION ${XNNPACK_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${XNNPACK_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES "PkgConfig::PTHREADPOOL;PkgConfig::CPUINFO")

# libyuv: no CMake or pkg-config file either.
find_path(YUV_INCLUDE_DIR libyuv.h REQUIRED)
find_library(YUV_LIBRARY yuv REQUIRED)
add_library(YUV::YUV UNKNOWN IMPORTED)
set_target_properties(YUV::YUV PROPERTIES IMPORTED_LOCATION ${YUV_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${YUV_INCLUDE_DIR})

# Debian builds cpp-httplib as a shared library (with OpenSSL, zlib and brotli support).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(HTTPLIB::HTTPLIB ALIAS PkgConfig::HTTPLIB)

# What a consumer of the static library must link (also written into labelite.pc).
set(LABELITE_LINK_LIBS
  ${XNNPACK_LIBRARY} ${PTHREADPOOL_LINK_LIBRARIES} ${CPUINFO_LINK_LIBRARIES}
  ${JPEG_LIBRARIES} ${PNG_LIBRARIES} ${WEBP_LINK_LIBRARIES} ${GIF_LIBRARIES}
  ${LIBEXIF_LINK_LIBRARIES} ${STB_LINK_LIBRARIES} ${YUV_LIBRARY} ${HTTPLIB_LINK_LIBRARIES} ${MINIZIP_LINK_LIBRARIES} ${SQLite3_LIBRARIES}
  flatbuffers Threads::Threads)
