#!/usr/bin/env bash
# Benchmark: requests per second of `aztec-butler serve`'s /metrics for a fleet of N
# attesters (default 5000), measured with wrk on loopback.
#
#   bench/metrics-endpoint.sh [N] [SECONDS] [CONNECTIONS] [SLOW]
#
# With SLOW above 0 it then measures the endpoint under abuse: SLOW connections from one
# address (127.0.0.2) that never finish their request (re-opened as soon as the daemon
# closes them, as an attacker would), beside a scrape loop from another (127.0.0.1) that
# asks for /metrics every 100 ms for SECONDS seconds (at least 20), and prints how many
# scrapes were answered 200 and their latency.
#
# Starts the local EVM seeded with N attesters (statuses NONE/VALIDATING/ZOMBIE/EXITING in
# turn), a stand-in Aztec node whose sentinel reports duties for all N, keys files of ten
# servers listing them (every third without a coinbase), then the daemon, waits until its
# page holds every attester, and runs wrk against it. Needs root for apt (wrk) only when
# wrk is missing; the EVM venv is created by scripts/install-evm.sh. Talks only to 127.0.0.1.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-5000}"
seconds="${2:-10}"
connections="${3:-32}"
slow="${4:-0}"
"$repo/scripts/install-evm.sh" >/dev/null
if ! command -v wrk >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
python="$repo/.venv-evm/bin/python"

cd "$repo"
swift build -c release --product aztec-butler >/dev/null
butler="$(swift build -c release --show-bin-path)/aztec-butler"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "starting the EVM and seeding $count attesters…" >&2
coproc EVM { "$python" "$repo/Tests/ButlerKitTests/Fixtures/evm/evm_server.py" --seed bench --attesters "$count"; }
# shellcheck disable=SC2153 # EVM_PID is set by coproc
pids+=("$EVM_PID")
read -r announcement <&"${EVM[0]}"
field() { "$python" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$announcement" "$1"; }
evm_url="http://127.0.0.1:$(field port)/"
chain_id=$(curl -s -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$evm_url" \
    | "$python" -c 'import json,sys; print(int(json.load(sys.stdin)["result"], 16))')

# Keys files (ten servers) and the sentinel's stats for every attester.
"$python" - "$count" "$work" <<'PY'
import json, os, sys
count, work = int(sys.argv[1]), sys.argv[2]
address = lambda prefix, index: "0x%02x%038x" % (prefix, index)
servers = {}
stats = {}
for i in range(count):
    validator = {"attester": {"eth": address(0xB0, i), "bls": "0x" + "11" * 32}, "feeRecipient": "0x" + "00" * 32,
                 "publisher": address(0xBB, i % 50)}
    if i % 3:
        validator["coinbase"] = address(0xCB, i)
    servers.setdefault("server-%02d" % (i % 10), []).append(validator)
    stats[address(0xB0, i)] = {"address": address(0xB0, i), "totalSlots": 100 + i % 7,
                               "lastAttestation": {"timestamp": "1700000000", "slot": str(1000 + i), "date": "2023-11-14T22:13:20.000Z"},
                               "lastProposal": {"timestamp": "1700000000", "slot": str(900 + i), "date": "2023-11-14T22:13:20.000Z"},
                               "missedProposals": {"currentStreak": 0, "count": i % 2}, "missedAttestations": {"currentStreak": 0, "count": i % 5},
                               "history": []}
os.makedirs(os.path.join(work, "data"))
for server, validators in servers.items():
    with open(os.path.join(work, "data", "bench-keys-%s-v1.json" % server), "w") as f:
        json.dump({"schemaVersion": 1, "remoteSigner": "https://signer.example", "validators": validators}, f)
with open(os.path.join(work, "stats.json"), "w") as f:
    json.dump({"stats": stats, "lastProcessedSlot": "5000", "slotWindow": 100}, f)
PY

node_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$repo/Tests/ButlerKitTests/Fixtures/aztec-fleet/fake_node.py" --port "$node_port" --rollup "$(field rollup)" \
    --chain-id "$chain_id" --validators-stats-file "$work/stats.json" &
pids+=("$!")
metrics_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ETHEREUM_NODE_URL="$evm_url" AZTEC_NODE_URL="http://127.0.0.1:$node_port" METRICS_PORT="$metrics_port" XDG_CONFIG_HOME="$work" \
    "$butler" --network bench --data-dir "$work/data" serve --multicall3 "$(field multicall3)" 2>"$work/daemon.log" &
pids+=("$!")

url="http://127.0.0.1:$metrics_port/metrics"
echo "waiting for the daemon's first full page…" >&2
ready=no
for _ in $(seq 1 600); do
    # The page goes to a file first: with pipefail, `curl | grep -q` fails when grep stops reading early.
    curl -sf "$url" -o "$work/page.txt" 2>/dev/null || true
    if grep -q 'aztec_butler_attester_on_chain_status_count{network="bench",status="VALIDATING"}' "$work/page.txt" 2>/dev/null \
        && grep -q '^aztec_butler_attester_missed_attestations' "$work/page.txt"; then
        ready=yes
        break
    fi
    sleep 1
done
if [ "$ready" != yes ]; then
    echo "metrics-endpoint: the daemon's page never held every attester; its log:" >&2
    cat "$work/daemon.log" >&2
    exit 1
fi
page_bytes=$(wc -c < "$work/page.txt")
series=$(grep -vc '^#' "$work/page.txt")
gzip_bytes=$(curl -sf -H 'Accept-Encoding: gzip' "$url" | wc -c)
echo "page: $page_bytes bytes ($gzip_bytes gzip-compressed), $series series, $count attesters"
# As Prometheus asks (Accept-Encoding: gzip), then uncompressed.
echo "wrk -t2 -c$connections -d${seconds}s -H 'Accept-Encoding: gzip' $url"
wrk -t2 -c"$connections" -d"${seconds}s" -H 'Accept-Encoding: gzip' "$url"
echo "wrk -t2 -c$connections -d${seconds}s $url"
wrk -t2 -c"$connections" -d"${seconds}s" "$url"
if [ "$slow" -gt 0 ]; then
    window=$(( seconds > 20 ? seconds : 20 ))
    echo "abuse: $slow unfinished requests from 127.0.0.2 beside a scrape loop from 127.0.0.1 for ${window}s"
    "$python" - "$metrics_port" "$slow" "$window" <<'PY'
import socket, sys, time, urllib.request
port, count, window = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

def open_slow():
    s = socket.socket()
    s.setblocking(True)
    s.settimeout(2)
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s

def alive(s):
    # Closed by the daemon (503 or its request timeout): recv gives data or EOF.
    try:
        data = s.recv(4096)
        return False if data == b"" or data.startswith(b"HTTP/") else True
    except BlockingIOError:
        return True
    except OSError:
        return False

slow = [open_slow() for _ in range(count)]
reopened = 0
answered, failed, latencies = 0, 0, []
last_trickle = time.time()
end = time.time() + window
while time.time() < end:
    started = time.time()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as answer:
            answer.read()
            answered += answer.status == 200
            failed += answer.status != 200
    except Exception:
        failed += 1
    latencies.append(time.time() - started)
    for i, s in enumerate(slow):
        if s is None or not alive(s):
            if s is not None:
                s.close()
            slow[i] = open_slow()
            reopened += 1
    if time.time() - last_trickle > 1:
        last_trickle = time.time()
        for s in slow:
            if s is not None:
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    pass
    time.sleep(0.1)
held = sum(1 for s in slow if s is not None and alive(s))
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
total = answered + failed
print("scrapes: %d of %d answered 200 (%.1f %%), %d failed; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (answered, total, 100.0 * answered / max(1, total), failed, pick(0.5), pick(0.99), latencies[-1] * 1000))
print("abusive peer: %d connections re-opened after the daemon closed them, %d held open at the end" % (reopened, held))
PY
fi
# The daemon's CPU time while it served and scraped (user + system, seconds).
daemon_pid="${pids[2]}"
awk '{ printf "daemon CPU so far: %.1f s user, %.1f s system\n", $14 / 100, $15 / 100 }' "/proc/$daemon_pid/stat"
echo "daemon log:" >&2
grep -v ' → ' "$work/daemon.log" >&2 || true
