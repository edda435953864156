#!/bin/bash
# Overhead and exactness of the Linux trace source (bpftrace running iosnoop.bt).
#
# Runs three workloads RUNS times without the tracer and RUNS times with it, alternating, and prints the
# median wall time of each, the slowdown, the tracer's own CPU per second of load, and whether
# the bytes it reported for known workloads equal the bytes written, to the byte.
#   small-file copy:     cp -r /usr/share/doc (about 5,000 files) into a temporary folder
#   archive round trip:  tar -c /usr/share/doc | tar -x into a temporary folder
#   compiler runs:       20 x gcc -c of a small C file
# The tracer is started exactly as BpftraceSource starts it (sh, exec, $$ as its own pid).
#
# Usage: sudo bench/linux-overhead.sh [RUNS]      (RUNS defaults to 5; needs bpftrace, gcc, tar)
# Environment: BPFTRACE (default: bpftrace on PATH), PROGRAM (default: the embedded iosnoop.bt), BENCH_TMP (default: /tmp), SOURCE (default: /usr/share/doc)
set -euo pipefail

RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
PROGRAM=${PROGRAM:-$HERE/../IoSnoop.Actors/Tracing/Linux/iosnoop.bt}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || true)}
SOURCE=${SOURCE:-/usr/share/doc}

die() { echo "linux-overhead: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (bpftrace needs it)"
[ -n "$BPFTRACE" ] || die "bpftrace is not installed: apt-get install bpftrace"
command -v gcc >/dev/null || die "gcc is not installed: apt-get install gcc"
[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/iosnoop-bench.XXXXXX")
TRACER=
cleanup() {
    if [ -n "$TRACER" ]; then stop_tracer; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/small.c" <<'EOF'
#include <stdio.h>
#include <string.h>
struct point { int x, y; };
static int dot(struct point a, struct point b) { return a.x * b.x + a.y * b.y; }
int main(int argc, char **argv) {
    struct point p = { argc, (int)strlen(argv[0]) };
    printf("%d\n", dot(p, p));
    return 0;
}
EOF

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run of each workload; appends "name seconds" lines to $1.
run_workloads() {
    local log=$1 t0
    rm -rf "$WORK/copy" "$WORK/untar" "$WORK/obj"; mkdir -p "$WORK/untar" "$WORK/obj"; sync
    t0=$(now); cp -r "$SOURCE" "$WORK/copy"; echo "copy $(calc "$(now) - $t0")" >> "$log"
    t0=$(now); tar -C "$(dirname "$SOURCE")" -cf - "$(basename "$SOURCE")" | tar -C "$WORK/untar" -xf -; echo "tar $(calc "$(now) - $t0")" >> "$log"
    t0=$(now); for i in $(seq 1 20); do gcc -O1 -c "$WORK/small.c" -o "$WORK/obj/small$i.o"; done; echo "gcc $(calc "$(now) - $t0")" >> "$log"
}

# The tracer's output, summed per pid and direction for one pid, with the parser's rule: only the
# latest print of each map counts until a T line or @zend closes it.
traced_bytes() { # pid dir(0 read, 1 write)
    awk -v pid="$1" -v dir="$2" '
        function close_interval(   m) { for (m in pending) total += pending[m]; delete pending }
        /^@[BN][01]\[/ {
            map = substr($0, 2, 2)
            if (map != running) { pending[map] = 0; running = map }
            if (map ~ /^B/) {
                n = split($0, f, ", "); key_pid = substr(f[1], 5); d = f[n]; sub(/\].*/, "", d)
                value = $0; sub(/.*\]: /, "", value)
                if (key_pid == pid && d == dir) pending[map] += value
            }
            next
        }
        { running = "" }
        /^T / || /^@zend: / { close_interval() }
        END { print total + 0 }' "$WORK/trace.out"
}

echo "iosnoopng Linux overhead: $RUNS runs each, $(nproc) CPUs, $(uname -r), $("$BPFTRACE" --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming the page cache"; run_workloads "$WORK/warmup.log"

start_tracer() {
    sh -c 'exec env BPFTRACE_MAP_KEYS_MAX=131072 BPFTRACE_STRLEN=128 "$1" -B line -q --no-warnings "$2" $$' \
        sh "$BPFTRACE" "$PROGRAM" > "$WORK/trace.out" 2> "$WORK/trace.err" &
    TRACER=$!
    # About 6 s on an idle machine; more than 30 s was seen with two builds running.
    for _ in $(seq 1 1200); do grep -q '^READY' "$WORK/trace.out" && return; kill -0 "$TRACER" 2>/dev/null || break; sleep 0.1; done
    die "bpftrace did not get ready: $(cat "$WORK/trace.err")"
}
# SIGINT as the daemon sends it (bpftrace handles it once it is ready; before that a background job
# of this script ignores SIGINT, so a tracer that is not ready gets SIGTERM); SIGKILL after 30 s.
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

# Without and with alternate, so that other load on the machine weighs on both alike.
ticks=$(getconf CLK_TCK); cpu_ticks=0; cpu_wall=0; lost=0
for r in $(seq 1 "$RUNS"); do
    echo "run $r of $RUNS: without the tracer, then with it"
    run_workloads "$WORK/base.log"
    start_tracer
    cpu_before=$(tracer_cpu); wall_before=$(now)
    run_workloads "$WORK/traced.log"
    cpu_ticks=$(calc "$cpu_ticks + $(tracer_cpu) - $cpu_before"); cpu_wall=$(calc "$cpu_wall + $(now) - $wall_before")
    lost=$((lost + $(grep -c '^Lost ' "$WORK/trace.out" || true)))
    stop_tracer
done

start_tracer
echo "exactness (known sizes, with the tracer)"
mkdir -p "$WORK/exact"
cp -r "$SOURCE" "$WORK/exact/copy" & cp_pid=$!; wait $cp_pid
tar -C "$(dirname "$SOURCE")" -cf - "$(basename "$SOURCE")" | (mkdir -p "$WORK/exact/untar" && exec tar -C "$WORK/exact/untar" -xf -) & untar_pid=$!; wait $untar_pid
dd if=/dev/zero of="$WORK/exact/dd.bin" bs=4096 count=2500 status=none & dd_pid=$!; wait $dd_pid
expected_copy=$(find "$WORK/exact/copy" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
expected_untar=$(find "$WORK/exact/untar" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
# Stop right away: the last sums come out in bpftrace's final dump, which is part of the check.
stop_tracer
grep -q '^@zend: ' "$WORK/trace.out" || die "the tracer output did not end with @zend"

summary() { # name
    local base traced
    base=$(awk -v n="$1" '$1 == n { print $2 }' "$WORK/base.log" | median)
    traced=$(awk -v n="$1" '$1 == n { print $2 }' "$WORK/traced.log" | median)
    printf '  %-28s %8.3f s %8.3f s   x%.2f\n' "$2" "$base" "$traced" "$(calc "$traced / $base")"
}
echo
printf '  %-28s %10s %10s   %s\n' "median of $RUNS" "without" "with" "slowdown"
summary copy "cp -r $SOURCE"
summary tar "tar c | tar x"
summary gcc "20 x gcc -c"
cpu=$(calc "$cpu_ticks / $ticks / $cpu_wall")
printf '  bpftrace CPU under that load: %.3f s per second (%.1f%% of one CPU), lost events: %s\n' \
    "$cpu" "$(calc "$cpu * 100")" "$lost"

check() { # name expected pid dir
    local got; got=$(traced_bytes "$3" "$4")
    if [ "$got" = "$2" ]; then printf '  %-34s %12s bytes  exact\n' "$1" "$got"; else printf '  %-34s %12s bytes  traced %s: MISMATCH\n' "$1" "$2" "$got"; status=1; fi
}
status=0
echo
check "cp -r: bytes written" "$expected_copy" "$cp_pid" 1
check "tar x: bytes written" "$expected_untar" "$untar_pid" 1
check "dd: bytes written" $((4096 * 2500)) "$dd_pid" 1
exit $status
