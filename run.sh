#!/usr/bin/env bash
# Builds iosnoopng (the dashboard included) and runs it as root; any flags are passed to the daemon,
# e.g. ./run.sh -a 127.0.0.1:8092 -l debug. Then open http://127.0.0.1:8092.
# Needs: .NET SDK 10 and Node 20+. On Linux it also needs bpftrace and installs it with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if [ "$(uname -s)" = Linux ] && ! command -v bpftrace >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "bpftrace is missing; installing it: apt-get install -y bpftrace"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace
  else
    echo "bpftrace is missing: install it with your package manager (Debian/Ubuntu: apt-get install bpftrace)" >&2
    exit 1
  fi
fi

dotnet publish IoSnoop.Host -c Release --use-current-runtime --self-contained false -o artifacts/iosnoopng --nologo -v quiet
exec $SUDO artifacts/iosnoopng/iosnoopng "$@"
