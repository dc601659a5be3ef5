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
requirements=(
    "ansible-core==2.19.14"
    "pyinfra==3.10.0"
)
# shellcheck source=scripts/pinned-venv.sh
source "$repo/scripts/pinned-venv.sh"
pinned_venv install-bench-peers "$venv" .fleetkit-requirements \
    "pyinfra --version >/dev/null && ansible-playbook --version >/dev/null" "${requirements[@]}"
