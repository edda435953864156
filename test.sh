#!/usr/bin/env bash
# Runs every test of iosnoopng: the dashboard's unit specs (Vitest), the .NET specs (parsers, actors,
# streams, web, end to end, the real bpftrace tracer on Linux as root) and the browser end-to-end test.
# Needs: .NET SDK 10, Node 20+, and on Linux as root: bpftrace; for the browser test: chromium.
set -euo pipefail
cd "$(dirname "$0")"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

if [ -f ClientApp/package.json ]; then
  echo "== Dashboard unit specs"
  (cd ClientApp && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; } && npm test -- --reporter=default) | tee -a "$summary"
fi

echo "== .NET specs"
# Built, then run by xunit's own runner (the specs project is an executable): it reports an error outside any
# spec with its stack trace, and nothing stands between the specs' process and the report.
dotnet build IoSnoop.sln -c Release --nologo -v quiet
set +e
IoSnoop.Specs/bin/Release/net10.0/IoSnoop.Specs -nocolor 2>&1 | tee -a "$summary"
status=${PIPESTATUS[0]}
set -e
# An exception nothing caught in the specs' process (a thread, a native callback) fails the run too.
if grep -q '\[FATAL ERROR\]' "$summary"; then echo "an exception escaped in the specs' process (see [FATAL ERROR] above)"; status=1; fi

if [ "$status" -eq 0 ] && [ -f ClientApp/e2e/run.sh ]; then
  echo "== Browser end-to-end test"
  ClientApp/e2e/run.sh 2>&1 | tee -a "$summary"
  status=${PIPESTATUS[0]}
fi

# One closing line over all runners: xunit's "Total: T, Errors: E, Failed: F, Skipped: S", Vitest's
# "Tests  P passed (N)", node's test runner "# pass P" / "# fail F".
python3 - "$summary" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
passed = failed = 0
for t, e, f, s in re.findall(r"Total: (\d+), Errors: (\d+), Failed: (\d+), Skipped: (\d+)", text):
    failed += int(f) + int(e); passed += int(t) - int(f) - int(s)
for m in re.finditer(r"Tests\s+(?:(\d+) failed \| )?(\d+) passed", text):
    failed += int(m.group(1) or 0); passed += int(m.group(2))
for p in re.findall(r"^# pass (\d+)", text, re.M):
    passed += int(p)
for f in re.findall(r"^# fail (\d+)", text, re.M):
    failed += int(f)
print(f"{passed} passed, {failed} failed")
PY
exit "$status"
