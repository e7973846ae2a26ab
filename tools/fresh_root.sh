#!/usr/bin/env bash
# Runs a command in a brand-new minimal Debian bookworm root, to prove that the README's set-up
# commands work on a fresh machine with nothing installed by hand (issue 13, docs/getting-started.md).
#   sudo bash tools/fresh_root.sh 'bash tools/dev.sh demo'
#
# As root: builds (once, then cached) a `mmdebstrap --variant=minbase` root with git and
# ca-certificates only, unpacks a fresh copy of it for this run, copies in the host's resolv.conf,
# hosts and trusted CA certificates (a machine on the same network trusts the same CAs; without them
# npm and git fail on an intercepting proxy), bind-mounts /proc, /sys, /dev and /dev/pts, clones this
# checkout's HEAD into /root/vwo-cpp-sdk and runs the command there with bash, as root, with a clean
# environment (PATH, HOME, LANG, plus CI and VWO_WERROR when set). The mounts are always undone and the
# root is always deleted, also on failure or interrupt; only the pristine tarball is kept between runs.
#
# Environment:
#   VWO_FRESH_ROOT_CACHE  where the pristine tarball is kept (default /var/cache/vwo-fresh-root)
#   VWO_FRESH_ROOT_KEEP=1 keep the used root for inspection (printed at the end), never reused
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 1 ] || { echo "usage: sudo bash tools/fresh_root.sh 'COMMAND'" >&2; exit 2; }
command_line=$1
[ "$(id -u)" -eq 0 ] || { echo "fresh_root.sh: must run as root (it chroots and mounts)" >&2; exit 2; }
git rev-parse --git-dir >/dev/null 2>&1 || { echo "fresh_root.sh: not a git checkout" >&2; exit 2; }

bash tools/install_packages.sh mmdebstrap

suite=bookworm
cache_dir=${VWO_FRESH_ROOT_CACHE:-/var/cache/vwo-fresh-root}
# A new tarball each day: the packages in it follow Debian's updates, as a fresh machine would.
tarball="$cache_dir/$suite-minbase-$(date -u +%Y%m%d).tar"
mkdir -p "$cache_dir"
if [ ! -s "$tarball" ]; then
  echo "fresh_root: building $tarball with mmdebstrap"
  start=$SECONDS
  # The host trusts an apt mirror whose Release files may be old (a snapshot): keep its settings.
  mmdebstrap --variant=minbase --include=ca-certificates,git --mode=root --format=tar \
    --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Languages "none"' \
    "$suite" "$tarball.partial" \
    "deb http://deb.debian.org/debian $suite main" \
    "deb http://deb.debian.org/debian $suite-updates main" \
    "deb http://deb.debian.org/debian-security $suite-security main"
  mv "$tarball.partial" "$tarball"
  find "$cache_dir" -name "$suite-minbase-*.tar" ! -path "$tarball" -delete
  echo "fresh_root: tarball built in $((SECONDS - start)) s"
fi

root=$(mktemp -d /var/tmp/vwo-fresh-root.XXXXXX)
mounted=()
cleanup() {
  local status=$?
  # Undo the mounts in reverse order; lazily if something still holds one.
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  if [ "${VWO_FRESH_ROOT_KEEP:-0}" = 1 ]; then
    echo "fresh_root: kept $root (VWO_FRESH_ROOT_KEEP=1)"
  else
    # Never delete through a mount that could not be undone.
    if ! grep -q " $root/" /proc/mounts; then rm -rf --one-file-system "$root"; fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"

mount_into() { # mount_into TARGET mount-arguments...
  local target="$root$1"
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}
mount_into /proc -t proc proc
mount_into /sys --bind /sys
mount_into /dev --bind /dev
mount_into /dev/pts --bind /dev/pts

# The checkout's committed HEAD, as a clean clone would see it.
git clone --quiet --no-hardlinks "$PWD" "$root/root/vwo-cpp-sdk"

environment=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
[ -n "${TERM:-}" ] && environment+=("TERM=$TERM")
[ -n "${CI:-}" ] && environment+=("CI=$CI")
[ -n "${VWO_WERROR:-}" ] && environment+=("VWO_WERROR=$VWO_WERROR")

echo "fresh_root: running in a fresh $suite root: $command_line"
start=$SECONDS
status=0
chroot "$root" /usr/bin/env -i "${environment[@]}" /bin/bash -c 'cd /root/vwo-cpp-sdk && eval "$1"' bash \
  "$command_line" </dev/null || status=$?
echo "fresh_root: '$command_line' exited $status after $((SECONDS - start)) s"
exit "$status"
