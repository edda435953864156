#!/usr/bin/env bash
# Runs dashboard.e2e.ts in Debian's Chromium against the real daemon (the Release build of IoSnoop.Host,
# with the dashboard in its wwwroot), fed a generated trace through a named pipe so that the test can
# push one more event while the page is open; and token.e2e.ts against a second daemon that requires a token
# (--token-file, --db none) and reads the same trace from the file; and disk.e2e.ts against a third daemon
# (--db none) replaying a generated recording of the bpftrace source with file and disk figures; and tree.e2e.ts
# against a fourth daemon tracing this machine with the real bpftrace source (root; started first, since
# bpftrace takes 6-40 s to attach its probes, while the others load). Screenshots go to artifacts/e2e/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
daemon_dll="$root/IoSnoop.Host/bin/Release/net10.0/iosnoopng.dll"
# Incremental: rebuilds the dashboard (and the daemon) only when their sources changed.
dotnet build "$root/IoSnoop.Host" -c Release --nologo -v quiet
[ -x /usr/bin/chromium ] || { echo "chromium is missing: apt-get install chromium" >&2; exit 1; }
# The process-tree step traces for real: no root or no bpftrace is a failure with its reason, never a pass.
[ "$(id -u)" = 0 ] || { echo "the process-tree step (tree.e2e.ts) traces this machine with bpftrace: run as root" >&2; exit 1; }
command -v bpftrace > /dev/null || { echo "bpftrace is missing: apt-get install bpftrace" >&2; exit 1; }

work=$(mktemp -d)
daemon_pid=""
token_pid=""
disk_pid=""
tree_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  for pid in $tree_pid $daemon_pid $token_pid $disk_pid; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/bench/gen_trace.py" --events 3000 --procs 25 --paths 300 --seed 11 > "$work/trace"
python3 "$here/expect.py" "$work/trace" > "$work/expect.json"
python3 "$here/gen_disk_trace.py" "$work/disk.trace" "$work/disk-expect.json" 7
events=$(python3 -c 'import json,sys; print(sum(1 for _ in open(sys.argv[1], "rb")))' "$work/trace")
mkfifo "$work/feed"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
token_port=$(free_port)
disk_port=$(free_port)
tree_port=$(free_port)
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/token"

DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source bpftrace -a "127.0.0.1:$tree_port" --db none > "$work/tree-daemon.log" 2>&1 &
tree_pid=$!
DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source replay --replay "$work/feed" -a "127.0.0.1:$port" --db "$work/iosnoopng.db" > "$work/daemon.log" 2>&1 &
daemon_pid=$!
DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source replay --replay "$work/trace" -a "127.0.0.1:$token_port" --db none \
  --token-file "$work/token" > "$work/token-daemon.log" 2>&1 &
token_pid=$!
DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source replay --replay "$work/disk.trace" -a "127.0.0.1:$disk_port" --db none \
  > "$work/disk-daemon.log" 2>&1 &
disk_pid=$!
# Keep the pipe open for writing (the daemon sees no end of file), then feed the trace.
exec 3>"$work/feed"
cat "$work/trace" >&3

ingested() { # URL LOG [curl flags…]: waits until the daemon at URL has every event of the trace
  local url=$1 log=$2; shift 2
  local deadline=$((SECONDS + 60))
  until [ "$(curl -fs "$@" "$url/api/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])' 2>/dev/null)" = "$events" ]; do
    if [ $SECONDS -gt $deadline ]; then echo "the daemon at $url did not ingest the trace in time" >&2; cat "$log" >&2; exit 1; fi
    sleep 0.2
  done
}
ingested "http://127.0.0.1:$port" "$work/daemon.log"
ingested "http://127.0.0.1:$token_port" "$work/token-daemon.log" -H "Authorization: Bearer $(cat "$work/token")"
# The disk recording is read to its end, and the daemon says it measures both layers.
deadline=$((SECONDS + 60))
until curl -fs "http://127.0.0.1:$disk_port/api/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)["source"]
sys.exit(0 if s["state"] == "stopped" and "disk" in s["layers"] else 1)' 2>/dev/null; do
  if [ $SECONDS -gt $deadline ]; then echo "the daemon did not replay the disk recording in time" >&2; cat "$work/disk-daemon.log" >&2; exit 1; fi
  sleep 0.2
done

# The tracing daemon reached READY (its source "running"); a failed start says why.
deadline=$((SECONDS + 120))
until curl -fs "http://127.0.0.1:$tree_port/api/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)["source"]
sys.exit(0 if s["name"] == "bpftrace" and s["state"] == "running" else 1)' 2>/dev/null; do
  if ! kill -0 "$tree_pid" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
    echo "the daemon tracing with bpftrace did not start (this machine cannot trace?):" >&2
    curl -fs "http://127.0.0.1:$tree_port/api/status" >&2 || true
    cat "$work/tree-daemon.log" >&2
    exit 1
  fi
  sleep 0.5
done

mkdir -p "$root/artifacts/e2e"
rm -f "$root/artifacts/e2e/"*.png
cd "$root/ClientApp"
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
IOSNOOP_URL="http://127.0.0.1:$port" \
IOSNOOP_EXPECT="$work/expect.json" \
IOSNOOP_ARTIFACTS="$root/artifacts/e2e" \
IOSNOOP_INJECT_NAME="e2e-inject" \
IOSNOOP_FEED="$work/feed" \
IOSNOOP_TOKEN_URL="http://127.0.0.1:$token_port" \
IOSNOOP_TOKEN_FILE="$work/token" \
IOSNOOP_DISK_URL="http://127.0.0.1:$disk_port" \
IOSNOOP_DISK_EXPECT="$work/disk-expect.json" \
IOSNOOP_TREE_URL="http://127.0.0.1:$tree_port" \
IOSNOOP_INJECT_CMD="printf 'e2e-inject|0|4096|/e2e/injected file\n' > '$work/feed'" \
  npm run --silent e2e
