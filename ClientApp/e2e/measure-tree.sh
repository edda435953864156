#!/usr/bin/env bash
# Measures (does not test) the dashboard's process tree with many instances held: generates a recording of the
# bpftrace source (gen_tree_trace.py, 100,000 instances by default), replays it into the Release daemon
# (--db none, --max-processes high enough to keep them all), runs measure-tree.ts against it, and prints the
# daemon's peak private memory (RssAnon + RssShmem from /proc/PID/status, sampled every 0.2 s from the start).
# Usage: ClientApp/e2e/measure-tree.sh [INSTANCES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
instances=${1:-100000}
daemon_dll="$root/IoSnoop.Host/bin/Release/net10.0/iosnoopng.dll"
dotnet build "$root/IoSnoop.Host" -c Release --nologo -v quiet

work=$(mktemp -d)
daemon_pid=""
sampler_pid=""
cleanup() {
  for pid in $sampler_pid $daemon_pid; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$here/gen_tree_trace.py" "$work/tree.trace" "$work/summary.json" --instances "$instances"
echo "recording: $(wc -l < "$work/tree.trace") lines, $(du -h "$work/tree.trace" | cut -f1)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source replay --replay "$work/tree.trace" -a "127.0.0.1:$port" --db none \
  --max-processes $((instances * 2)) > "$work/daemon.log" 2>&1 &
daemon_pid=$!
# Peak private memory: the largest RssAnon + RssShmem seen.
(
  peak=0
  while kill -0 "$daemon_pid" 2>/dev/null; do
    now=$(awk '/^RssAnon:|^RssShmem:/ { kb += $2 } END { print kb + 0 }' "/proc/$daemon_pid/status" 2>/dev/null || echo 0)
    [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" > "$work/peak"
    sleep 0.2
  done
) &
sampler_pid=$!

started=$SECONDS
deadline=$((SECONDS + 600))
# The recording is read to its end, then every instance is held (the list, limited above the count, has them all).
until curl -fs "http://127.0.0.1:$port/api/status" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["source"]["state"] == "stopped" else 1)' 2>/dev/null; do
  if ! kill -0 "$daemon_pid" 2>/dev/null || [ $SECONDS -gt $deadline ]; then echo "the daemon did not replay the recording in time" >&2; cat "$work/daemon.log" >&2; exit 1; fi
  sleep 0.5
done
held() { curl -fs "http://127.0.0.1:$port/api/processes?limit=100000" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null; }
until [ "$(held)" = "$(( instances < 100000 ? instances : 100000 ))" ]; do
  if [ $SECONDS -gt $deadline ]; then echo "the daemon holds $(held) instances, not $instances" >&2; exit 1; fi
  sleep 2
done
echo "replayed and held in $((SECONDS - started)) s; private memory now $(awk '/^RssAnon:|^RssShmem:/ { kb += $2 } END { printf "%.0f MiB", kb / 1024 }' "/proc/$daemon_pid/status")"

cd "$root/ClientApp"
IOSNOOP_URL="http://127.0.0.1:$port" \
IOSNOOP_PARENT_PID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["busiestParent"]["pid"])' "$work/summary.json") \
IOSNOOP_PARENT_NAME=make \
  node --import tsx e2e/measure-tree.ts
now=$(awk '/^RssAnon:|^RssShmem:/ { kb += $2 } END { print kb + 0 }' "/proc/$daemon_pid/status")
peak=$(cat "$work/peak"); [ "$now" -gt "$peak" ] && peak=$now
echo "daemon private memory (RssAnon + RssShmem): now $((now / 1024)) MiB, peak $((peak / 1024)) MiB"
