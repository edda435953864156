#!/bin/bash
# Ingest speed and memory of the running daemon, measured from outside: for each case a fresh
#   iosnoopng --source replay --replay FIFO --db none
# is started, the trace is written into the FIFO, and the clock stops when /api/status counts every event.
# Printed per case (median of RUNS runs): events/s, the rate of `awk -F'|' '{s+=$3}'` over the same file
# measured in the same run, their ratio, the daemon's peak resident memory (VmHWM), its peak private
# memory (RssAnon + RssShmem, sampled every 50 ms while it ingests) and the CPU time it used for the
# trace (user + system, from the clock's start to its stop).
#
#   a     gen_trace.py --events 2000000 --procs 200  --paths 20000
#   big   gen_trace.py --events 2000000 --procs 2000 --paths 1000000
#   big2  the same with --paths 2000000                (memory must stay flat when paths double)
#
# Usage: bench/daemon.sh [RUNS] [CASE...]        (RUNS defaults to 5, cases to "a big big2")
# Environment: BENCH_TMP (trace files, default /tmp), IOSNOOPNG (the executable; default: published to
# artifacts/bench first), BENCH_PORT (default 18092), BENCH_FLAGS (more daemon flags, e.g. --max-files 100000).
set -euo pipefail

RUNS=${1:-5}
shift || true
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(a big big2)
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
PORT=${BENCH_PORT:-18092}
now() { echo "$EPOCHREALTIME"; }
# The daemon's private memory (RssAnon + RssShmem) in KiB and its peak resident memory, read without starting
# a process: the loop runs beside the daemon on the same cores.
PRIVATE=0 HWM=0
memory() {
    local key value _ anon=0 shmem=0
    while read -r key value _; do
        case $key in
            RssAnon:) anon=$value ;;
            RssShmem:) shmem=$value ;;
            VmHWM:) HWM=$value ;;
        esac
    done < "/proc/$1/status" 2>/dev/null || true
    PRIVATE=$((anon + shmem))
}
# User and system CPU ticks the process has used.
cpu_ticks() {
    local stat
    read -r stat < "/proc/$1/stat"
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $stat
    echo $(( ${12} + ${13} ))
}

DAEMON=""
WORK=""
cleanup() {
    [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null || true
    [ -n "$WORK" ] && rm -rf "$WORK" || true
}
trap cleanup EXIT

# One run: prints "events/s awk/s peak_rss_MiB peak_private_MiB cpu_seconds".
run_once() {
    local file=$1 events=$2
    WORK=$(mktemp -d)
    mkfifo "$WORK/trace"
    # shellcheck disable=SC2086 # BENCH_FLAGS holds several flags
    "$IOSNOOPNG" --source replay --replay "$WORK/trace" --db none -a "127.0.0.1:$PORT" -l warn ${BENCH_FLAGS:-} \
        >"$WORK/daemon.log" 2>&1 &
    DAEMON=$!
    local deadline=$((SECONDS + 60))
    until curl -sf "http://127.0.0.1:$PORT/api/status" >/dev/null; do
        kill -0 "$DAEMON" 2>/dev/null || { echo "daemon.sh: the daemon exited:" >&2; cat "$WORK/daemon.log" >&2; exit 1; }
        [ $SECONDS -lt $deadline ] || { echo "daemon.sh: the daemon did not answer within 60 s" >&2; exit 1; }
        sleep 0.1
    done

    # Started means settled too: the clock starts once the daemon has used no CPU for half a second (at most
    # 30 s), so that what it does once at start (the web server's first requests, the stream's first run) is
    # not counted as ingestion.
    local ticks last=-1 settle=$((SECONDS + 30))
    while [ $SECONDS -lt $settle ]; do
        ticks=$(cpu_ticks "$DAEMON")
        [ "$ticks" -eq "$last" ] && break
        last=$ticks
        sleep 0.5
    done

    local start end count peak_private=0 body cpu_start cpu_end
    cpu_start=$(cpu_ticks "$DAEMON")
    start=$(now)
    cat "$file" > "$WORK/trace" &
    local writer=$!
    deadline=$((SECONDS + 300))
    # While the trace is written only the memory is sampled (bash builtins, no process started); the
    # HTTP polls begin once the FIFO has taken the whole trace (a curl per poll would take CPU from the
    # daemon on this 2-core machine: about a fifth of the run).
    while kill -0 "$writer" 2>/dev/null; do
        memory "$DAEMON"
        [ "$PRIVATE" -gt "$peak_private" ] && peak_private=$PRIVATE
        sleep 0.05
    done
    while :; do
        memory "$DAEMON"
        [ "$PRIVATE" -gt "$peak_private" ] && peak_private=$PRIVATE
        # /api/status is small and its totals come first.
        body=$(curl -sf "http://127.0.0.1:$PORT/api/status" || true)
        count=0
        [[ $body =~ \"events\":\ *([0-9]+) ]] && count=${BASH_REMATCH[1]}
        [ "$count" -ge "$events" ] && break
        [ $SECONDS -lt $deadline ] || { echo "daemon.sh: only $count of $events events counted after 300 s" >&2; exit 1; }
        sleep 0.02
    done
    end=$(now)
    cpu_end=$(cpu_ticks "$DAEMON")
    wait "$writer"
    memory "$DAEMON"
    local peak_rss=$HWM
    kill "$DAEMON"; wait "$DAEMON" 2>/dev/null || true
    DAEMON=""
    rm -rf "$WORK"; WORK=""

    local awk_start awk_end
    awk_start=$(now)
    awk -F'|' '{s+=$3} END {print s}' "$file" >/dev/null
    awk_end=$(now)
    awk -v e="$events" -v s="$start" -v t="$end" -v as="$awk_start" -v ae="$awk_end" -v r="$peak_rss" -v p="$peak_private" \
        -v c="$((cpu_end - cpu_start))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%.0f %.0f %.1f %.1f %.2f\n", e / (t - s), e / (ae - as), r / 1024, p / 1024, c / hz}'
}

printf '%-5s %11s %11s %7s %9s %13s %7s   %s\n' case "events/s" "awk/s" "ratio" "peak RSS" "peak private" "CPU s" "runs (events/s, ratio, private MiB, CPU s)"
for name in "${CASES[@]}"; do
    file=$(trace "$name")
    events=$(wc -l < "$file")
    rates=() awks=() ratios=() rss=() priv=() cpus=() runs=""
    for _ in $(seq "$RUNS"); do
        read -r rate awkrate peak_rss peak_private cpu < <(run_once "$file" "$events")
        ratio=$(awk -v a="$rate" -v b="$awkrate" 'BEGIN {printf "%.3f", a / b}')
        rates+=("$rate") awks+=("$awkrate") ratios+=("$ratio") rss+=("$peak_rss") priv+=("$peak_private") cpus+=("$cpu")
        runs+=" $rate/$ratio/$peak_private/$cpu"
    done
    printf '%-5s %11s %11s %7s %9s %13s %7s  %s\n' "$name" \
        "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${awks[@]}" | median)" \
        "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)" \
        "$(printf '%s\n' "${priv[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" "$runs"
done
