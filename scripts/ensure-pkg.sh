#!/usr/bin/env bash
# ensure-pkg.sh COMMAND PACKAGE: make sure COMMAND exists, installing the
# Debian/Ubuntu PACKAGE when it is missing and we may (root with apt-get).
# Otherwise say exactly what to run, and fail.
set -euo pipefail
cmd=$1 pkg=$2
if command -v "$cmd" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> $cmd is missing: installing the $pkg package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 && exit 0
fi
echo "error: $cmd is not installed. Install it with:" >&2
echo "    sudo apt-get update && sudo apt-get install -y $pkg" >&2
exit 1
