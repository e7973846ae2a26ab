# Configures, builds and runs tests/consumer_subdir, which pulls the SDK in with add_subdirectory.
#   -DVWO_SOURCE_DIR -DCONSUMER_SOURCE_DIR -DCONSUMER_BINARY_DIR -DCMAKE_GENERATOR
cmake_minimum_required(VERSION 3.25)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
file(REMOVE_RECURSE "${CONSUMER_BINARY_DIR}")
string(TIMESTAMP started "%s")
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}" -G "${CMAKE_GENERATOR}"
    "-DVWO_SOURCE_DIR=${VWO_SOURCE_DIR}" -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${CONSUMER_BINARY_DIR}" --parallel 2)
string(TIMESTAMP built "%s")
math(EXPR seconds "${built} - ${started}")
message(STATUS "consumer and SDK configured and built in ${seconds} s")
# Only what the consumer needs was built: no SDK tests, examples, collector or tool.
foreach(dir tests examples tools)
  if(EXISTS "${CONSUMER_BINARY_DIR}/vwo-build/${dir}")
    message(FATAL_ERROR "the SDK built its ${dir} as a subdirectory")
  endif()
endforeach()
run("${CONSUMER_BINARY_DIR}/consumer")

# Scratch only: on success the prefix and builds are removed (hundreds of MB of library and binaries
# with debug information); a failure above stops this script first and keeps them for inspection.
file(REMOVE_RECURSE "${CONSUMER_BINARY_DIR}")
