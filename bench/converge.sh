#!/usr/bin/env bash
# Converged-playbook benchmark: 10 sandbox hosts (network namespaces, real sshd), a
# 20-step playbook whose steps are all already done, FleetKit's wall time beside two
# floors measured in the same run with plain OpenSSH:
#   floor A: 20 separate commands per host over one multiplexed connection per host
#   floor B: one ssh per host running all 20 checks in one shell
# "cold" runs start with no master connection (one handshake per host is paid);
# "warm" runs reuse the masters kept alive from the previous run (ControlPersist).
# Every figure is the median of ROUNDS runs. Needs root.
#
#   bash bench/converge.sh [HOSTS] [STEPS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-10}
STEPS=${2:-20}
ROUNDS=${3:-5}

# shellcheck source=bench/sandbox-bench.sh
source bench/sandbox-bench.sh
elapsed() { echo "$2 - $1" | bc -l; }
logins() { cat "$work"/sandbox/h*/sshd.log | grep -c "Accepted publickey" || true; }
close_masters() {
    local a
    for a in "${addresses[@]}"; do
        ssh -F /dev/null -o ControlPath="$1/%C" -O exit "fleettest@$a" >/dev/null 2>&1 || true
    done
    rm -rf "$1"
}
ssh_opts() {
    echo -F /dev/null -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new \
        -o UserKnownHostsFile="$known" -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR
}

# Converge first, so every later run finds all steps done.
control=$(fresh_control)
$BENCH "$inventory" "$key" "$known" "$control" --steps "$STEPS" >"$work/converge.out" || { cat "$work/converge.out"; exit 1; }
close_masters "$control"

all_checks=""
for i in $(seq 1 "$STEPS"); do all_checks+="test -f ~/bench/step$i; "; done

floor_a() {   # 20 commands per host over one multiplexed connection, hosts in parallel
    local control=$1 a
    for a in "${addresses[@]}"; do
        (
            for i in $(seq 1 "$STEPS"); do
                # shellcheck disable=SC2046
                ssh $(ssh_opts) -o ControlMaster=auto -o ControlPath="$control/%C" -o ControlPersist=60 \
                    "fleettest@$a" "test -f ~/bench/step$i"
            done
        ) &
    done
    wait
}
floor_b() {   # one ssh per host running every check in one shell, hosts in parallel
    local a
    for a in "${addresses[@]}"; do
        # shellcheck disable=SC2046,SC2029 # options split on purpose; the checks are meant to expand here
        ssh $(ssh_opts) "fleettest@$a" "$all_checks" &
    done
    wait
}

declare -A samples
record() { samples[$1]+="$2 "; }
handshakes_cold=0; handshakes_warm=0
for _ in $(seq 1 "$ROUNDS"); do
    control=$(fresh_control); t0=$(now); floor_a "$control"; t1=$(now); close_masters "$control"
    record floor_a_cold "$(elapsed "$t0" "$t1")"
    t0=$(now); floor_b; t1=$(now); record floor_b_cold "$(elapsed "$t0" "$t1")"

    control=$(fresh_control)
    before=$(logins)
    t0=$(now); $BENCH "$inventory" "$key" "$known" "$control" --steps "$STEPS" >/dev/null; t1=$(now)
    record engine_cold "$(elapsed "$t0" "$t1")"
    middle=$(logins)
    t0=$(now); $BENCH "$inventory" "$key" "$known" "$control" --steps "$STEPS" >/dev/null; t1=$(now)
    record engine_warm "$(elapsed "$t0" "$t1")"
    after=$(logins)
    handshakes_cold=$((middle - before)); handshakes_warm=$((after - middle))
    close_masters "$control"

    control=$(fresh_control)
    t0=$(now); $BENCH "$inventory" "$key" "$known" "$control" --steps "$STEPS" --per-step-checks >/dev/null; t1=$(now)
    record engine_per_step_cold "$(elapsed "$t0" "$t1")"
    close_masters "$control"
done

m() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | median 3; }
fa=$(m floor_a_cold); fb=$(m floor_b_cold); ec=$(m engine_cold); ew=$(m engine_warm); ep=$(m engine_per_step_cold)
ratio=$(echo "$ec / $fb" | bc -l)
echo "hosts=$HOSTS steps=$STEPS rounds=$ROUNDS (median seconds, whole run including process start)"
printf '%-58s %8s\n' "floor A: $STEPS multiplexed ssh commands per host (cold)" "$fa"
printf '%-58s %8s\n' "floor B: one ssh per host running all checks (cold)" "$fb"
printf '%-58s %8s\n' "FleetKit, checks planned in one round trip (cold)" "$ec"
printf '%-58s %8s\n' "FleetKit, same, masters kept from the previous run (warm)" "$ew"
printf '%-58s %8s\n' "FleetKit, one command per check (cold, for comparison)" "$ep"
printf 'FleetKit cold / floor B = %.2f (target <= 1.20)\n' "$ratio"
echo "SSH handshakes in the last cold run: $handshakes_cold for $HOSTS hosts; in the warm re-run: $handshakes_warm"
