#!/usr/bin/env bash
# The main job on an embedded default: installs what is missing, builds the `fleet` tool
# and runs `fleet demo`, which starts a sandbox sshd on 127.0.0.1 and applies a playbook
# to it twice (every step changes, then every step is a SKIP).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
swift build --product fleet
exec .build/debug/fleet demo "$@"
