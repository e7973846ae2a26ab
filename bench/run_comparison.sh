#!/usr/bin/env bash
# The whole performance comparison in one command (README):
#   bash bench/run_comparison.sh [--quick] [--update-docs]
#
# Builds the benchmarks in Release, starts a one-worker nginx on loopback (HTTP and HTTPS,
# answering `200 {}`) and the project's own collector in its own process, then measures in one run:
#   - wrk against nginx: the ceiling for one request per event (same connection count as ours);
#   - vwo-cpp-sdk: caller cost (per-call percentiles), delivered events/s and CPU per event for
#     single-key GET over HTTP and HTTPS and for batch events, memory per queued event;
#   - the official Node SDK (vwo-node-sdk 1.73.0 from npm) on the same collector and workloads;
# and prints the results with ours/theirs ratios and the issue's targets. Everything stays on 127.0.0.1.
# Results: build-bench/results/ (JSON lines, summary.md, PNG plots). --update-docs also copies the
# summary and plots to docs/ (docs/benchmark-results.md, docs/img/). --quick: smaller runs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

quick=0
update_docs=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --update-docs) update_docs=1 ;;
    *) echo "usage: bash bench/run_comparison.sh [--quick] [--update-docs]" >&2; exit 2 ;;
  esac
done

bash tools/install_packages.sh g++ cmake ninja-build openssl libssl-dev libboost1.81-dev nlohmann-json3-dev \
  libbenchmark-dev nginx-light wrk gnuplot-nox python3

build=build-bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVWO_BUILD_BENCHMARKS=ON -DVWO_BUILD_TESTS=OFF \
  -DVWO_BUILD_EXAMPLES=OFF -DVWO_BUILD_TOOLS=OFF -DVWO_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build "$build" --target vwo_bench vwo_bench_micro vwo_bench_collector

results=$repo/$build/results
rm -rf "$results"
mkdir -p "$results"
out=$results/results.jsonl
bench=$repo/$build/bench/vwo_bench

cleanup() {
  [ -f "$results/nginx/nginx.pid" ] && kill "$(cat "$results/nginx/nginx.pid")" 2>/dev/null || true
  [ -n "${collector_pid:-}" ] && kill "$collector_pid" 2>/dev/null || true
}
trap cleanup EXIT

# --- the machine ---------------------------------------------------------------------------------
{
  echo "{\"machine\":{\"cpu\":\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\",\"cores\":$(nproc),"
  echo "\"memory_gib\":$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo),\"kernel\":\"$(uname -r)\","
  echo "\"compiler\":\"$(g++ --version | head -1)\",\"nginx\":\"$(nginx -v 2>&1 | sed 's/.*: //')\","
  echo "\"node\":\"$(node --version 2>/dev/null || echo none)\",\"date\":\"$(date -u +%Y-%m-%dT%H:%MZ)\"}}"
} | tr -d '\n' >"$results/machine.json"
echo >>"$results/machine.json"

# --- collectors ----------------------------------------------------------------------------------
bash bench/start_nginx.sh "$results/nginx"
http_port=$(cat "$results/nginx/http_port")
https_port=$(cat "$results/nginx/https_port")
ca=$results/nginx/ca.pem
nginx_http=http://127.0.0.1:$http_port
nginx_https=https://127.0.0.1:$https_port

coproc collector { exec "$repo/$build/bench/vwo_bench_collector"; }
collector_pid=$collector_PID
read -r -t 10 _ own_port <&"${collector[0]}"
own_http=http://127.0.0.1:$own_port
echo "nginx http $http_port https $https_port, own collector $own_port"

record() { tee -a "$out"; }

if [ "$quick" = 1 ]; then events=20000; node_events=3000; batch_events=500000; secs=3
else events=100000; node_events=10000; batch_events=2000000; secs=5; fi

# --- ceiling: wrk with our connection count ------------------------------------------------------
# Two keep-alive connections as our max_connections = 2, driven by one wrk thread and by two (one
# connection each, which this machine serves faster); the higher rate is the ceiling.
push_path="/server-side/push?sId=1763900000&u=C4D95C097902569F9A2D2E87CD3201C8&sdk=vwo-cpp-sdk&sdk-v=0.1.0&env=abcdef0123456789abcdef0123456789&account_id=123456&random=0.5&ap=server&tags=%7B%22u%22%3A%7B%22plan%22%3A%22premium%22%7D%7D"
for scheme in http https; do
  url=$([ $scheme = http ] && echo "$nginx_http" || echo "$nginx_https")$push_path
  for threads in 1 2; do
    rate=$(wrk -t$threads -c2 -d${secs}s "$url" | awk '/Requests\/sec/ {print $2}')
    echo "{\"sdk\":\"wrk\",\"scenario\":\"ceiling\",\"transport\":\"$scheme\",\"threads\":$threads,\"connections\":2,\"events_per_s\":$rate}" | record
  done
done

# --- ours ----------------------------------------------------------------------------------------
echo "--- vwo-cpp-sdk"
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 10000 --events $((events / 2)) --warmup | record
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 10000 --events $((events / 2)) --keys 3 --warmup | record
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 10000 --events $((events / 2)) --threads 2 --warmup | record
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 0 --events "$events" --warmup | record
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 0 --events "$events" --threads 2 --warmup | record
"$bench" caller --endpoint "$nginx_https" --ca "$ca" --rate 10000 --events $((events / 2)) --promise | record
"$bench" caller --endpoint http://127.0.0.1:1 --rate 10000 --events $((events / 2)) --down | record
"$bench" throughput --endpoint "$nginx_http" --events "$events" | record
"$bench" throughput --endpoint "$nginx_https" --ca "$ca" --events "$events" | record
"$bench" throughput --endpoint "$own_http" --events "$events" --collector own | record
"$bench" throughput --endpoint "$nginx_http" --events "$batch_events" --batch 5000 | record
"$bench" throughput --endpoint "$nginx_https" --ca "$ca" --events "$batch_events" --batch 5000 | record
for state in inbox batch outage; do "$bench" memory --state $state | record; done
"$repo/$build/bench/vwo_bench_micro" --benchmark_format=json --benchmark_out="$results/micro.json" \
  --benchmark_out_format=json --benchmark_min_time=0.2 >/dev/null 2>"$results/micro.log" \
  && echo "micro benchmarks: $results/micro.json" || echo "micro benchmarks failed: $results/micro.log"

# --- the official Node SDK -----------------------------------------------------------------------
echo "--- vwo-node-sdk"
node_dir=$repo/$build/node-sdk
if bash bench/node/install_node_sdk.sh "$node_dir"; then
  run_node() { # transport scenario args...
    local transport=$1
    shift
    local port=$http_port tls=0
    [ "$transport" = https ] && port=$https_port tls=1
    # NODE_EXTRA_CA_CERTS: the SDK's own TLS path (a new secure context per request, as in production).
    VWO_BENCH_PORT=$port VWO_BENCH_TLS=$tls VWO_BENCH_CA=$ca NODE_EXTRA_CA_CERTS=$ca \
      timeout 600 node -r "$repo/bench/node/redirect.js" "$repo/bench/node/node_bench.js" --sdk-prefix "$node_dir" \
      --settings "$repo/tests/node_compat/settings/legacy.json" "$@" || echo "{\"sdk\":\"vwo-node-sdk\",\"error\":\"$*\"}"
  }
  run_node https --scenario caller_cost --events $((node_events / 2)) --rate 1000 --warmup 2000 | record
  run_node https --scenario throughput --events "$node_events" --window 64 --warmup 2000 | record
  run_node http --scenario throughput --events "$node_events" --window 64 --warmup 2000 | record
  run_node https --scenario batch_throughput --events $((node_events * 10)) --events-per-request 5000 | record
  run_node http --scenario batch_throughput --events $((node_events * 10)) --events-per-request 5000 | record
else
  echo "Node SDK side skipped (node/npm or the npm registry unavailable)"
fi

python3 bench/summarize.py "$results" | tee "$results/summary.md"
if [ "$update_docs" = 1 ]; then
  mkdir -p docs/img
  cp "$results/summary.md" docs/benchmark-results.md
  cp "$results"/*.png docs/img/
  echo "updated docs/benchmark-results.md and docs/img/"
fi
