# Installs the SDK into a scratch prefix, then configures, builds and runs the consumer project
# against that prefix only.
#
#   -DVWO_BINARY_DIR=<build>         install this (already built) build tree, or
#   -DVWO_SOURCE_DIR=<src> -DVWO_SHARED=ON
#                                    first configure, build and install the SDK as a shared library
#                                    (BUILD_SHARED_LIBS=ON; no tests, examples or tools) in a build tree of its own
#   -DCONSUMER_SOURCE_DIR, -DCONSUMER_BINARY_DIR, -DCMAKE_GENERATOR
#   -DVWO_WARNINGS_AS_ERRORS=ON|OFF  passed on to the shared build
#   -DPKG_CONFIG_EXECUTABLE, -DCXX_COMPILER
#                                    with VWO_SHARED: also build the consumer through pkg-config (plain --libs)
# With VWO_SHARED the installed libvwo.so is also checked to export the public API only
# (tests/symbols/check_exports.cmake).
cmake_minimum_required(VERSION 3.25)
set(prefix "${CONSUMER_BINARY_DIR}/prefix")
file(REMOVE_RECURSE "${prefix}" "${CONSUMER_BINARY_DIR}/build")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

if(VWO_SHARED)
  # The library is rebuilt from source: the build tree running this test is static.
  set(sdk_build "${CONSUMER_BINARY_DIR}/sdk-build")
  if(NOT DEFINED VWO_WARNINGS_AS_ERRORS)
    set(VWO_WARNINGS_AS_ERRORS OFF)
  endif()
  string(TIMESTAMP started "%s")
  run(${CMAKE_COMMAND} -S "${VWO_SOURCE_DIR}" -B "${sdk_build}" -G "${CMAKE_GENERATOR}"
      -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DVWO_BUILD_TESTS=OFF -DVWO_BUILD_EXAMPLES=OFF
      -DVWO_BUILD_TOOLS=OFF
      -DVWO_WARNINGS_AS_ERRORS=${VWO_WARNINGS_AS_ERRORS})
  run(${CMAKE_COMMAND} --build "${sdk_build}" --parallel 2)
  string(TIMESTAMP built "%s")
  math(EXPR seconds "${built} - ${started}")
  message(STATUS "shared libvwo configured and built in ${seconds} s")
  run(${CMAKE_COMMAND} --install "${sdk_build}" --prefix "${prefix}")
else()
  run(${CMAKE_COMMAND} --install "${VWO_BINARY_DIR}" --prefix "${prefix}")
endif()

run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}/build" -G "${CMAKE_GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${CONSUMER_BINARY_DIR}/build")
run("${CONSUMER_BINARY_DIR}/build/consumer")

if(VWO_SHARED)
  # The consumer really uses the shared library: libvwo.so.<SOVERSION> is a NEEDED entry, the
  # SONAME symlink chain is installed, and no libvwo.a is.
  file(GLOB libdirs LIST_DIRECTORIES true "${prefix}/lib*")
  file(GLOB_RECURSE sonames "${prefix}/lib*/libvwo.so.*")
  file(GLOB_RECURSE archives "${prefix}/lib*/libvwo.a")
  file(GLOB_RECURSE devlinks "${prefix}/lib*/libvwo.so")
  if(NOT sonames OR archives OR NOT devlinks)
    message(FATAL_ERROR "expected libvwo.so and libvwo.so.* (and no libvwo.a) under ${prefix}: "
                        "found '${sonames}' '${archives}' '${devlinks}'")
  endif()
  file(GET_RUNTIME_DEPENDENCIES EXECUTABLES "${CONSUMER_BINARY_DIR}/build/consumer"
       RESOLVED_DEPENDENCIES_VAR resolved UNRESOLVED_DEPENDENCIES_VAR unresolved DIRECTORIES ${libdirs})
  list(FILTER resolved INCLUDE REGEX "libvwo\\.so")
  if(NOT resolved)
    message(FATAL_ERROR "the consumer does not load libvwo.so (resolved: ${resolved}; unresolved: ${unresolved})")
  endif()
  message(STATUS "consumer loads ${resolved}")

  # libvwo.so exports the public API only (the rule is in tests/symbols/check_exports.cmake).
  list(GET sonames 0 library)
  run(${CMAKE_COMMAND} -DLIBRARY=${library} -P ${CMAKE_CURRENT_LIST_DIR}/../symbols/check_exports.cmake)

  if(PKG_CONFIG_EXECUTABLE)
    run(${CMAKE_COMMAND} -DVWO_PREFIX=${prefix} -DPKG_CONFIG_EXECUTABLE=${PKG_CONFIG_EXECUTABLE}
        -DCXX_COMPILER=${CXX_COMPILER} -DSOURCE=${CONSUMER_SOURCE_DIR}/main.cpp
        -DWORK_DIR=${CONSUMER_BINARY_DIR}/pkg-config -DSTATIC=OFF
        -P ${CMAKE_CURRENT_LIST_DIR}/../consumer_pkgconfig/run_pkgconfig.cmake)
  endif()
endif()

# Scratch only: on success the prefix and builds are removed (hundreds of MB of library and binaries
# with debug information); a failure above stops this script first and keeps them for inspection.
file(REMOVE_RECURSE "${CONSUMER_BINARY_DIR}")
