#!/usr/bin/env bash
# Creates <repo>/.venv-evm: the Python environment that ButlerKit's tests and the chain
# benchmark use to run a real EVM (eth-tester + py-evm), compile the Vyper test contracts,
# and cross-check Keccak-256 and ABI encodings (eth-hash, eth-abi).
#
# Idempotent: does nothing when the venv already holds exactly these pins.
# Installs Debian's python3-venv first when venv support is missing and we are root.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv-evm"
python="${PYTHON:-python3}"
requirements=(
    "eth-tester[py-evm]==0.14.0b1"
    "py-evm==0.12.1b1"
    "web3==8.0.0"
    "vyper==0.4.3"
    "eth-abi==6.0.0"
    "eth-hash[pycryptodome]==0.8.0"
)
stamp="$venv/.butlerkit-requirements"
wanted="$(printf '%s\n' "${requirements[@]}")"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "install-evm: $venv is up to date"
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    else
        echo "install-evm: $python not found; install Python 3.10+ with venv support" >&2
        exit 1
    fi
fi

if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "install-evm: installing python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
        echo "install-evm: Python venv support is missing (Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
"$venv/bin/python" -c 'import eth_tester, eth_abi, eth_hash.auto, vyper, web3' 
printf '%s\n' "${requirements[@]}" >"$stamp"
echo "install-evm: created $venv"
