# CTest guard (issue 15, item 6): no tracked file under src/ include/ tests/ tools/ examples/ bench/ docs/
# or README.md may cite the research notes that live outside the repository. The wire and decision facts
# the code relies on are in docs/protocol.md and docs/decisions.md; cite those sections instead.
#
#   cmake -DSOURCE_DIR=<repository> -DGIT_EXECUTABLE=<git> -P no_outside_citations.cmake
#
# The file list comes from `git ls-files` when the test runs, so files added or rewritten on other
# branches are checked once merged. Without git or a work tree (a source archive) the check is skipped.
# The patterns are assembled from pieces so that this file does not match them itself.

cmake_minimum_required(VERSION 3.25) # script mode: the project's policies (list and string semantics)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "no_outside_citations.cmake: pass -DSOURCE_DIR=<repository>")
endif()
if(NOT GIT_EXECUTABLE OR NOT EXISTS "${SOURCE_DIR}/.git")
  message("no git work tree at ${SOURCE_DIR}: citation check skipped")
  return()
endif()

execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" -c core.quotePath=false ls-files --
                        src include tests tools examples bench docs README.md
                OUTPUT_VARIABLE listing RESULT_VARIABLE git_result ERROR_VARIABLE git_error)
if(NOT git_result EQUAL 0)
  message("git ls-files failed (${git_error}): citation check skipped")
  return()
endif()
# One name per line: a CMake list (names holding ';' or a newline are not expected in this tree).
string(REPLACE "\n" ";" files "${listing}")
list(REMOVE_ITEM files "")

set(md "[.]md")
string(CONCAT push_notes "push" "-protocol" "${md}")
string(CONCAT decision_notes "decision" "-apis" "${md}")
string(CONCAT shared_relative "[.][.]" "/shared/")
string(CONCAT shared_dirs "/shared" "/(spec|design)/")
set(pattern "(${push_notes}|${decision_notes}|${shared_relative}|${shared_dirs})")

set(hits 0)
foreach(file IN LISTS files)
  if(NOT EXISTS "${SOURCE_DIR}/${file}" OR IS_DIRECTORY "${SOURCE_DIR}/${file}")
    continue()
  endif()
  file(STRINGS "${SOURCE_DIR}/${file}" lines REGEX "${pattern}" ENCODING UTF-8)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    message("${file}: ${line}")
    math(EXPR hits "${hits} + 1")
  endforeach()
endforeach()

list(LENGTH files count)
if(hits GREATER 0)
  message(FATAL_ERROR "${hits} line(s) cite notes outside the repository; cite docs/protocol.md or "
                      "docs/decisions.md instead")
endif()
message("no citation of files outside the repository in ${count} tracked files")
