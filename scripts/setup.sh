#!/usr/bin/env bash
# Installs what the demo or the tests need on a Debian machine, only where missing.
#   setup.sh demo    what scripts/demo.sh needs: OpenSSH server and client, iproute2
#                    (network namespaces), procps, util-linux, curl, jq and python3 (the
#                    stand-in nodes); the EVM's venv comes from scripts/install-evm.sh
#   setup.sh tests   (the default) also iproute2 (network namespaces), procps,
#                    util-linux, curl, python3 (fake Aztec nodes), jq, shellcheck,
#                    prometheus (promtool and a real Prometheus for the metrics tests),
#                    prometheus-alertmanager (amtool and a real Alertmanager) and
#                    prometheus-node-exporter (node health on the sandbox hosts),
#                    systemd (systemd-analyze checks the unit install-service prints)
#   setup.sh monitoring  what scripts/monitoring-demo.sh needs: OpenSSH, iproute2, procps,
#                    util-linux, curl, jq, python3, prometheus, prometheus-alertmanager and
#                    prometheus-node-exporter
# Needs root (apt-get). Safe to run again.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.0 or later) is not on PATH; install it first" >&2
    exit 1
fi

needed=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
packages=(openssh-server openssh-client)
case "${1:-tests}" in
    demo) packages+=(iproute2 procps util-linux curl jq python3) ;;
    monitoring) packages+=(iproute2 procps util-linux curl jq python3 prometheus prometheus-alertmanager prometheus-node-exporter) ;;
    tests) packages+=(iproute2 procps util-linux curl jq shellcheck python3 prometheus prometheus-alertmanager prometheus-node-exporter systemd) ;;
    *) echo "setup: unknown purpose '$1'; expected demo, monitoring or tests" >&2; exit 2 ;;
esac
for package in "${packages[@]}"; do
    have "$package" || needed+=("$package")
done

if [ ${#needed[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing packages (${needed[*]}); run as root so apt-get can install them" >&2
        exit 1
    fi
    echo "setup: installing ${needed[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
fi
mkdir -p /run/sshd 2>/dev/null || true
