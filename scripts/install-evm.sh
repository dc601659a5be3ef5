#!/usr/bin/env bash
# Creates <repo>/.venv-evm: the Python environment that ButlerKit's tests and the chain
# benchmark use to run a real EVM (eth-tester + py-evm), compile the Vyper test contracts,
# and cross-check Keccak-256, ABI encodings and public keys (eth-hash, eth-abi; eth-keys and
# py_ecc come with py-evm).
#
# Idempotent: does nothing when the venv already holds exactly these pins.
# Installs Debian's python3-venv first when venv support is missing and we are root.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv-evm"
requirements=(
    "eth-tester[py-evm]==0.14.0b1"
    "py-evm==0.12.1b1"
    "web3==8.0.0"
    "vyper==0.4.3"
    "eth-abi==6.0.0"
    "eth-hash[pycryptodome]==0.8.0"
)
# shellcheck source=scripts/pinned-venv.sh
source "$repo/scripts/pinned-venv.sh"
pinned_venv install-evm "$venv" .butlerkit-requirements \
    "python -c 'import eth_tester, eth_abi, eth_hash.auto, eth_keys, py_ecc, vyper, web3'" "${requirements[@]}"
