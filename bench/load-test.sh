#!/usr/bin/env bash
# Load test on loopback, about 90 s (the figures count after a 20-s warm-up): iosnoopng replays a named pipe into which bench/LoadTest writes
# RATE events/s for SECONDS s, while CLIENTS dashboard clients are connected to the hub, SLOW of them stuck
# (they never read). Prints events/s ingested, the daemon's RSS at the start and the end, and the updates
# each fast client got; exits non-zero when ingestion falls behind, memory grows or a fast client starves.
#   bench/load-test.sh [--rate N] [--seconds S] [--clients N] [--slow N] [--procs N] [--warm-up S]
# More daemon flags in IOSNOOP_FLAGS, e.g. IOSNOOP_FLAGS="--db none" bench/load-test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet build IoSnoop.Host -c Release -p:SkipDashboard=true --nologo -v quiet >/dev/null
dotnet build bench/LoadTest -c Release --nologo -v quiet >/dev/null

work=$(mktemp -d)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then kill -KILL "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/feed"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Its own database in the scratch folder: the store is exercised, the machine's own stays untouched.
dotnet IoSnoop.Host/bin/Release/net10.0/iosnoopng.dll --source replay --replay "$work/feed" \
  -a "127.0.0.1:$port" --token-file "$work/token" --db "$work/load.db" ${IOSNOOP_FLAGS:-} > "$work/daemon.log" 2>&1 &
daemon_pid=$!
until curl -fs -o /dev/null -H "Authorization: Bearer $(cat "$work/token")" "http://127.0.0.1:$port/api/status"; do
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.2
done

status=0
dotnet bench/LoadTest/bin/Release/net10.0/LoadTest.dll --url "http://127.0.0.1:$port" --pipe "$work/feed" \
  --pid "$daemon_pid" --token-file "$work/token" "$@" || status=$?

kill -TERM "$daemon_pid"
code=0
wait "$daemon_pid" || code=$?
daemon_pid=""
echo "daemon exit code after SIGTERM: $code"
[ "$code" -eq 0 ] || status=1
exit "$status"
