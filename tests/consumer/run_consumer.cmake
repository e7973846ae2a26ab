# Installs the built SDK into a scratch prefix, then configures, builds and runs the
# consumer project against that prefix only.
set(prefix "${CONSUMER_BINARY_DIR}/prefix")
file(REMOVE_RECURSE "${prefix}" "${CONSUMER_BINARY_DIR}/build")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install "${VWO_BINARY_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}/build" -G "${CMAKE_GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${CONSUMER_BINARY_DIR}/build")
run("${CONSUMER_BINARY_DIR}/build/consumer")
