#!/usr/bin/env bash
# Sourced by the scripts that create the project's Python environments
# (install-evm.sh, install-bench-peers.sh): one function that makes a venv hold exactly
# a list of pinned requirements.
#
#   pinned_venv NAME VENV STAMP_NAME CHECK_COMMAND REQUIREMENT...
#
# Does nothing when VENV's stamp file already lists exactly these requirements. Otherwise
# installs Debian's python3 and python3-venv when they are missing and we are root,
# recreates VENV, installs the requirements from PyPI, runs CHECK_COMMAND (a shell line
# run with VENV's bin/ first on the PATH) and writes the stamp. Uses $PYTHON (python3).

pinned_venv() {
    local name=$1 venv=$2 stamp="$2/$3" check=$4
    shift 4
    local python="${PYTHON:-python3}" wanted
    wanted="$(printf '%s\n' "$@")"
    if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        echo "$name: $venv is up to date"
        return 0
    fi
    if ! command -v "$python" >/dev/null 2>&1 || ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            echo "$name: installing python3 and python3-venv"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
        else
            echo "$name: Python 3 with venv support is missing (Debian: apt-get install python3-venv)" >&2
            return 1
        fi
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
    PATH="$venv/bin:$PATH" bash -c "$check"
    printf '%s\n' "$@" >"$stamp"
    echo "$name: created $venv"
}
