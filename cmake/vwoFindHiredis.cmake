# Finds Debian's hiredis (libhiredis-dev, 0.14.1) and defines the imported target vwo_hiredis::hiredis.
# Used twice: by our own build (redis/CMakeLists.txt), and installed next to vwoConfig.cmake, where
# find_package(vwo COMPONENTS redis) runs it before loading the exported vwo::redis, which links this
# target by name. hiredis's own HiredisConfig.cmake defines no target, and pkg-config may be absent on a
# consumer's machine, so the library and header are looked up directly (pkg-config only as a hint).
if(TARGET vwo_hiredis::hiredis)
  return()
endif()
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(VWO_PC_HIREDIS QUIET hiredis)
endif()
find_path(VWO_HIREDIS_INCLUDE_DIR hiredis/async.h HINTS ${VWO_PC_HIREDIS_INCLUDEDIR}/..)
find_library(VWO_HIREDIS_LIBRARY NAMES hiredis HINTS ${VWO_PC_HIREDIS_LIBDIR})
if(VWO_HIREDIS_INCLUDE_DIR AND VWO_HIREDIS_LIBRARY)
  add_library(vwo_hiredis::hiredis UNKNOWN IMPORTED)
  set_target_properties(vwo_hiredis::hiredis PROPERTIES
    IMPORTED_LOCATION "${VWO_HIREDIS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${VWO_HIREDIS_INCLUDE_DIR}")
endif()
