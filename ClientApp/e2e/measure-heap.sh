#!/usr/bin/env bash
# Measures (does not test) the dashboard tab's JS heap after MINUTES (default 10) of live data: runs the
# daemon (Release build, with the dashboard) on a named pipe that e2e/measure-heap.ts feeds at RATE lines/s
# over PROCS processes while the overview is open in Debian's Chromium; prints the heap every minute.
#   ClientApp/e2e/measure-heap.sh [MINUTES] [RATE] [PROCS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export IOSNOOP_MINUTES=${1:-10} IOSNOOP_RATE=${2:-2000} IOSNOOP_PROCS=${3:-200}
dotnet build "$root/IoSnoop.Host" -c Release --nologo -v quiet

work=$(mktemp -d)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then kill -TERM "$daemon_pid"; wait "$daemon_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A copy of the build, so that rebuilding while this runs does not change the daemon under it.
cp -r "$root/IoSnoop.Host/bin/Release/net10.0" "$work/daemon"
mkfifo "$work/feed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DOTNET_EnableDiagnostics=0 dotnet "$work/daemon/iosnoopng.dll" --source replay --replay "$work/feed" -a "127.0.0.1:$port" \
  --db "$work/iosnoopng.db" > "$work/daemon.log" 2>&1 &
daemon_pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$port/api/status"; do
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.2
done

cd "$root/ClientApp"
IOSNOOP_URL="http://127.0.0.1:$port" IOSNOOP_FEED="$work/feed" node --import tsx e2e/measure-heap.ts
echo "daemon: $(curl -fs "http://127.0.0.1:$port/api/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events"], "events,", len(d["processStats"]), "processes")')"
