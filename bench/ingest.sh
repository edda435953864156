#!/bin/bash
# Ingest speed and memory of the whole pipeline (read, frame, parse, route to the process actors,
# aggregate, ready to query), median of RUNS runs per case, with the daemon's defaults (200,000-file cap).
#
#   a     gen_trace.py --events 2000000 --procs 200  --paths 20000      (target >= 1.3 M events/s, <= 110 MiB)
#   big   gen_trace.py --events 2000000 --procs 2000 --paths 1000000    (target >= 1.0 M events/s, <= 150 MiB)
#   big2  the same with --paths 2000000                                  (memory must stay flat)
#
# Each run is a fresh `iosnoopng bench FILE` process; the peak is that process's peak working set.
# Usage: bench/ingest.sh [RUNS] [CASE...]        (RUNS defaults to 5, cases to "a big big2")
# Environment: BENCH_TMP (trace files, default /tmp), IOSNOOPNG (the executable; default: published to
# artifacts/bench first), BENCH_FLAGS (more `iosnoopng bench` flags, e.g. --warm-up to measure a second
# replay after the code has been compiled), any DOTNET_* setting to compare runtime modes, e.g. DOTNET_gcServer=1.
set -euo pipefail

RUNS=${1:-5}
shift || true
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(a big big2)
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

printf '%-5s %12s %12s %12s   %s\n' case "events/s" "peak MiB" "alloc B/ev" "runs (events/s @ peak MiB)"
for name in "${CASES[@]}"; do
    file=$(trace "$name")
    rates=() peaks=() allocs=() runs=""
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086 # BENCH_FLAGS holds several flags
        out=$("$IOSNOOPNG" bench "$file" ${BENCH_FLAGS:-})
        rate=$(awk '/^events\/s/ {gsub(",", "", $2); print $2}' <<<"$out")
        peak=$(awk '/^peak working set/ {print $4}' <<<"$out")
        alloc=$(awk '/^alloc\/event/ {print $2}' <<<"$out")
        rates+=("$rate") peaks+=("$peak") allocs+=("$alloc")
        runs+=" $rate@$peak"
    done
    printf '%-5s %12s %12s %12s  %s\n' "$name" \
        "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${peaks[@]}" | median)" \
        "$(printf '%s\n' "${allocs[@]}" | median)" "$runs"
done
