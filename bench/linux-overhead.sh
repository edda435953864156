#!/bin/bash
# Overhead and exactness of the Linux trace source (bpftrace running iosnoop.bt).
#
# Runs five workloads RUNS times without the tracer and RUNS times with it, alternating, and prints the
# median wall time of each, the slowdown, the tracer's own CPU per second of load, and whether
# the bytes it reported for known workloads equal the bytes written, to the byte.
#   small-file copy:     cp -r /usr/share/doc (about 5,000 files) into a temporary folder
#   archive round trip:  tar -c /usr/share/doc | tar -x into a temporary folder
#   compiler runs:       20 x gcc -c of a small C file
#   cold reads:          with the page cache dropped first (not timed), cat of every file of SOURCE, and
#                        cat of a 1 GiB file: reads that reach the disk, where the disk probes fire most
# The tracer is started exactly as BpftraceSource starts it (sh, exec, $$ as its own pid).
#
# Usage: sudo bench/linux-overhead.sh [RUNS]      (RUNS defaults to 5; needs bpftrace, gcc, tar)
# Environment: BPFTRACE (default: bpftrace on PATH), PROGRAM (default: the embedded iosnoop.bt), BENCH_TMP (default: /tmp), SOURCE (default: /usr/share/doc),
#   COMPARE (another program, e.g. an earlier version's iosnoop.bt: each run then also traces the workloads with it,
#   right after PROGRAM, so that both meet the same machine; a third column and its CPU are printed)
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

dd if=/dev/urandom of="$WORK/big.bin" bs=1M count=1024 status=none

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run of each workload; appends "name seconds" lines to $1.
run_workloads() {
    local log=$1 t0
    rm -rf "$WORK/copy" "$WORK/untar" "$WORK/obj"; mkdir -p "$WORK/untar" "$WORK/obj"; sync
    # Cold reads first: the second leaves SOURCE in the page cache again for the copies after it.
    drop_caches; t0=$(now); cat "$WORK/big.bin" > /dev/null; echo "coldbig $(calc "$(now) - $t0")" >> "$log"
    drop_caches; t0=$(now); find "$SOURCE" -type f -print0 | xargs -0 cat > /dev/null; echo "coldsmall $(calc "$(now) - $t0")" >> "$log"
    t0=$(now); cp -r "$SOURCE" "$WORK/copy"; echo "copy $(calc "$(now) - $t0")" >> "$log"
    t0=$(now); tar -C "$(dirname "$SOURCE")" -cf - "$(basename "$SOURCE")" | tar -C "$WORK/untar" -xf -; echo "tar $(calc "$(now) - $t0")" >> "$log"
    t0=$(now); for i in $(seq 1 20); do gcc -O1 -c "$WORK/small.c" -o "$WORK/obj/small$i.o"; done; echo "gcc $(calc "$(now) - $t0")" >> "$log"
}
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

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

start_tracer() { # [program]
    local program=${1:-$PROGRAM}
    sh -c 'exec env BPFTRACE_MAP_KEYS_MAX=131072 BPFTRACE_STRLEN=128 "$1" -B line -q --no-warnings "$2" $$' \
        sh "$BPFTRACE" "$program" > "$WORK/trace.out" 2> "$WORK/trace.err" &
    TRACER=$!
    # About 6 s on an idle machine; more than 30 s was seen with two builds running.
    for _ in $(seq 1 1200); do grep -q '^READY' "$WORK/trace.out" && { settle_tracer; return; }; kill -0 "$TRACER" 2>/dev/null || break; sleep 0.1; done
    die "bpftrace did not get ready: $(cat "$WORK/trace.err")"
}
# Ready means attached, not done starting: the workloads begin once bpftrace has used no CPU for half a second
# (at most 10 s), so that its start is not charged to the first workload.
settle_tracer() {
    local last=-1 ticks
    for _ in $(seq 1 20); do
        ticks=$(tracer_cpu); [ "$ticks" = "$last" ] && return; last=$ticks; sleep 0.5
    done
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
ticks=$(getconf CLK_TCK); declare -A cpu_ticks=([traced]=0 [compared]=0) cpu_wall=([traced]=0 [compared]=0); lost=0
# One traced pass of the workloads with a program; its times go to $WORK/$1.log.
traced_pass() { # log-name program
    local cpu_before wall_before
    start_tracer "$2"
    cpu_before=$(tracer_cpu); wall_before=$(now)
    run_workloads "$WORK/$1.log"
    cpu_ticks[$1]=$(calc "${cpu_ticks[$1]} + $(tracer_cpu) - $cpu_before"); cpu_wall[$1]=$(calc "${cpu_wall[$1]} + $(now) - $wall_before")
    lost=$((lost + $(grep -c '^Lost ' "$WORK/trace.out" || true)))
    stop_tracer
}
for r in $(seq 1 "$RUNS"); do
    echo "run $r of $RUNS: without the tracer, then with it${COMPARE:+, then with $COMPARE}"
    run_workloads "$WORK/base.log"
    traced_pass traced "$PROGRAM"
    if [ -n "${COMPARE:-}" ]; then traced_pass compared "$COMPARE"; fi
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

times_of() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/$2.log" | median; }
summary() { # name label
    local base traced compared
    base=$(times_of "$1" base); traced=$(times_of "$1" traced)
    printf '  %-28s %8.3f s %8.3f s   x%.2f' "$2" "$base" "$traced" "$(calc "$traced / $base")"
    if [ -n "${COMPARE:-}" ]; then compared=$(times_of "$1" compared); printf '   %8.3f s   x%.2f' "$compared" "$(calc "$compared / $base")"; fi
    echo
}
echo
printf '  %-28s %10s %10s   %s' "median of $RUNS" "without" "with" "slowdown"
if [ -n "${COMPARE:-}" ]; then printf '   %10s   %s' "COMPARE" "slowdown"; fi
echo
summary coldbig "cold cat of 1 GiB"
summary coldsmall "cold cat of every file"
summary copy "cp -r $SOURCE"
summary tar "tar c | tar x"
summary gcc "20 x gcc -c"
for pass in traced ${COMPARE:+compared}; do
    cpu=$(calc "${cpu_ticks[$pass]} / $ticks / ${cpu_wall[$pass]}")
    label=PROGRAM; [ "$pass" = compared ] && label=COMPARE
    printf '  bpftrace CPU under that load with %s: %.3f s per second (%.1f%% of one CPU)\n' "$label" "$cpu" "$(calc "$cpu * 100")"
done
echo "  lost events: $lost"

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
