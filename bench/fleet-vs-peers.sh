#!/usr/bin/env bash
# FleetKit beside Ansible and pyinfra, each set up the way its own documentation recommends
# for speed, on the same sandbox hosts in the same run, next to the bare floor (the same
# checks in one plain `ssh` per host, no tool). Needs root (network namespaces, sshd).
#
#   bash bench/fleet-vs-peers.sh [--hosts N] [--rounds R] [--ansible-rounds K] [--bin DIR] [--venv DIR] [--no-install]
#
#   --hosts N           sandbox hosts (default 10, at most 200)
#   --rounds R          rounds per case (default 5); the tools alternate inside each round
#   --ansible-rounds K  rounds of the Ansible runs, which take minutes at 100 hosts (default R;
#                       0 leaves Ansible out)
#   --bin DIR           use the fleet, aztec-fleet and converge-bench found in DIR instead of
#                       building release binaries (the test suite's smoke run passes its build)
#   --venv DIR          Python venv with ansible-core and pyinfra (default .venv-bench, created
#                       by scripts/install-bench-peers.sh when missing)
#   --no-install        fail instead of creating the venv when it is missing
#
# Cases, every one converged and checked for correctness (the script fails otherwise):
#   a) a 20-step playbook whose steps are all already done: cold (no open connection) and
#      warm (connections kept from the run before, where the tool can keep them)
#   d) the same 20 steps on hosts where none is done yet (first run: every step checks,
#      acts and checks again), cold
#   b) the `aztec-fleet prepare` and `docker` stages against the sandbox's shims, first run
#      (every step acts) and second run (every step already done); the peers run the same
#      steps, each as one shell task that checks and acts only when needed. Beside the two
#      commands, `aztec-fleet install`: one process, one preflight, the same two stages and
#      the aztec stage after them (so it does more than the others)
#   c) one ad-hoc command on every host (`uptime`)
# For each it prints the median, min and max wall time, each tool's ratio to FleetKit, the
# controller's CPU time (user+sys of the tool and every process it started, ssh clients and
# masters included, from a cpuacct cgroup), the CPU per remote command (the sessions the
# hosts' sshd logged during the run) and peak RSS (GNU time's maximum resident set).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

HOSTS=10
ROUNDS=5
ANSIBLE_ROUNDS=
BIN=
VENV=$repo/.venv-bench
INSTALL=1
STEPS=20
die() { echo "fleet-vs-peers: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --hosts) HOSTS=${2:-}; shift 2 ;;
        --rounds) ROUNDS=${2:-}; shift 2 ;;
        --ansible-rounds) ANSIBLE_ROUNDS=${2:-}; shift 2 ;;
        --bin) BIN=${2:-}; shift 2 ;;
        --venv) VENV=${2:-}; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
ANSIBLE_ROUNDS=${ANSIBLE_ROUNDS:-$ROUNDS}
positive() { if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then die "$1 must be a whole number of 1 or more, not '$2'"; fi; }
positive --hosts "$HOSTS"; positive --rounds "$ROUNDS"
[[ "$ANSIBLE_ROUNDS" =~ ^[0-9]+$ ]] || die "--ansible-rounds must be a whole number (0 leaves Ansible out), not '$ANSIBLE_ROUNDS'"
[ "$HOSTS" -le 200 ] || die "--hosts must be 200 or fewer"
[ "$(id -u)" = 0 ] || die "run as root: the sandbox hosts are network namespaces with their own sshd"

# --- tools ---------------------------------------------------------------------------
bash scripts/setup.sh >/dev/null
if [ -n "$BIN" ]; then
    BIN=$(cd "$BIN" && pwd)
    build="binaries from $BIN"
else
    for product in converge-bench fleet aztec-fleet; do swift build -c release --product "$product" >/dev/null; done
    BIN=$repo/.build/release
    build="release build"
fi
for tool in converge-bench fleet aztec-fleet; do [ -x "$BIN/$tool" ] || die "$BIN/$tool is missing"; done
if [ ! -x "$VENV/bin/pyinfra" ] || [ ! -x "$VENV/bin/ansible-playbook" ]; then
    [ "$INSTALL" = 1 ] || die "$VENV has no pyinfra or ansible-playbook: run bash scripts/install-bench-peers.sh"
    BENCH_VENV=$VENV bash scripts/install-bench-peers.sh
fi
pyinfra_version=$("$VENV/bin/pyinfra" --version 2>&1 | awk '{print $NF}')
ansible_version=$("$VENV/bin/ansible" --version | sed -n '1{s/.*core //; s/]//; p}')   # sed reads to the end: no early close of the pipe

# --- sandbox -------------------------------------------------------------------------
work=$(mktemp -d /tmp/fkpeers.XXXXXX)
chmod 755 "$work"   # the sandbox user must reach its authorized_keys and the installers below it
cgroot=
cleanup() {
    local group pid
    if [ -n "$cgroot" ] && [ -d "$cgroot" ]; then
        for group in "$cgroot"/m*/ "$cgroot"/; do
            [ -f "$group/tasks" ] || continue
            while read -r pid; do echo "$pid" >"$cgroot/../tasks" 2>/dev/null || true; done <"$group/tasks"
        done
        rmdir "$cgroot"/m* "$cgroot" 2>/dev/null || true
    fi
    bash scripts/sandbox-hosts.sh down "$work/sandbox" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
echo "fleet-vs-peers: starting $HOSTS sandbox hosts" >&2
bash scripts/sandbox-hosts.sh up "$work/sandbox" "$HOSTS" >/dev/null
inventory=$work/sandbox/inventory.csv
key=$work/sandbox/id_ed25519
known=$work/known_hosts
user=fleettest
home=$(getent passwd "$user" | cut -d: -f6)
mapfile -t addresses < <(tail -n +2 "$inventory" | cut -d, -f2)

# The aztec-fleet shims on every host, with an empty state folder, and the stand-in for
# Docker's install script.
fixtures=Tests/ButlerKitTests/Fixtures/aztec-fleet
mkdir -p "$work/installers"
cp "$fixtures/get-docker.sh" "$fixtures/aztec-install.sh" "$work/installers/"
chmod -R a+rX "$work/installers"
for i in $(seq 1 "$HOSTS"); do
    cp "$fixtures"/shims/* "$work/sandbox/h$i/bin/"
    chmod 755 "$work/sandbox/h$i/bin"/*
    mkdir -p "$work/sandbox/h$i/state"
    chown "$user": "$work/sandbox/h$i/state"
done
{
    echo "name,ip,user,port,eth_address,private_key"
    tail -n +2 "$inventory" | while IFS=, read -r name ip _ port; do
        echo "$name,$ip,$user,$port,0x$(openssl rand -hex 20),0x$(openssl rand -hex 32)"
    done
} >"$work/servers.csv"

# Controller CPU: every measured command runs in its own cpuacct cgroup, so ssh masters
# that detach from the tool are counted too. Without a writable cpuacct hierarchy, GNU
# time's user+sys (the tool and the children it waited for) stands in.
if [ -d /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/fkpeers-$$" 2>/dev/null; then
    cgroot=/sys/fs/cgroup/cpuacct/fkpeers-$$
    cpu_source="cpuacct cgroup: the tool and every process it started"
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir "/sys/fs/cgroup/fkpeers-$$" 2>/dev/null; then
    cgroot=/sys/fs/cgroup/fkpeers-$$
    cpu_source="cgroup v2: the tool and every process it started"
else
    cpu_source="GNU time: the tool and the children it waited for (detached ssh masters not counted)"
fi

ssh_options=(-F /dev/null -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new
    -o UserKnownHostsFile="$known" -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR -l "$user")
fresh_control() { local d; d=$(mktemp -d /tmp/fkcm.XXXXXX); chmod 700 "$d"; echo "$d"; }
# Opens a master per host in CONTROL (untimed), for the warm floor.
open_masters() {
    local a
    for a in "${addresses[@]}"; do
        ssh "${ssh_options[@]}" -o ControlMaster=yes -o ControlPath="$1/%C" -o ControlPersist=120 -fN -- "$a" &
    done
    wait
}
close_masters() {
    local a
    for a in "${addresses[@]}"; do
        ssh "${ssh_options[@]}" -o ControlPath="$1/%C" -O exit -- "$a" >/dev/null 2>&1 &
    done
    wait
    rm -rf "$1"
}
# The floor: COMMAND in one plain ssh per host, all hosts at once; over the masters in
# CONTROL, or each with its own handshake when CONTROL is "none". Fails if any host fails.
floor() {
    local control=$1 command=$2 a pids=() failed=0 pid
    local mux=(-o ControlMaster=no -o ControlPath=none)
    [ "$control" = none ] || mux=(-o ControlMaster=no -o ControlPath="$control/%C")
    for a in "${addresses[@]}"; do
        ssh "${ssh_options[@]}" "${mux[@]}" -- "$a" "$command" >/dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    return "$failed"
}
logins() { cat "$work"/sandbox/h*/sshd.log | grep -c "Accepted publickey" || true; }
# Remote commands so far: sshd (LogLevel VERBOSE) logs every session it starts.
sessions() { cat "$work"/sandbox/h*/sshd.log | grep -c "Starting session: command" || true; }

# Runs a tool under GNU time, appending its user and system seconds and peak RSS (KiB).
timed() { /usr/bin/time -a -o "$work/time.out" -f '%U %S %M' "$@"; }
# shellcheck disable=SC2016  # an awk program: its $1 … are awk's fields
time_lines='NF == 3 && $1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && $3 ~ /^[0-9]+$/'
# measure NAME COMMAND...: runs COMMAND (output to $work/last.out), records "wall cpu rss
# commands" in $work/samples/NAME; a failing command stops the benchmark with its output.
mkdir -p "$work/samples"
measure_count=0
measure() {
    local name=$1 group="" t0 t1 cpu rss usage commands
    shift
    commands=$(sessions)
    measure_count=$((measure_count + 1))
    if [ -n "$cgroot" ]; then group="$cgroot/m$measure_count"; mkdir "$group"; fi
    : >"$work/time.out"
    t0=$EPOCHREALTIME
    if ! (
        if [ -n "$group" ]; then
            if [ -f "$group/tasks" ]; then echo "$BASHPID" >"$group/tasks"; else echo "$BASHPID" >"$group/cgroup.procs"; fi
        fi
        if [ "$(type -t "$1")" = function ]; then "$@"; else timed "$@"; fi
    ) >"$work/last.out" 2>&1; then
        cat "$work/last.out" >&2
        echo "fleet-vs-peers: $name failed" >&2
        exit 1
    fi
    t1=$EPOCHREALTIME
    rss=-; cpu=-
    if [ -s "$work/time.out" ]; then
        # Only GNU time's "%U %S %M" lines: for a program that exits non-zero it first writes
        # "Command exited with non-zero status N", whose third word is not a number.
        rss=$(awk "$time_lines"' {if ($3 + 0 > m) m = $3 + 0} END {printf "%.0f", m / 1024}' "$work/time.out")
        cpu=$(awk "$time_lines"' {c += $1 + $2} END {printf "%.3f", c}' "$work/time.out")
    fi
    if [ -n "$group" ]; then
        if [ -f "$group/cpuacct.usage" ]; then
            usage=$(cat "$group/cpuacct.usage"); cpu=$(awk -v n="$usage" 'BEGIN {printf "%.3f", n / 1e9}')
        elif [ -f "$group/cpu.stat" ]; then
            cpu=$(awk '$1 == "usage_usec" {printf "%.3f", $2 / 1e6}' "$group/cpu.stat")
        fi
    fi
    commands=$(( $(sessions) - commands ))
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') $cpu $rss $commands" >>"$work/samples/$name"
}

# --- the peers' set-up ---------------------------------------------------------------
# Ansible, tuned as its documentation recommends for speed: pipelining, ControlPersist
# (its default ssh_args), forks = hosts, no fact gathering.
cat >"$work/ansible.cfg" <<CFG
[defaults]
forks = $HOSTS
gathering = explicit
interpreter_python = /usr/bin/python3
retry_files_enabled = False
[ssh_connection]
pipelining = True
ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s
control_path = %(directory)s/%%C
CFG
{
    echo "[fleet]"
    printf '%s\n' "${addresses[@]}"
    echo "[fleet:vars]"
    echo "ansible_user=$user"
    echo "ansible_ssh_private_key_file=$key"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$known -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=accept-new'"
} >"$work/ansible.ini"
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_HOME=$work/ansible-home
# pyinfra, with one greenlet per host (--parallel N); it keeps one paramiko connection per host.
mkdir -p "$work/pyinfra/group_data"
printf 'hosts = [%s]\n' "$(printf '"%s",' "${addresses[@]}")" >"$work/pyinfra/inventory.py"
cat >"$work/pyinfra/group_data/all.py" <<PY
ssh_user = "$user"
ssh_key = "$key"
ssh_known_hosts_file = "$known"
ssh_strict_host_key_checking = "accept-new"
PY
ansible_playbook() { (cd "$work" && ANSIBLE_SSH_CONTROL_PATH_DIR=$1 timed "$VENV/bin/ansible-playbook" -i ansible.ini "$2"); }
ansible_adhoc() { (cd "$work" && ANSIBLE_SSH_CONTROL_PATH_DIR=$1 timed "$VENV/bin/ansible" all -i ansible.ini -m ansible.builtin.command -a "$2"); }
pyinfra_deploy() { (cd "$work/pyinfra" && timed "$VENV/bin/pyinfra" -y --parallel "$HOSTS" inventory.py "$1"); }
pyinfra_exec() { (cd "$work/pyinfra" && timed "$VENV/bin/pyinfra" -y --parallel "$HOSTS" inventory.py exec -- "$1"); }

# Checks of what each run printed.
ansible_converged() {   # every host in the recap, none failed or unreachable, CHANGED changes at most
    local want_changed=$1
    [ "$(grep -cE "^[0-9.]+ +: ok=[0-9]+ +changed=$want_changed +unreachable=0 +failed=0" "$work/last.out")" = "$HOSTS" ] ||
        { cat "$work/last.out" >&2; echo "fleet-vs-peers: Ansible did not end with changed=$want_changed on all $HOSTS hosts" >&2; exit 1; }
}
pyinfra_succeeded() {   # the results table: no error; with "converged", every operation on every host unchanged
    local total
    total=$(awk '/Grand total/ {print $3, $5, $6}' "$work/last.out")
    read -r -a total <<<"$total"
    if [ "${#total[@]}" != 3 ] || [ "${total[1]}" != - ] || { [ "${1:-}" = converged ] && [ "${total[2]}" != "${total[0]}" ]; }; then
        cat "$work/last.out" >&2; echo "fleet-vs-peers: pyinfra reported errors or changes" >&2; exit 1
    fi
}
fleet_recap_clean() {   # aztec-fleet/fleet recap: every host ok with CHANGED changes
    local want_changed=$1 count
    count=$(grep -cE "changed=$want_changed .*failed=0 .*unreachable=0" "$work/last.out" || true)
    [ "$count" -ge "$HOSTS" ] ||
        { cat "$work/last.out" >&2; echo "fleet-vs-peers: expected changed=$want_changed on all $HOSTS hosts" >&2; exit 1; }
}

# --- case a): 20 steps, all already done ---------------------------------------------
all_checks=""
for i in $(seq 1 "$STEPS"); do all_checks+="test -f ~/bench/step$i; "; done
all_checks="set -e; $all_checks"
{
    echo "- hosts: fleet"
    echo "  gather_facts: false"
    echo "  tasks:"
    for i in $(seq 1 "$STEPS"); do
        echo "    - name: step $i"
        echo "      ansible.builtin.file: {path: \"$home/bench/step$i\", state: file}"
    done
} >"$work/converged.yml"
cat >"$work/pyinfra/converged.py" <<PY
from pyinfra.operations import files
for i in range(1, $STEPS + 1):
    files.file(name=f"step {i}", path=f"$home/bench/step{i}", present=True, touch=False)
PY
converge_bench() { timed "$BIN/converge-bench" "$inventory" "$key" "$known" "$1" --steps "$STEPS" --persist "${2:-60}"; }
converge_ok() {
    grep -q "ok=$((STEPS * HOSTS)) changed=0 succeeded=yes" "$work/last.out" ||
        { cat "$work/last.out" >&2; echo "fleet-vs-peers: the FleetKit playbook did not find all steps done" >&2; exit 1; }
}
echo "fleet-vs-peers: converging case a)" >&2
setup_control=$(fresh_control)
converge_bench "$setup_control" 0 >/dev/null   # makes the files and records the host keys
rm -rf "$setup_control"

handshakes_cold=-; handshakes_warm=-
for round in $(seq 1 "$ROUNDS"); do
    echo "fleet-vs-peers: case a) round $round of $ROUNDS" >&2
    measure a_floor_cold floor none "$all_checks"
    control=$(fresh_control)
    before=$(logins)
    measure a_fleet_cold converge_bench "$control"; converge_ok
    middle=$(logins)
    measure a_fleet_warm converge_bench "$control"; converge_ok
    after=$(logins)
    handshakes_cold=$((middle - before)); handshakes_warm=$((after - middle))
    close_masters "$control"
    measure a_pyinfra pyinfra_deploy converged.py; pyinfra_succeeded converged
    if [ "$round" -le "$ANSIBLE_ROUNDS" ]; then
        control=$(fresh_control)
        measure a_ansible_cold ansible_playbook "$control" converged.yml; ansible_converged 0
        measure a_ansible_warm ansible_playbook "$control" converged.yml; ansible_converged 0
        close_masters "$control"
    fi
    control=$(fresh_control)
    open_masters "$control"
    measure a_floor_warm floor "$control" "$all_checks"
    close_masters "$control"
done

# --- case d): the same 20 steps, none done yet (first run) ----------------------------
all_actions=""
for i in $(seq 1 "$STEPS"); do all_actions+="test -f ~/bench/step$i || touch ~/bench/step$i; "; done
all_actions="set -e; mkdir -p ~/bench; $all_actions"
reset_steps() { floor none "rm -rf ~/bench" || { echo "fleet-vs-peers: cannot reset the steps" >&2; exit 1; }; }
changed_ok() {
    grep -q "changed=$((STEPS * HOSTS)) succeeded=yes" "$work/last.out" ||
        { cat "$work/last.out" >&2; echo "fleet-vs-peers: the FleetKit playbook did not change every step" >&2; exit 1; }
}
steps_done() { floor none "$all_checks" || { echo "fleet-vs-peers: $1 left a step undone" >&2; exit 1; }; }
for round in $(seq 1 "$ROUNDS"); do
    echo "fleet-vs-peers: case d) round $round of $ROUNDS" >&2
    reset_steps
    measure d_floor floor none "$all_actions"; steps_done floor
    reset_steps
    control=$(fresh_control)
    measure d_fleet converge_bench "$control"; changed_ok; steps_done FleetKit
    close_masters "$control"
    reset_steps
    measure d_pyinfra pyinfra_deploy converged.py; pyinfra_succeeded; steps_done pyinfra
done

# --- case b): aztec-fleet prepare + docker, first and second run -----------------------
# The steps of PrepareStage and DockerStage with aztec-fleet's defaults, as check/action
# pairs for the peers and the floor (clock sync only looks).
# shellcheck disable=SC2016 # expanded on the hosts
prelude='as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }; '
apt='as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold'
packages="curl jq ca-certificates gnupg ufw"
rules=(22/tcp 40400/tcp 40400/udp)
rule_checks=""
for rule in "${rules[@]}"; do rule_checks+=" && echo \"\$s\" | grep -Eq '^$rule +ALLOW'"; done
docker_url="file://$work/installers/get-docker.sh"
step_names=("base packages" "firewall" "data directory" "clock sync" "docker engine" "docker service" "docker group" "docker answers")
step_checks=(
    "for p in $packages; do dpkg-query -W -f='\${Status}\\n' \"\$p\" 2>/dev/null | grep -q 'install ok installed' || exit 1; done"
    "s=\$(as_root ufw status 2>/dev/null) && echo \"\$s\" | grep -q '^Status: active'$rule_checks && ! echo \"\$s\" | grep -Eq '^8880(/| )'"
    "test -d aztec/data"
    "timedatectl show -p NTPSynchronized --value"
    "docker --version >/dev/null 2>&1 && docker compose version >/dev/null 2>&1"
    "as_root systemctl is-enabled --quiet docker && as_root systemctl is-active --quiet docker"
    "id -nG \"\$(id -un)\" | tr ' ' '\\n' | grep -qx docker"
    "as_root docker info >/dev/null 2>&1"
)
step_actions=(
    "$apt update && $apt install --no-install-recommends $packages"
    "set -e; as_root ufw allow 22/tcp && as_root ufw allow 40400/tcp && as_root ufw allow 40400/udp; as_root ufw delete allow 8880 >/dev/null 2>&1 || true; as_root ufw delete allow 8880/tcp >/dev/null 2>&1 || true; as_root ufw --force enable"
    "mkdir -p aztec/data && chmod 0750 aztec/data"
    "true"
    "set -e; t=\$(mktemp); trap 'rm -f \"\$t\"' EXIT; curl -fsSL --retry 3 -o \"\$t\" '$docker_url'; as_root sh \"\$t\""
    "as_root systemctl enable --now docker"
    "as_root usermod -aG docker \"\$(id -un)\""
    "as_root systemctl restart docker; for i in 1 2 3 4 5 6 7 8 9 10; do as_root docker info >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1"
)
# One step as one shell script: check, act only when needed, check again; prints "changed" when it acted.
step_script() {
    local i=$1
    printf '%s' "${prelude}if (${step_checks[$i]}) >/dev/null 2>&1; then echo unchanged; else (${step_actions[$i]}) && (${step_checks[$i]}) >/dev/null 2>&1 && echo changed; fi"
}
stage_floor=""
stage_verify=""
for i in "${!step_names[@]}"; do
    stage_floor+="( $(step_script "$i") ) >/dev/null || exit 1; "
    stage_verify+="( ${step_checks[$i]} ) >/dev/null 2>&1 || { echo 'not done: ${step_names[$i]}'; exit 1; }; "
done
stage_verify="${prelude}${stage_verify}"
python_string() { printf '%s' "$1" | python3 -c 'import json, sys; print(json.dumps(sys.stdin.read()))'; }
{
    echo "- hosts: fleet"
    echo "  gather_facts: false"
    echo "  tasks:"
    for i in "${!step_names[@]}"; do
        echo "    - name: ${step_names[$i]}"
        echo "      ansible.builtin.shell: $(python_string "$(step_script "$i")")"
        echo "      register: step"
        echo "      changed_when: step.stdout == 'changed'"
    done
} >"$work/stages.yml"
{
    echo "from pyinfra.operations import server"
    for i in "${!step_names[@]}"; do
        echo "server.shell(name=$(python_string "${step_names[$i]}"), commands=[$(python_string "$(step_script "$i")")])"
    done
} >"$work/pyinfra/stages.py"
# As an operator runs them: docker reuses the connections prepare left open, and closes them.
fleet_stages() {
    local control common
    control=$(fresh_control)
    common=(--identity "$key" --known-hosts "$known" --log-dir "$work/logs" --control-dir "$control" --forks "$HOSTS" --user "$user" --retries 0 "$@")
    timed "$BIN/aztec-fleet" prepare "$work/servers.csv" "${common[@]}" --persist 60 &&
        timed "$BIN/aztec-fleet" docker "$work/servers.csv" "${common[@]}" --persist 0 --docker-installer-url "$docker_url"
    rm -rf "$control"
}
# All three stages in one invocation: one process, one preflight.
fleet_install() {
    local control
    control=$(fresh_control)
    timed "$BIN/aztec-fleet" install "$work/servers.csv" --identity "$key" --known-hosts "$known" --log-dir "$work/logs" \
        --control-dir "$control" --forks "$HOSTS" --user "$user" --retries 0 --persist 0 \
        --docker-installer-url "$docker_url" --installer-url "file://$work/installers/aztec-install.sh"
    echo "$?" >>"$work/install.status"
    rm -rf "$control"
}
# Back to a fresh server: no shim state, no data folder, no fake node (untimed).
reset_hosts() {
    local i
    for i in $(seq 1 "$HOSTS"); do
        [ ! -s "$work/sandbox/h$i/state/node.pid" ] || kill "$(cat "$work/sandbox/h$i/state/node.pid")" 2>/dev/null || true
        find "$work/sandbox/h$i/state" -mindepth 1 -delete
        cp "$fixtures/fake_node.py" "$work/sandbox/h$i/state/"
    done
    floor none "rm -rf aztec ~/.config" || { echo "fleet-vs-peers: cannot reset the hosts" >&2; exit 1; }
}
stage_calls() { cat "$work"/sandbox/h*/state/calls.log 2>/dev/null | grep -vc '^sudo ' || true; }
# Every host has every step done, and the second run called no installer, apt-get or ufw change.
stages_done() {
    local tool=$1 calls_first=$2 calls_second=$3
    floor none "$stage_verify" || { echo "fleet-vs-peers: $tool left a host not converged" >&2; exit 1; }
    [ "$calls_first" = "$calls_second" ] ||
        { echo "fleet-vs-peers: $tool's second run changed something ($calls_first calls after the first run, $calls_second after the second)" >&2; exit 1; }
}
# The opt-in classical key exchange (`--kex`), and the floor with it: COMMAND in one plain
# ssh per host, each with its own handshake (default: uptime).
fast_kex=curve25519-sha256
floor_fast_kex() { local ssh_options=("${ssh_options[@]}" -o KexAlgorithms="$fast_kex"); floor none "${1:-uptime}"; }
for round in $(seq 1 "$ROUNDS"); do
    echo "fleet-vs-peers: case b) round $round of $ROUNDS" >&2
    reset_hosts
    measure b_floor_first floor none "$stage_floor"
    measure b_floor_second floor none "$stage_floor"

    reset_hosts
    measure b_fleet_first fleet_stages
    first=$(stage_calls)
    measure b_fleet_second fleet_stages; fleet_recap_clean 0
    stages_done FleetKit "$first" "$(stage_calls)"

    # The same with the opt-in classical key exchange, beside a floor that uses it too: what
    # the tool costs once the key exchange is no longer most of it.
    reset_hosts
    measure b_floor_fast_kex_first floor_fast_kex "$stage_floor"
    measure b_floor_fast_kex_second floor_fast_kex "$stage_floor"
    reset_hosts
    measure b_fleet_fast_kex_first fleet_stages --kex "$fast_kex"
    first=$(stage_calls)
    measure b_fleet_fast_kex_second fleet_stages --kex "$fast_kex"; fleet_recap_clean 0
    stages_done "FleetKit --kex" "$first" "$(stage_calls)"

    reset_hosts
    measure b_install_first fleet_install
    first=$(stage_calls)
    measure b_install_second fleet_install; fleet_recap_clean 0
    floor none "$stage_verify" || { echo "fleet-vs-peers: aztec-fleet install left a host not converged" >&2; exit 1; }

    reset_hosts
    measure b_pyinfra_first pyinfra_deploy stages.py; pyinfra_succeeded
    first=$(stage_calls)
    measure b_pyinfra_second pyinfra_deploy stages.py; pyinfra_succeeded
    stages_done pyinfra "$first" "$(stage_calls)"

    if [ "$round" -le "$ANSIBLE_ROUNDS" ]; then
        reset_hosts
        control=$(fresh_control)
        measure b_ansible_first ansible_playbook "$control" stages.yml
        close_masters "$control"
        first=$(stage_calls)
        control=$(fresh_control)
        measure b_ansible_second ansible_playbook "$control" stages.yml; ansible_converged 0
        close_masters "$control"
        stages_done Ansible "$first" "$(stage_calls)"
    fi
done

# --- case c): one ad-hoc command on every host ---------------------------------------
fleet_run() { timed "$BIN/fleet" run "$inventory" --identity "$key" --known-hosts "$known" --log-dir "$work/logs" --persist 0 --forks "$HOSTS" "$@" -- uptime; }
# Where the CPU goes: the same runs with the opt-in classical key exchange.
fleet_run_fast_kex() { fleet_run --kex "$fast_kex"; }
for round in $(seq 1 "$ROUNDS"); do
    echo "fleet-vs-peers: case c) round $round of $ROUNDS" >&2
    measure c_floor floor none uptime
    measure c_fleet fleet_run
    [ "$(grep -c '^== .*: exit 0 in' "$work/last.out")" = "$HOSTS" ] || { cat "$work/last.out" >&2; echo "fleet-vs-peers: fleet run did not succeed on every host" >&2; exit 1; }
    measure c_floor_fast_kex floor_fast_kex
    measure c_fleet_fast_kex fleet_run_fast_kex
    [ "$(grep -c '^== .*: exit 0 in' "$work/last.out")" = "$HOSTS" ] || { cat "$work/last.out" >&2; echo "fleet-vs-peers: fleet run --kex did not succeed on every host" >&2; exit 1; }
    measure c_pyinfra pyinfra_exec uptime; pyinfra_succeeded
    [ "$(grep -c 'load average' "$work/last.out")" -ge "$HOSTS" ] || { cat "$work/last.out" >&2; echo "fleet-vs-peers: pyinfra did not print uptime of every host" >&2; exit 1; }
    if [ "$round" -le "$ANSIBLE_ROUNDS" ]; then
        control=$(fresh_control)
        measure c_ansible ansible_adhoc "$control" uptime
        close_masters "$control"
        [ "$(grep -c 'CHANGED | rc=0' "$work/last.out")" = "$HOSTS" ] || { cat "$work/last.out" >&2; echo "fleet-vs-peers: Ansible did not run uptime on every host" >&2; exit 1; }
    fi
done

# --- report --------------------------------------------------------------------------
# stat NAME FIELD: "median min max" of a sample column (1 wall, 2 cpu, 3 rss).
stat() {
    awk -v f="$2" '$f != "-" {print $f}' "$work/samples/$1" | sort -n |
        awk '{a[NR]=$1} END {if (NR == 0) {print "- - -"; exit} m=(NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f\n", m, a[1], a[NR]}'
}
median_of() { stat "$1" 1 | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
row() {   # row LABEL SAMPLE REFERENCE_SAMPLE
    local wall cpu rss runs commands per reference=""
    [ -f "$work/samples/$2" ] || return 0
    read -r -a wall <<<"$(stat "$2" 1)"
    read -r -a cpu <<<"$(stat "$2" 2)"
    commands=$(stat "$2" 4 | cut -d' ' -f1 | sed 's/\.000$//')
    per=$(awk -v c="${cpu[0]}" -v n="$commands" 'BEGIN {if (n > 0 && c != "-") printf "%.2f", 1000 * c / n; else print "-"}')
    rss=$(stat "$2" 3 | cut -d' ' -f3 | sed 's/\.000$//')
    runs=$(wc -l <"$work/samples/$2")
    [ -z "${3:-}" ] || reference=$(ratio "${wall[0]}" "$(median_of "$3")")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "${wall[0]}" "${wall[1]}" "${wall[2]}" "${reference:--}" "${cpu[0]}" "$commands" "$per" "$rss" "$runs"
}
header() { printf '| %s | median s | min s | max s | × FleetKit | CPU s | commands | CPU ms per command | peak RSS MiB | runs |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' "$1"; }
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "fleet-vs-peers: $HOSTS hosts, $ROUNDS rounds (Ansible $ANSIBLE_ROUNDS), $(nproc) cores, load average $loadavg at the end; FleetKit $build, pyinfra $pyinfra_version, ansible-core $ansible_version, $(ssh -V 2>&1 | cut -d, -f1)"
echo "CPU: $cpu_source"
echo
echo "a) $STEPS steps already done on every host"
echo
header "tool"
row "floor: one ssh per host, all checks (cold)" a_floor_cold a_fleet_cold
row "**FleetKit** (cold)" a_fleet_cold a_fleet_cold
row "pyinfra --parallel $HOSTS (cold; keeps no connection between runs)" a_pyinfra a_fleet_cold
row "Ansible, pipelining, ControlPersist, forks $HOSTS (cold)" a_ansible_cold a_fleet_cold
row "floor: one ssh per host over open masters (warm)" a_floor_warm a_fleet_warm
row "**FleetKit** (warm)" a_fleet_warm a_fleet_warm
row "Ansible (warm)" a_ansible_warm a_fleet_warm
echo
echo "d) $STEPS steps, none done yet (first run)"
echo
header "tool"
row "floor: one ssh per host, every step (cold)" d_floor d_fleet
row "**FleetKit** (cold)" d_fleet d_fleet
row "pyinfra --parallel $HOSTS (cold)" d_pyinfra d_fleet
echo
echo "b) aztec-fleet prepare + docker (8 steps) against the shims"
echo
header "tool"
row "floor: one ssh per host, every step (first run)" b_floor_first b_fleet_first
row "**FleetKit** aztec-fleet prepare && docker (first run)" b_fleet_first b_fleet_first
row "**FleetKit** aztec-fleet install, one process, + the aztec stage (first run)" b_install_first b_fleet_first
row "pyinfra (first run)" b_pyinfra_first b_fleet_first
row "Ansible (first run)" b_ansible_first b_fleet_first
row "floor: one ssh per host, every step (second run)" b_floor_second b_fleet_second
row "**FleetKit** aztec-fleet prepare && docker (second run)" b_fleet_second b_fleet_second
row "**FleetKit** aztec-fleet install, one process, + the aztec stage (second run)" b_install_second b_fleet_second
row "pyinfra (second run)" b_pyinfra_second b_fleet_second
row "Ansible (second run)" b_ansible_second b_fleet_second
row "opt-in: floor with KexAlgorithms=$fast_kex (first run)" b_floor_fast_kex_first b_fleet_fast_kex_first
row "opt-in: **FleetKit** prepare && docker --kex $fast_kex (first run)" b_fleet_fast_kex_first b_fleet_fast_kex_first
row "opt-in: floor with KexAlgorithms=$fast_kex (second run)" b_floor_fast_kex_second b_fleet_fast_kex_second
row "opt-in: **FleetKit** prepare && docker --kex $fast_kex (second run)" b_fleet_fast_kex_second b_fleet_fast_kex_second
echo
echo "c) uptime on every host"
echo
header "tool"
row "floor: one ssh per host" c_floor c_fleet
row "**FleetKit** fleet run --persist 0" c_fleet c_fleet
row "pyinfra exec" c_pyinfra c_fleet
row "Ansible ad-hoc (command module)" c_ansible c_fleet
row "opt-in: floor with KexAlgorithms=$fast_kex" c_floor_fast_kex c_fleet
row "opt-in: **FleetKit** fleet run --persist 0 --kex $fast_kex" c_fleet_fast_kex c_fleet
echo
fc=$(median_of a_fleet_cold); fw=$(median_of a_fleet_warm)
printf 'a) FleetKit cold / floor cold = %s (target <= 1.2); warm / warm floor = %s (target <= 1.3)\n' \
    "$(ratio "$fc" "$(median_of a_floor_cold)")" "$(ratio "$fw" "$(median_of a_floor_warm)")"
printf 'd) FleetKit / pyinfra wall = %s (target < 1)\n' "$(ratio "$(median_of d_fleet)" "$(median_of d_pyinfra)")"
printf 'b) FleetKit / pyinfra wall: first run %s, second run %s (target <= 0.8)\n' \
    "$(ratio "$(median_of b_fleet_first)" "$(median_of b_pyinfra_first)")" "$(ratio "$(median_of b_fleet_second)" "$(median_of b_pyinfra_second)")"
printf 'b) with the opt-in --kex %s: FleetKit / pyinfra wall: first run %s, second run %s\n' "$fast_kex" \
    "$(ratio "$(median_of b_fleet_fast_kex_first)" "$(median_of b_pyinfra_first)")" "$(ratio "$(median_of b_fleet_fast_kex_second)" "$(median_of b_pyinfra_second)")"
printf 'b) floor / pyinfra wall: first run %s, second run %s (the floor: no tool, one ssh per host with the default key exchange)\n' \
    "$(ratio "$(median_of b_floor_first)" "$(median_of b_pyinfra_first)")" "$(ratio "$(median_of b_floor_second)" "$(median_of b_pyinfra_second)")"
printf 'c) FleetKit / pyinfra wall = %s (target < 1); CPU per host: FleetKit %s s, pyinfra %s s\n' \
    "$(ratio "$(median_of c_fleet)" "$(median_of c_pyinfra)")" \
    "$(awk -v c="$(stat c_fleet 2 | cut -d' ' -f1)" -v n="$HOSTS" 'BEGIN {printf "%.4f", c / n}')" \
    "$(awk -v c="$(stat c_pyinfra 2 | cut -d' ' -f1)" -v n="$HOSTS" 'BEGIN {printf "%.4f", c / n}')"
printf 'c) with the opt-in --kex %s: FleetKit / pyinfra wall = %s; CPU per host: FleetKit %s s\n' "$fast_kex" \
    "$(ratio "$(median_of c_fleet_fast_kex)" "$(median_of c_pyinfra)")" \
    "$(awk -v c="$(stat c_fleet_fast_kex 2 | cut -d' ' -f1)" -v n="$HOSTS" 'BEGIN {printf "%.4f", c / n}')"
echo "SSH handshakes of FleetKit in the last round of a): $handshakes_cold cold for $HOSTS hosts, $handshakes_warm warm"
echo "converged: all $HOSTS hosts done by every tool in every case"
if [ -s "$work/install.status" ] && grep -qv '^0$' "$work/install.status"; then
    echo "aztec-fleet install exit statuses (the aztec stage's own checks against the shims): $(sort "$work/install.status" | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
fi
