# `cmake --install`: the static library, public headers, the CLI, a pkg-config file and a CMake
# package config so that another project can `find_package(labelite)`.
include(CMakePackageConfigHelpers)
install(TARGETS labelite EXPORT labeliteTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS labelite_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(DIRECTORY include/labelite DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT labeliteTargets NAMESPACE labelite:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite
        COMPONENT dev)
configure_package_config_file(cmake/labeliteConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/labeliteConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/labeliteConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/labelite COMPONENT dev)
# The .pc file finds its prefix from where it is (the same file serves /usr/local, /usr from the
# Debian package, and a test prefix).
file(RELATIVE_PATH _pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
set(LABELITE_PC_PREFIX "\${pcfiledir}/${_pc_up}")
configure_file(cmake/labelite.pc.in ${CMAKE_CURRENT_BINARY_DIR}/labelite.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/labelite.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)
include(cmake/Packaging.cmake)
