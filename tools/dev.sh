#!/usr/bin/env bash
# One entry point for a fresh Debian bookworm machine:
#   bash tools/dev.sh demo   build and run the quickstart against the embedded collector
#   bash tools/dev.sh test   build everything and run every test (unit, integration, examples, consumer)
# Installs the Debian packages it needs when they are missing. VWO_WERROR=1 turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in demo|test) ;; *) echo "usage: bash tools/dev.sh demo|test" >&2; exit 2 ;; esac

packages=(g++ cmake ninja-build openssl libssl-dev libboost1.81-dev nlohmann-json3-dev catch2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=${VWO_BUILD_DIR:-build}
werror=OFF
[ "${VWO_WERROR:-0}" = 1 ] && werror=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVWO_WARNINGS_AS_ERRORS="$werror"

if [ "$mode" = demo ]; then
  cmake --build "$build" --target quickstart
  "$build/examples/quickstart"
else
  cmake --build "$build"
  ctest --test-dir "$build" --output-on-failure -j 2 --timeout 600
fi
