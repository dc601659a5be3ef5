#!/usr/bin/env bash
# Runs every test: installs what is missing (apt packages, the Python venvs with the
# local EVM and with the benchmark's peers), checks the shell scripts, then builds with
# warnings as errors, type-checks the Swift samples of README.md and docs/*.md against the
# build, runs the peer benchmark at 3 hosts for correctness, the monitoring demo once
# (scripts/monitoring-demo.sh --once) and the main demo once (scripts/demo.sh --once), and
# runs the unit and integration tests (real sshd hosts in network namespaces, a real EVM
# on loopback).
# Needs root for network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "test: run as root: the integration tests create network namespaces and start sshd" >&2
    exit 1
fi
bash scripts/setup.sh tests
for installer in scripts/install-*.sh; do
    [ -e "$installer" ] || continue
    bash "$installer"
done
# Sandboxes left by an interrupted earlier run.
bash scripts/sandbox-hosts.sh sweep

echo "test: shellcheck"
shellcheck -x scripts/*.sh bench/*.sh Examples/monitoring/check.sh .ci/run
echo "test: every test suite has a tag"
bash scripts/test-tag.sh --check

# `swift test` leaves empty TemporaryDirectory.* folders in the temp folder; remove the
# ones this run made, whatever the outcome.
tmp="${TMPDIR:-/tmp}"
before=$(mktemp)
ls -d "$tmp"/TemporaryDirectory.* > "$before" 2>/dev/null || true
remove_swiftpm_leftovers() {
    local folder
    for folder in "$tmp"/TemporaryDirectory.*; do
        [ -d "$folder" ] || continue
        grep -qxF "$folder" "$before" && continue
        # Only folders holding nothing but SwiftPM's marker and empty driver output folders.
        if [ -z "$(find "$folder" -mindepth 1 ! -name .keep-directory ! -name 'supplementaryOutputs-*' -print -quit)" ]; then
            rm -rf -- "$folder"
        fi
    done
    rm -f -- "$before"
}
trap remove_swiftpm_leftovers EXIT

swift build --build-tests -Xswiftc -warnings-as-errors
echo "test: doc samples"
bash scripts/check-doc-samples.sh --self-test --build-path .build
bash scripts/check-doc-samples.sh --build-path .build
# The peer benchmark at CI size, for correctness only (every tool converges every host,
# one SSH login per host), never timings. Run here rather than inside `swift test`, so its
# Ansible and pyinfra runs do not starve the parallel test suites of the two cores.
echo "test: peer benchmark smoke run (bench/fleet-vs-peers.sh, 3 hosts, one round)"
smoke=$(mktemp)
if ! bash bench/fleet-vs-peers.sh --hosts 3 --rounds 1 --bin .build/debug --no-install >"$smoke" 2>&1; then
    cat "$smoke" >&2
    rm -f -- "$smoke"
    echo "test: the peer benchmark smoke run failed" >&2
    exit 1
fi
for expected in "converged: all 3 hosts done by every tool in every case" \
    "SSH handshakes of FleetKit in the last round of a): 3 cold for 3 hosts, 0 warm"; do
    if ! grep -qF "$expected" "$smoke"; then
        cat "$smoke" >&2
        rm -f -- "$smoke"
        echo "test: the peer benchmark smoke run did not print: $expected" >&2
        exit 1
    fi
done
rm -f -- "$smoke"
echo "test: peer benchmark smoke run passed"
# The newcomer's node-health command, checked the way a newcomer would run it: sandbox
# nodes, aztec-fleet monitoring and monitoring-config, a real Prometheus that must see
# every node's gauges. The alert path itself is NodeHealthOverSSHTests' job.
echo "test: monitoring demo (scripts/monitoring-demo.sh --once, 2 nodes)"
demo=$(mktemp)
if ! bash scripts/monitoring-demo.sh --once --bin .build/debug --no-install >"$demo" 2>&1; then
    cat "$demo" >&2
    rm -f -- "$demo"
    echo "test: the monitoring demo failed" >&2
    exit 1
fi
rm -f -- "$demo"
echo "test: monitoring demo passed"
# The README's first command, as a newcomer runs it: the Butler's keys files on three
# sandbox nodes, a coinbase arriving on the local EVM and reaching exactly one node's
# keystore through the coinbase loop. The demo checks its own outcome (one node restarted,
# its keystore holding the new coinbase, attesters_missing_coinbase 0) and exits 1 otherwise.
echo "test: main demo (scripts/demo.sh --once, 3 nodes and the local EVM)"
demo=$(mktemp)
if ! bash scripts/demo.sh --once --bin .build/debug --no-install >"$demo" 2>&1; then
    cat "$demo" >&2
    rm -f -- "$demo"
    echo "test: the main demo failed" >&2
    exit 1
fi
grep -F "attesters_missing_coinbase went from" "$demo" || true
rm -f -- "$demo"
echo "test: main demo passed"
swift test --skip-build "$@"
