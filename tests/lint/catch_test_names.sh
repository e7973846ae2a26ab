#!/bin/sh
# Fails when a Catch test name holds a ';'. catch_discover_tests registers each test through a CMake
# list, so "a; b" becomes two CTest tests, "a" and " b", whose filters match no test case: both pass
# without running anything.
#
#   sh tests/lint/catch_test_names.sh <tests directory>
dir=${1:?usage: catch_test_names.sh <tests directory>}
if grep -rnE --include='*.cpp' 'TEST_CASE[_A-Z]*\(([A-Za-z_:]+, *)?"[^"]*;' "$dir"; then
  echo "Catch test names with ';' (above): CTest would split each in two and run nothing" >&2
  exit 1
fi
echo "no ';' in a Catch test name under $dir"
