#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-14 in a separate build directory and runs
# each of them for a while (reliability.md R9; see docs/fuzzing.md).
#   bash tools/run_fuzzers.sh [seconds] [target...]
#     seconds   per target, default 60
#     target    push_request, settings, http_response (default: these three), decisions (only when named:
#               a settings file may hold a regex() that backtracks exponentially in JavaScript too, like
#               (x+)+y, which libFuzzer reports as a timeout; its runs are triaged by hand, docs/fuzzing.md)
# Each fuzzer starts from a copy of its seed corpus and saved regressions in build-fuzz/fuzz/<target>/
# (new inputs go there, never into the repository). Exits non-zero if any fuzzer crashed, and prints
# where the crashing input is. Installs clang-14 / libclang-rt-14-dev and the build dependencies when
# missing. Environment: VWO_FUZZ_BUILD_DIR (default build-fuzz), VWO_FUZZ_FLAGS (extra libFuzzer flags,
# e.g. "-fork=2 -ignore_crashes=1" to keep going after a crash).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
case "$seconds" in '' | *[!0-9]*) echo "usage: bash tools/run_fuzzers.sh [seconds] [target...]" >&2; exit 2 ;; esac
[ "$#" -gt 0 ] && shift
all_targets=(push_request settings http_response)
optional_targets=(decisions)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -d "tests/fuzz/corpus/$t" ] || { echo "unknown fuzz target: $t (known: ${all_targets[*]} ${optional_targets[*]})" >&2; exit 2; }
done

bash tools/install_packages.sh clang-14 libclang-rt-14-dev cmake ninja-build libssl-dev libboost1.81-dev nlohmann-json3-dev

build=${VWO_FUZZ_BUILD_DIR:-build-fuzz}
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DVWO_BUILD_FUZZERS=ON -DVWO_BUILD_TESTS=OFF -DVWO_BUILD_EXAMPLES=OFF -DVWO_BUILD_TOOLS=OFF
cmake --build "$build" --target "${targets[@]/#/fuzz_}"

read -r -a extra_flags <<<"${VWO_FUZZ_FLAGS:-}"
failed=()
for t in "${targets[@]}"; do
  work="$build/fuzz/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  # Copies, so that neither the seeds nor the saved regressions in the repository are ever rewritten.
  cp -R "tests/fuzz/corpus/$t/." "$work/corpus/"
  cp -R "tests/fuzz/regressions/$t/." "$work/corpus/"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=("-dict=tests/fuzz/dict/$t.dict")
  echo "== fuzz_$t for ${seconds}s (log: $work/fuzz.log)"
  rc=0
  "$build/tests/fuzz/fuzz_$t" "$work/corpus" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "${dict[@]}" "${extra_flags[@]}" >"$work/fuzz.log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/fuzz.log" | tail -n 1)
  if [ -z "$runs" ]; then # fork mode prints no final stats; take its last status line
    last=$(grep -E '^#[0-9]+: cov' "$work/fuzz.log" | tail -n 1 || true)
    runs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
    [ -n "$runs" ] && speed=$((runs / (seconds > 0 ? seconds : 1)))
  fi
  corpus=$(find "$work/corpus" -type f | wc -l)
  echo "   exit $rc, ${runs:-?} executions, ${speed:-?} exec/s, corpus now $corpus files"
  crashes=$(find "$work/artifacts" -type f | sort)
  if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
    failed+=("$t")
    echo "   FAILED: the report is in $work/fuzz.log; last lines:"
    grep -E "ERROR|runtime error|fuzz property violated|check:|SUMMARY" "$work/fuzz.log" | head -n 8 | sed 's/^/     /' || true
    if [ -n "$crashes" ]; then
      echo "   crashing input(s):"
      for crash in $crashes; do
        known=""
        for saved in "tests/fuzz/regressions/$t"/*; do
          [ -f "$saved" ] && cmp -s "$crash" "$saved" && known=$saved
        done
        if [ -n "$known" ]; then
          echo "     $crash (the saved regression $known: a known bug that is not fixed yet)"
        else
          echo "     $crash"
        fi
      done
      echo "   reproduce: $build/tests/fuzz/fuzz_$t <file>; keep a new one: cp <file> tests/fuzz/regressions/$t/<name>"
    fi
  fi
done

if ((${#failed[@]})); then
  echo "fuzzers with findings: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzzers ran ${seconds}s without findings"
