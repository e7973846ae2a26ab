#!/usr/bin/env bash
# Regenerates tests/node_decisions/tables/*.json from the official VWO Node SDK (vwo-node-sdk@1.73.0).
#
#   tests/node_decisions/generate_tables.sh [SDK_DIR]
#
# SDK_DIR (default: ${TMPDIR:-/tmp}/vwo-node-sdk-1.73.0) receives `npm install vwo-node-sdk@1.73.0`
# (bench/node/install_node_sdk.sh; skipped when it already holds that version). The generator itself
# never touches the network: see no_network.js. Exit 77 when node/npm or the SDK are unavailable.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sdk_dir=${1:-${TMPDIR:-/tmp}/vwo-node-sdk-1.73.0}

"$repo/bench/node/install_node_sdk.sh" "$sdk_dir"
cd "$repo"
timeout 600 node -r ./tests/node_decisions/no_network.js tests/node_decisions/generate_tables.js \
  --sdk-prefix "$sdk_dir" --settings-dir tests/node_decisions/settings --out tests/node_decisions/tables
