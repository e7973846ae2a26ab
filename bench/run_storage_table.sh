#!/usr/bin/env bash
# The table of docs/benchmarks.md, "Decisions with user storage": every store with both APIs, each row
# run RUNS times (default 5) interleaved, the run with the median decisions/s reported. Needs the Release
# build of vwo_bench_storage with the Redis store (hiredis and redis-server installed):
#
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DVWO_BUILD_BENCHMARKS=ON \
#         -DVWO_BUILD_TESTS=OFF -DVWO_BUILD_EXAMPLES=OFF -DVWO_BUILD_TOOLS=OFF
#   cmake --build build-bench --target vwo_bench_storage
#   bash bench/run_storage_table.sh [RUNS]
#
# Prints the JSON lines to build-bench/storage.jsonl and the Markdown table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bench=build-bench/bench/vwo_bench_storage
out=build-bench/storage.jsonl
: > "$out"
# label | arguments (a Redis call is a loopback round trip: fewer calls keep each run to seconds)
rows=(
  "none|--store none --api immediate --calls 200000"
  "none|--store none --api async --calls 200000"
  "memory|--store memory --api immediate --calls 200000"
  "memory|--store memory --api async --calls 200000"
  "memory-async|--store memory-async --api immediate --calls 100000"
  "memory-async|--store memory-async --api async --calls 200000"
  "redis-sync|--store redis-sync --api immediate --calls 20000"
  "redis|--store redis --api immediate --calls 20000"
  "redis|--store redis --api async --calls 100000"
  "redis, 1 in flight|--store redis --api async --calls 20000 --in-flight 1"
  "redis-sync, 1,000 users|--store redis-sync --api immediate --calls 20000 --users 1000"
  "redis, 1,000 users|--store redis --api async --calls 100000 --users 1000"
)
for ((run = 0; run < runs; ++run)); do
  for row in "${rows[@]}"; do
    label=${row%%|*}
    # shellcheck disable=SC2086 # the arguments are meant to split
    line=$("$bench" ${row#*|})
    echo "{\"label\":\"$label\",${line#\{}" >> "$out"
  done
done
python3 - "$out" <<'PY'
import collections, json, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    d = json.loads(line)
    rows.setdefault((d["label"], d["api"]), []).append(d)
def t(ns):
    return f"{ns:,.0f} ns" if ns < 1000 else f"{ns / 1000:,.1f} µs" if ns < 1e6 else f"{ns / 1e6:,.2f} ms"
print("| store | API | decisions/s | caller's thread per call p50 / p99 | call to completion p50 / p99 |")
print("|---|---|---:|---:|---:|")
for (label, api), runs in rows.items():
    runs.sort(key=lambda d: d["decisions_per_s"])
    d = runs[len(runs) // 2]
    failures = sum(r["storage_errors"] + r["storage_timeouts"] for r in runs)
    if failures:
        label += f" ({failures} storage failures!)"
    done = d["completion_ns"]
    completion = f"{t(done['p50'])} / {t(done['p99'])}" if done["count"] else "—"
    spread = f"{runs[0]['decisions_per_s']:,.0f}–{runs[-1]['decisions_per_s']:,.0f}"
    print(f"| {label} | {api} | {d['decisions_per_s']:,.0f} ({spread}) | "
          f"{t(d['caller_ns']['p50'])} / {t(d['caller_ns']['p99'])} | {completion} |")
PY
