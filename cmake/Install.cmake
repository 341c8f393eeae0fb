# `cmake --install`: the static library, public headers, the CLI, a pkg-config file and a CMake
# package config so that another project can `find_package(labelite)`.
include(CMakePackageConfigHelpers)
install(TARGETS labelite EXPORT labeliteTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS labelite_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/labelite DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT labeliteTargets NAMESPACE labelite:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite)
configure_package_config_file(cmake/labeliteConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/labeliteConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite)
configure_file(cmake/labelite.pc.in ${CMAKE_CURRENT_BINARY_DIR}/labelite.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/labelite.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
