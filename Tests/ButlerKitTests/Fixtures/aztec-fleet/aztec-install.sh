#!/bin/bash
# Stand-in for https://install.aztec.network: installs a fake `aztec` that prints $VERSION.
set -eu
S="$SANDBOX_DIR/state"
echo "aztec-installer VERSION=${VERSION:-} NON_INTERACTIVE=${NON_INTERACTIVE:-}" >>"$S/calls.log"
[ ! -f "$S/aztec-installer-fail" ] || { echo "aztec installer: download failed" >&2; exit 1; }
[ -n "${VERSION:-}" ] || { echo "aztec installer: VERSION is not set" >&2; exit 1; }
mkdir -p "$HOME/.aztec/bin"
printf '#!/bin/sh\necho %s\n' "$VERSION" >"$HOME/.aztec/bin/aztec"
chmod +x "$HOME/.aztec/bin/aztec"
