#!/usr/bin/env bash
# Installs what the demo and the tests need on a Debian machine, only where missing:
# OpenSSH server and client, iproute2 (network namespaces), procps, util-linux, curl,
# python3 (fake Aztec nodes in the tests),
# jq and shellcheck. Needs root (apt-get). Safe to run again.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.0 or later) is not on PATH; install it first" >&2
    exit 1
fi

needed=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for package in openssh-server openssh-client iproute2 procps util-linux curl jq shellcheck python3; do
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
