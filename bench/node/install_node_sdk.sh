#!/usr/bin/env bash
# Installs the official VWO Node SDK (npm vwo-node-sdk@1.73.0) into DIR for the side-by-side benchmark:
#
#   bench/node/install_node_sdk.sh DIR
#
# Result: DIR/node_modules/vwo-node-sdk. Nothing is done if that already holds version 1.73.0.
# Exit 0 installed (or already there), 77 node/npm missing or the install failed (the caller skips the
# Node side), 2 usage error. npm is bounded by `timeout 300`.
set -u

VERSION=1.73.0

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1

for tool in node npm timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install_node_sdk: $tool not found; skipping the Node SDK side" >&2
    exit 77
  fi
done

installed_version() {
  node -e 'try { process.stdout.write(String(require(process.argv[1]).version)); } catch (e) {}' \
    "$dir/node_modules/vwo-node-sdk/package.json" 2>/dev/null
}

if [ "$(installed_version)" = "$VERSION" ]; then
  exit 0
fi

if ! mkdir -p "$dir"; then
  echo "install_node_sdk: cannot create $dir" >&2
  exit 77
fi

log="$dir/npm_install.log"
if ! timeout -k 5 300 npm install --prefix "$dir" --no-audit --no-fund --no-save \
      --fetch-retries=1 --fetch-timeout=30000 "vwo-node-sdk@$VERSION" </dev/null >"$log" 2>&1; then
  echo "install_node_sdk: npm install vwo-node-sdk@$VERSION into $dir failed (see $log)" >&2
  exit 77
fi

got=$(installed_version)
if [ "$got" != "$VERSION" ]; then
  echo "install_node_sdk: after npm install, $dir/node_modules/vwo-node-sdk has version '${got:-none}', want $VERSION" >&2
  exit 77
fi
exit 0
