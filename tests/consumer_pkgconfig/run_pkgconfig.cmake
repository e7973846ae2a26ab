# Builds one C++ file against an installed vwo with nothing but pkg-config and the compiler, then runs it:
#
#   g++ -std=c++20 main.cpp $(pkg-config --cflags --libs [--static] vwo) -o consumer
#
#   -DVWO_PREFIX=<install prefix>      use this install, or
#   -DVWO_BINARY_DIR=<build>           install this build tree into <WORK_DIR>/prefix first
#   -DSTATIC=ON|OFF                    pass --static (needed for the default static libvwo.a)
#   -DPKG_CONFIG_EXECUTABLE -DCXX_COMPILER -DSOURCE -DWORK_DIR
# Prints "pkg-config not found: skipped" (the test's SKIP_REGULAR_EXPRESSION) without pkg-config.
cmake_minimum_required(VERSION 3.25)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

if(NOT PKG_CONFIG_EXECUTABLE OR NOT EXISTS "${PKG_CONFIG_EXECUTABLE}")
  message("pkg-config not found: skipped")
  return()
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
if(NOT VWO_PREFIX)
  set(VWO_PREFIX "${WORK_DIR}/prefix")
  run(${CMAKE_COMMAND} --install "${VWO_BINARY_DIR}" --prefix "${VWO_PREFIX}")
endif()
file(GLOB_RECURSE pc_file "${VWO_PREFIX}/*/pkgconfig/vwo.pc")
if(NOT pc_file)
  message(FATAL_ERROR "no pkgconfig/vwo.pc under ${VWO_PREFIX}")
endif()
list(GET pc_file 0 pc_file)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)

# Only this install is visible to pkg-config (plus the system's own .pc files, for openssl).
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
set(flags_command ${PKG_CONFIG_EXECUTABLE} --cflags --libs)
if(STATIC)
  list(APPEND flags_command --static)
endif()
list(APPEND flags_command vwo)
run(${flags_command})
string(STRIP "${run_output}" flags)
list(JOIN flags_command " " shown)
message(STATUS "${shown}: ${flags}")
separate_arguments(flags UNIX_COMMAND "${flags}")
if(NOT "-lvwo" IN_LIST flags)
  message(FATAL_ERROR "pkg-config gave no -lvwo")
endif()
if(STATIC AND NOT "-lssl" IN_LIST flags)
  message(FATAL_ERROR "pkg-config --static gave no -lssl: Requires.private is not honoured")
endif()
if(NOT STATIC AND "-lssl" IN_LIST flags)
  message(FATAL_ERROR "plain --libs over-links OpenSSL for a shared libvwo")
endif()

# The sources first, the libraries after them: the order a static link needs.
run(${CXX_COMPILER} -std=c++20 "${SOURCE}" -o "${WORK_DIR}/consumer" ${flags})
# A shared libvwo is found through LD_LIBRARY_PATH (pkg-config adds no rpath).
file(GLOB libdirs LIST_DIRECTORIES true "${VWO_PREFIX}/lib*")
string(REPLACE ";" ":" libpath "${libdirs}")
set(ENV{LD_LIBRARY_PATH} "${libpath}")
run("${WORK_DIR}/consumer")
message(STATUS "${run_output}")

# Scratch only: removed on success, kept after a failure above for inspection.
file(REMOVE_RECURSE "${WORK_DIR}")
