#!/usr/bin/env bash
# FleetKit beside pyinfra and Ansible on the same converged job, in the same run: 10
# sandbox hosts, 20 steps that are all already done (a file per step). Installs pyinfra
# and ansible-core from PyPI into .venv-bench on first use. Needs root.
#
#   bash bench/compare-tools.sh [HOSTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-10}
ROUNDS=${2:-3}
STEPS=20

if [ ! -x .venv-bench/bin/pyinfra ] || [ ! -x .venv-bench/bin/ansible-playbook ]; then
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -q 'pyinfra==3.*' 'ansible-core==2.19.*'
fi
# shellcheck source=bench/sandbox-bench.sh
source bench/sandbox-bench.sh
home=$(getent passwd fleettest | cut -d: -f6)

# The same job for each tool: the file ~/bench/stepN exists, for N in 1..20.
mkdir -p "$work/pyinfra/group_data"
printf 'hosts = [%s]\n' "$(printf '"%s",' "${addresses[@]}")" >"$work/pyinfra/inventory.py"
cat >"$work/pyinfra/group_data/all.py" <<PY
ssh_user = "fleettest"
ssh_key = "$key"
ssh_known_hosts_file = "$known"
ssh_strict_host_key_checking = "accept-new"
PY
cat >"$work/pyinfra/deploy.py" <<PY
from pyinfra.operations import files
for i in range(1, $STEPS + 1):
    files.file(name=f"step {i}", path=f"$home/bench/step{i}", present=True, touch=False)
PY
{
    echo "[fleet]"
    printf '%s\n' "${addresses[@]}"
    echo "[fleet:vars]"
    echo "ansible_user=fleettest"
    echo "ansible_ssh_private_key_file=$key"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$known -o StrictHostKeyChecking=accept-new'"
    echo "ansible_python_interpreter=/usr/bin/python3"
} >"$work/ansible.ini"
{
    echo "- hosts: fleet"
    echo "  gather_facts: false"
    echo "  tasks:"
    for i in $(seq 1 "$STEPS"); do
        echo "    - name: step $i"
        echo "      ansible.builtin.file: {path: \"$home/bench/step$i\", state: file}"
    done
} >"$work/playbook.yml"

control=$(fresh_control)
$BENCH "$inventory" "$key" "$known" "$control" --steps "$STEPS" --persist 0 >/dev/null   # converge

time_it() { local t0 t1; t0=$(now); "$@" >"$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }; t1=$(now); echo "$t1 - $t0" | bc -l; }

fleet=(); pyinfra=(); ansible=()
for _ in $(seq 1 "$ROUNDS"); do
    fleet+=("$(time_it "$BENCH" "$inventory" "$key" "$known" "$(fresh_control)" --steps "$STEPS" --persist 0)")
    pyinfra+=("$(cd "$work/pyinfra" && time_it "$OLDPWD/.venv-bench/bin/pyinfra" inventory.py deploy.py -y)")
done
ansible+=("$(ANSIBLE_HOST_KEY_CHECKING=False time_it .venv-bench/bin/ansible-playbook -i "$work/ansible.ini" "$work/playbook.yml")")
grep -q "changed=0" "$work/last.out" || { echo "ansible changed something: the job was not converged" >&2; exit 1; }

f=$(printf '%s\n' "${fleet[@]}" | median 2); p=$(printf '%s\n' "${pyinfra[@]}" | median 2); a=$(printf '%s\n' "${ansible[@]}" | median 2)
echo "hosts=$HOSTS steps=$STEPS, converged, cold connections; FleetKit and pyinfra median of $ROUNDS, Ansible 1 run"
printf '%-40s %7s s\n' "FleetKit (converge-bench)" "$f" "pyinfra $(.venv-bench/bin/pyinfra --version 2>&1 | awk '{print $2}')" "$p" \
    "Ansible $(.venv-bench/bin/ansible --version | head -1 | sed 's/.*core //; s/]//') (gather_facts off)" "$a"
printf 'FleetKit is %.1fx faster than pyinfra and %.1fx faster than Ansible\n' "$(echo "$p / $f" | bc -l)" "$(echo "$a / $f" | bc -l)"
