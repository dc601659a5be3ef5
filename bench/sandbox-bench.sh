#!/usr/bin/env bash
# Shared by the benchmark scripts (sourced, not run): builds the FleetKit benchmark
# driver and starts HOSTS sandbox SSH hosts, removed again when the script exits.
# Sets BENCH, work, inventory, key, known and the array addresses; defines fresh_control,
# now and median.

bash scripts/setup.sh
swift build -c release --product converge-bench >/dev/null
BENCH=.build/release/converge-bench

work=$(mktemp -d /tmp/fkbench.XXXXXX)
chmod 755 "$work"   # the sandbox user must reach its authorized_keys below it
cleanup() { bash scripts/sandbox-hosts.sh down "$work/sandbox" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
bash scripts/sandbox-hosts.sh up "$work/sandbox" "$HOSTS" >/dev/null
inventory=$work/sandbox/inventory.csv
key=$work/sandbox/id_ed25519
known=$work/known_hosts
# shellcheck disable=SC2034 # read by the scripts that source this file
mapfile -t addresses < <(tail -n +2 "$inventory" | cut -d, -f2)
export BENCH inventory key known

# A new private folder for ControlMaster sockets: the next run starts without connections.
fresh_control() { local d; d=$(mktemp -d /tmp/fkcm.XXXXXX); chmod 700 "$d"; echo "$d"; }
now() { date +%s.%N; }
# Median of the numbers on standard input, with $1 decimals (default 3).
median() { sort -n | awk -v p="${1:-3}" '{a[NR]=$1} END {m=(NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.*f", p, m}'; }
