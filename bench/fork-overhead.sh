#!/bin/bash
# Overhead of the Linux trace source on a fork-heavy workload: process starts, execs and ends, which the
# process tree's probes (task_newtask, sched_process_exec, sched_process_exit) record.
#
# Runs COUNT x /bin/true under a uniquely named shell, RUNS times without the tracer and RUNS times with it,
# alternating, and prints the median wall time of each, the slowdown, the tracer's own CPU per second of load,
# and whether the tracer recorded exactly COUNT starts and COUNT ends of the shell's children.
# The tracer is started exactly as BpftraceSource starts it (sh, exec, $$ as its own pid).
#
# Usage: sudo bench/fork-overhead.sh [RUNS] [COUNT]      (RUNS defaults to 5, COUNT to 10000; needs bpftrace)
# Environment: BPFTRACE (default: bpftrace on PATH), PROGRAM (default: the embedded iosnoop.bt), BENCH_TMP (default: /tmp)
set -euo pipefail

RUNS=${1:-5}
COUNT=${2:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
PROGRAM=${PROGRAM:-$HERE/../IoSnoop.Actors/Tracing/Linux/iosnoop.bt}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || true)}

die() { echo "fork-overhead: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (bpftrace needs it)"
[ -n "$BPFTRACE" ] || die "bpftrace is not installed: apt-get install bpftrace"
[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/iosnoop-fork.XXXXXX")
TRACER=
cleanup() {
    if [ -n "$TRACER" ]; then stop_tracer; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The workload: a shell with a name of its own (comm "forkbench"), so its children are easy to find.
cp "$(command -v bash)" "$WORK/forkbench"
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
workload() { # log; prints the shell's pid to $WORK/shell.pid
    local t0; t0=$(now)
    "$WORK/forkbench" -c 'echo $$ > "$1"; for ((i = 0; i < $2; i++)); do /bin/true; done' forkbench "$WORK/shell.pid" "$COUNT"
    echo "$(calc "$(now) - $t0")" >> "$1"
}

start_tracer() {
    sh -c 'exec env BPFTRACE_MAP_KEYS_MAX=131072 BPFTRACE_STRLEN=128 "$1" -B line -q --no-warnings "$2" $$' \
        sh "$BPFTRACE" "$PROGRAM" > "$WORK/trace.out" 2> "$WORK/trace.err" &
    TRACER=$!
    for _ in $(seq 1 1200); do grep -qs '^READY' "$WORK/trace.out" && return; kill -0 "$TRACER" 2>/dev/null || break; sleep 0.1; done
    die "bpftrace did not get ready: $(cat "$WORK/trace.err")"
}
stop_tracer() {
    local signal=INT
    grep -q '^READY' "$WORK/trace.out" 2>/dev/null || signal=TERM
    kill -"$signal" "$TRACER" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$TRACER" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$TRACER" 2>/dev/null || true
    wait "$TRACER" 2>/dev/null || true
    TRACER=
}
tracer_cpu() { awk '{ print $14 + $15 }' "/proc/$TRACER/stat"; }

echo "iosnoopng fork overhead: $RUNS runs of $COUNT x /bin/true each, $(nproc) CPUs, $(uname -r), $("$BPFTRACE" --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
ticks=$(getconf CLK_TCK); cpu_ticks=0; cpu_wall=0; lost=0; status=0
for r in $(seq 1 "$RUNS"); do
    echo "run $r of $RUNS: without the tracer, then with it"
    workload "$WORK/base.log"
    start_tracer
    cpu_before=$(tracer_cpu); wall_before=$(now)
    workload "$WORK/traced.log"
    cpu_ticks=$(calc "$cpu_ticks + $(tracer_cpu) - $cpu_before"); cpu_wall=$(calc "$cpu_wall + $(now) - $wall_before")
    stop_tracer
    lost=$((lost + $(grep -c '^Lost ' "$WORK/trace.out" || true)))
    # Starts of the shell's children: @P0[pid, start, ppid, pstart]; ends: @X0[pid, start, lifetime]: true.
    shell=$(cat "$WORK/shell.pid")
    starts=$(grep -cE "^@P[01]\[[0-9]+, [0-9]+, $shell, " "$WORK/trace.out" || true)
    ends=$(grep -cE '^@X[01]\[.*\]: true$' "$WORK/trace.out" || true)
    if [ "$starts" = "$COUNT" ] && [ "$ends" = "$COUNT" ]; then
        echo "  recorded $starts starts and $ends ends of $COUNT children: exact"
    else
        echo "  recorded $starts starts and $ends ends of $COUNT children: MISMATCH"; status=1
    fi
done

summary() {
    local base traced
    base=$(median < "$WORK/base.log"); traced=$(median < "$WORK/traced.log")
    printf '  %-28s %8.3f s %8.3f s   x%.2f   (%.0f / %.0f forks per second)\n' "$COUNT x /bin/true" "$base" "$traced" \
        "$(calc "$traced / $base")" "$(calc "$COUNT / $base")" "$(calc "$COUNT / $traced")"
}
echo
printf '  %-28s %10s %10s   %s\n' "median of $RUNS" "without" "with" "slowdown"
summary
cpu=$(calc "$cpu_ticks / $ticks / $cpu_wall")
printf '  bpftrace CPU under that load: %.3f s per second (%.1f%% of one CPU), lost events: %s\n' "$cpu" "$(calc "$cpu * 100")" "$lost"
exit $status
