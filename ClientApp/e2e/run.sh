#!/usr/bin/env bash
# Runs dashboard.e2e.ts in Debian's Chromium against the real daemon (the Release build of IoSnoop.Host,
# with the dashboard in its wwwroot), fed a generated trace through a named pipe so that the test can
# push one more event while the page is open. Screenshots go to artifacts/e2e/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
daemon_dll="$root/IoSnoop.Host/bin/Release/net10.0/iosnoopng.dll"
# Incremental: rebuilds the dashboard (and the daemon) only when their sources changed.
dotnet build "$root/IoSnoop.Host" -c Release --nologo -v quiet
[ -x /usr/bin/chromium ] || { echo "chromium is missing: apt-get install chromium" >&2; exit 1; }

work=$(mktemp -d)
daemon_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/bench/gen_trace.py" --events 3000 --procs 25 --paths 300 --seed 11 > "$work/trace"
python3 "$here/expect.py" "$work/trace" > "$work/expect.json"
events=$(python3 -c 'import json,sys; print(sum(1 for _ in open(sys.argv[1], "rb")))' "$work/trace")
mkfifo "$work/feed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

DOTNET_EnableDiagnostics=0 dotnet "$daemon_dll" --source replay --replay "$work/feed" -a "127.0.0.1:$port" --db "$work/iosnoopng.db" > "$work/daemon.log" 2>&1 &
daemon_pid=$!
# Keep the pipe open for writing (the daemon sees no end of file), then feed the trace.
exec 3>"$work/feed"
cat "$work/trace" >&3

deadline=$((SECONDS + 60))
until [ "$(curl -fs "http://127.0.0.1:$port/api/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])' 2>/dev/null)" = "$events" ]; do
  if [ $SECONDS -gt $deadline ]; then echo "the daemon did not ingest the trace in time" >&2; cat "$work/daemon.log" >&2; exit 1; fi
  sleep 0.2
done

mkdir -p "$root/artifacts/e2e"
cd "$root/ClientApp"
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
IOSNOOP_URL="http://127.0.0.1:$port" \
IOSNOOP_EXPECT="$work/expect.json" \
IOSNOOP_ARTIFACTS="$root/artifacts/e2e" \
IOSNOOP_INJECT_NAME="e2e-inject" \
IOSNOOP_FEED="$work/feed" \
IOSNOOP_INJECT_CMD="printf 'e2e-inject|0|4096|/e2e/injected file\n' > '$work/feed'" \
  npm run --silent e2e
