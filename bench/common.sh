# Shared by bench/ingest.sh and bench/daemon.sh (sourced): the daemon to measure and the trace of each case.
#   a     gen_trace.py --events 2000000 --procs 200  --paths 20000
#   big   gen_trace.py --events 2000000 --procs 2000 --paths 1000000
#   big2  the same with --paths 2000000
# Environment: BENCH_TMP (trace files, default /tmp), IOSNOOPNG (the executable; default: published to
# artifacts/bench first, for the current runtime, precompiled as ./run.sh publishes it).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=${BENCH_TMP:-/tmp}

if [ -z "${IOSNOOPNG:-}" ]; then
    dotnet publish "$HERE/../IoSnoop.Host" -c Release --use-current-runtime --self-contained false \
        -o "$HERE/../artifacts/bench" -p:SkipDashboard=true >/dev/null
    IOSNOOPNG=$HERE/../artifacts/bench/iosnoopng
fi

# The trace file of a case, made once with gen_trace.py.
trace() {
    local name=$1 procs paths
    case $name in
        a) procs=200 paths=20000 ;;
        big) procs=2000 paths=1000000 ;;
        big2) procs=2000 paths=2000000 ;;
        *) echo "bench: unknown case $name" >&2; exit 2 ;;
    esac
    local file=$TMP/iosnoopng-bench-$name.trace
    if [ ! -s "$file" ]; then
        python3 "$HERE/gen_trace.py" --events 2000000 --procs $procs --paths $paths --seed 1 > "$file.part"
        mv "$file.part" "$file"
    fi
    echo "$file"
}

median() { sort -g | awk '{v[NR]=$1} END {printf "%s", v[int((NR+1)/2)]}'; }
