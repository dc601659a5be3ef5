#!/usr/bin/env bash
# Creates <repo>/.venv-bench: the peers bench/fleet-vs-peers.sh compares FleetKit with,
# ansible-core and pyinfra from PyPI, pinned so that figures of different runs compare.
# The test suite's smoke run of that benchmark uses it too.
#
# Idempotent: does nothing when the venv already holds exactly these pins.
# Installs Debian's python3-venv first when venv support is missing and we are root.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BENCH_VENV:-$repo/.venv-bench}"
python="${PYTHON:-python3}"
requirements=(
    "ansible-core==2.19.14"
    "pyinfra==3.10.0"
)
stamp="$venv/.fleetkit-requirements"
wanted="$(printf '%s\n' "${requirements[@]}")"

if [[ -x "$venv/bin/pyinfra" && -x "$venv/bin/ansible-playbook" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "install-bench-peers: $venv is up to date"
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1 || ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "install-bench-peers: installing python3 and python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    else
        echo "install-bench-peers: Python 3 with venv support is missing (Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
"$venv/bin/pyinfra" --version >/dev/null
"$venv/bin/ansible-playbook" --version >/dev/null
printf '%s\n' "${requirements[@]}" >"$stamp"
echo "install-bench-peers: created $venv"
