#!/usr/bin/env bash
# Benchmark: read the attester views of N attesters (default 5000) from a local EVM, batched
# through Multicall3 + JSON-RPC batches, through plain JSON-RPC batches, and one call each;
# print HTTP requests and wall time per strategy.
#
#   bench/chain-views.sh [N]
#
# Needs the EVM venv (scripts/install-evm.sh, run here when missing). Talks only to 127.0.0.1.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-5000}"
"$repo/scripts/install-evm.sh" >/dev/null

cd "$repo"
swift build -c release --product chain-views-bench >/dev/null
bench="$(swift build -c release --show-bin-path)/chain-views-bench"

echo "starting the EVM and seeding $count attesters…" >&2
started=$(date +%s)
coproc EVM { "$repo/.venv-evm/bin/python" "$repo/Tests/ButlerKitTests/Fixtures/evm/evm_server.py" --seed bench --attesters "$count"; }
# shellcheck disable=SC2153 # EVM_PID is set by coproc
evm_pid=$EVM_PID
trap 'kill "$evm_pid" 2>/dev/null || true; wait "$evm_pid" 2>/dev/null || true' EXIT
read -r announcement <&"${EVM[0]}"
echo "EVM ready after $(( $(date +%s) - started )) s" >&2

field() { "$repo/.venv-evm/bin/python" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$announcement" "$1"; }
port="$(field port)"
"$bench" --url "http://127.0.0.1:$port/" --rollup "$(field rollup)" --multicall "$(field multicall3)" --attesters "$count"
