#!/usr/bin/env bash
# Log-scanner benchmark: a generated Aztec node log in JSON lines (1 GiB by default), scanned
# by `aztec-fleet sanity --log` and by the scanner library alone, beside
# `grep -F -c -f MARKERS` with the same signal texts on the same file, in the same run.
# Reports wall time, MB/s and peak RSS (GNU time's maximum resident set size) of each; every
# figure is the median of ROUNDS runs over a file already in the page cache.
# Targets: at least half of grep's throughput, peak RSS under 64 MB.
#
#   bash bench/sanity-scan.sh [MEGABYTES] [ROUNDS]
#
# The log goes to a temporary folder (TMPDIR) that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
MEGABYTES=${1:-1024}
ROUNDS=${2:-3}

if [ ! -x /usr/bin/time ]; then
    echo "bench: GNU time is needed for peak RSS: apt-get install -y time" >&2
    exit 1
fi
swift build -c release --product aztec-fleet >/dev/null
swift build -c release --product sanity-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d "${TMPDIR:-/tmp}/sanity-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/node.log"
echo "generating a $MEGABYTES MiB log in $work…" >&2
"$bin/sanity-bench" generate "$log" "$MEGABYTES"
"$bin/sanity-bench" markers >"$work/markers.txt"
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null   # into the page cache: every run reads from memory

# measure NAME COMMAND…: ROUNDS runs; prints "NAME SECONDS PEAK_KB" with the median time and
# the largest peak RSS. The command's own output goes to $work/NAME.out.
measure() {
    local name=$1 round
    shift
    : >"$work/$name.times"
    for round in $(seq "$ROUNDS"); do
        /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" || true
        cat "$work/$name.time" >>"$work/$name.times"
        echo "  $name round $round: $(cat "$work/$name.time") (s, KB)" >&2
    done
    local median peak
    median=$(cut -d' ' -f1 "$work/$name.times" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
    peak=$(cut -d' ' -f2 "$work/$name.times" | sort -n | tail -1)
    echo "$name $median $peak"
}

grep_result=$(measure grep grep -F -c -f "$work/markers.txt" "$log")
tool_result=$(measure aztec-fleet "$bin/aztec-fleet" sanity --log "$log" --json)
library_result=$(measure library "$bin/sanity-bench" scan "$log")

rate() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }
row() {
    local name seconds peak
    read -r name seconds peak <<<"$1"
    printf '| %s | %s | %s | %s |\n' "$2" "$seconds" "$(rate "$seconds")" "$(( peak / 1024 ))"
}
echo
echo "$bytes bytes, $(wc -l <"$work/markers.txt") signal texts, median of $ROUNDS runs"
echo
echo "| what | seconds | MB/s | peak RSS (MiB) |"
echo "|---|---|---|---|"
row "$grep_result" "grep -F -c -f markers (GNU grep $(grep --version | head -1 | awk '{print $NF}'))"
row "$tool_result" "aztec-fleet sanity --log FILE --json"
row "$library_result" "LogScanner alone (sanity-bench scan)"
echo
echo "lines with a signal: grep $(cat "$work/grep.out"), scanner $(sed 's/.*signal-lines=//' "$work/library.out")"

read -r _ grep_seconds _ <<<"$grep_result"
read -r _ tool_seconds tool_peak <<<"$tool_result"
ratio=$(echo "scale=2; $grep_seconds / $tool_seconds" | bc -l)
verdict=ok
if [ "$(echo "$ratio < 0.5" | bc -l)" = 1 ] || [ "$tool_peak" -ge $(( 64 * 1024 )) ]; then verdict=MISSED; fi
echo "aztec-fleet throughput / grep throughput = $ratio (target >= 0.5); peak RSS $(( tool_peak / 1024 )) MiB (target < 64): $verdict"
