#!/usr/bin/env bash
# The product's main job on this machine, in a few minutes: an Aztec staking provider's
# fleet of three sequencers, its Butler and a new delegation whose coinbase reaches the
# right node's keystore without a hand edit.
#
#   1. a local EVM (eth-tester) with the Vyper stand-ins of the Aztec Rollup and
#      StakingRegistry: provider 1 with six attesters (three validating, two in the rollup's
#      entry queue, one waiting in the provider's queue), and a stand-in Aztec node;
#   2. the Butler (aztec-butler): each server's keys file in production, prepare-deployment
#      adding a new validator per server, scrape-coinbases and fill-coinbases giving every
#      staked attester its coinbase; one attester is not staked yet, so it has none;
#   3. three sandbox servers (sshd in network namespaces, docker and systemd stand-ins),
#      installed by `aztec-fleet install --keystore --keys-dir`: each node's keystore is its
#      server's newest keys file;
#   4. `aztec-butler serve`: the attesters' states, attesters_missing_coinbase 1;
#   5. the delegation arrives: a StakedWithProvider event on chain names the attester's
#      coinbase (its Split contract);
#   6. the coinbase loop: scrape-coinbases, fill-coinbases --increment-version,
#      `aztec-fleet keystores --check`, then the push, which restarts only the node whose
#      keystore changed, behind the health gate;
#   7. `aztec-fleet proof` and `aztec-fleet sanity` on the fleet;
#   8. the Butler's /metrics again: attesters_missing_coinbase 0.
# It checks the outcome (exactly one node restarted, that node's keystore holds the new
# coinbase, attesters_missing_coinbase 0) and exits 1 when any is not so. Then it waits for
# Enter (or Ctrl-C) and removes everything it started: hosts, namespaces, processes, files.
#
#   demo.sh [--dir DIR] [--once] [--bin DIR] [--no-install]
#     --dir DIR      a new or empty work folder (default /tmp/aztec-demo.XXXXXX); removed on exit
#     --once         exit after the summary (0 when every check passed) without waiting
#     --bin DIR      use aztec-fleet and aztec-butler already built in DIR (no build)
#     --no-install   do not install missing Debian packages or the EVM's Python venv
#
# Needs root (network namespaces). Traffic stays on loopback and the sandbox bridge; no
# private key exists anywhere in the demo (the keys files name a remote signer).
# The generic playbook demo of FleetKit is `fleet demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

dir="" once=0 bin="" install=1
die() { echo "demo: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) [ $# -ge 2 ] || die "--dir needs a folder"; dir=$2; shift 2 ;;
        --once) once=1; shift ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a folder"; bin=$2; shift 2 ;;
        --no-install) install=0; shift ;;
        -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ "$(id -u)" = 0 ] || die "run as root: the sandbox servers are network namespaces running sshd"
started=$(date +%s)

if [ "$install" = 1 ]; then
    bash scripts/setup.sh demo
    bash scripts/install-evm.sh
fi
for program in curl jq python3 ssh ip; do
    command -v "$program" >/dev/null || die "$program is missing (bash scripts/setup.sh demo installs it)"
done
python="$repo/.venv-evm/bin/python"
[ -x "$python" ] || die "the local EVM's Python venv is missing (bash scripts/install-evm.sh creates .venv-evm)"
if [ -z "$bin" ]; then
    echo "demo: building aztec-fleet and aztec-butler (the first build takes a few minutes)"
    swift build --product aztec-fleet
    swift build --product aztec-butler
    bin=.build/debug
fi
fleet=$(cd "$bin" && pwd)/aztec-fleet
butler=$(cd "$bin" && pwd)/aztec-butler
if [ ! -x "$fleet" ] || [ ! -x "$butler" ]; then die "no aztec-fleet and aztec-butler in $bin"; fi

if [ -z "$dir" ]; then
    dir=$(mktemp -d /tmp/aztec-demo.XXXXXX)
else
    # The folder is removed on exit, so it must be the demo's own.
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then die "$dir is not empty; name a new folder"; fi
    mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd)
chmod 0755 "$dir"
hosts="$dir/hosts" logs="$dir/logs" data="$dir/butler-data" inputs="$dir/butler-inputs"
mkdir -p "$logs" "$data" "$inputs" "$dir/config/aztec-butler"
pids=()
evm_pid=""
cleanup() {
    local pid
    exec 3>&- # the EVM server exits when its standard input closes
    for pid in "${pids[@]}" $evm_pid; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}" $evm_pid; do
        # Up to 5 s to stop (the daemon saves its states), then it is killed.
        for _ in $(seq 1 50); do [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" =~ ^[^Z] ]] || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -s "$dir/aztec-node.pid" ]; then kill "$(cat "$dir/aztec-node.pid")" 2>/dev/null || true; fi
    # Stops every sshd and whatever runs in the servers' namespaces (the stand-in nodes).
    bash "$repo/scripts/sandbox-hosts.sh" down "$hosts" 2>/dev/null || true
    rm -rf -- "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stage_number=0
stage() { stage_number=$((stage_number + 1)); printf '\n== %d. %s\n' "$stage_number" "$*"; }
say() { printf '   %s\n' "$*"; }
indent() { sed 's/^/   | /'; }
# The tools' step-by-step log lines stay in their log files ($logs); warnings and errors show.
quiet() { grep --line-buffered -v -E '^\[[0-9-]{10} [0-9:]{8}\] \[(INFO|CHECK|EXEC|OK|SKIP|OUTPUT|DEBUG)\] ' || true; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }
# Runs a tool, its output indented as it comes; stops the demo when the tool fails.
show() {
    local statuses
    set +o pipefail
    "$@" 2>&1 | quiet | indent
    statuses=("${PIPESTATUS[@]}")
    set -o pipefail
    [ "${statuses[0]}" = 0 ] || fail "$(basename "$1") ${2:-} exited with ${statuses[0]}"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

fixtures="$repo/Tests/ButlerKitTests/Fixtures"
network=testnet
# Addresses of the story: attester j of server i, its coinbase (the delegation's Split
# contract), the publisher of server i. No private key is needed: the keys files name a remote signer.
attester() { printf '0xa7%036d%d%d' 0 "$1" "$2"; }
coinbase() { printf '0xc0%036d%d%d' 0 "$1" "$2"; }
publisher() { printf '0xb0%037d%d' 0 "$1"; }
admin=$(printf '0xad%038d' 1) rewards=$(printf '0x5e%038d' 1) staker=$(printf '0x11%038d' 1) withdrawer=$(printf '0xdd%038d' 1)
bls="0x$(printf '1%.0s' $(seq 1 64))" fee="0x$(printf '0%.0s' $(seq 1 64))"
late_attester=$(attester 2 2) late_coinbase=$(coinbase 2 2)

# ---------------------------------------------------------------------------------------
stage "The chain: a local EVM with the Aztec Rollup and StakingRegistry stand-ins"
mkfifo "$dir/evm.in"
"$python" "$fixtures/evm/evm_server.py" --seed none --allow-writes <"$dir/evm.in" >"$dir/evm.json" 2>"$logs/evm.log" &
evm_pid=$!
exec 3>"$dir/evm.in"
for _ in $(seq 1 600); do [ -s "$dir/evm.json" ] && break; kill -0 "$evm_pid" 2>/dev/null || break; sleep 0.2; done
[ -s "$dir/evm.json" ] || { cat "$logs/evm.log" >&2; die "the EVM did not start; see above"; }
evm_url="http://127.0.0.1:$(jq -r .port "$dir/evm.json")"
rollup=$(jq -r .rollup "$dir/evm.json") registry=$(jq -r .stakingRegistry "$dir/evm.json") multicall=$(jq -r .multicall3 "$dir/evm.json")
rpc() {
    curl -fsS -H 'Content-Type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$evm_url" |
        jq -r 'if .error then error(.error.message) else .result end'
}
chain_id=$((16#$(rpc eth_chainId '[]' | sed 's/^0x//')))
# Queue parameters as a network would have them: flush size 4, 32 slots of 36 s, epoch 11.
rpc test_transact "[\"Rollup\",\"setParameters\",4,2,12,true,32,36,11,3]" >/dev/null
rpc test_transact "[\"StakingRegistry\",\"registerProvider\",\"$admin\",500,\"$rewards\"]" >/dev/null
# Each server's production attester has been validating for a while, staked through the provider.
validating=() for_entry=()
for i in 1 2 3; do
    validating+=("\"$(attester "$i" 1)\"")
    rpc test_transact "[\"StakingRegistry\",\"stake\",1,\"$rollup\",\"$(attester "$i" 1)\",\"$(coinbase "$i" 1)\",\"$staker\"]" >/dev/null
done
rpc test_transact "[\"Rollup\",\"setAttesterStatuses\",[$(IFS=,; echo "${validating[*]}")],[1,1,1],[\"200000000000000000000000\",\"200000000000000000000000\",\"200000000000000000000000\"]]" >/dev/null
# New delegations: servers 1 and 3's new attesters are staked (in the rollup's entry queue);
# server 2's still waits in the provider's queue, not staked yet, so it has no coinbase.
for i in 1 3; do
    for_entry+=("\"$(attester "$i" 2)\"")
    rpc test_transact "[\"StakingRegistry\",\"stake\",1,\"$rollup\",\"$(attester "$i" 2)\",\"$(coinbase "$i" 2)\",\"$staker\"]" >/dev/null
done
rpc test_transact "[\"Rollup\",\"enqueue\",[$(IFS=,; echo "${for_entry[*]}")],[\"$withdrawer\",\"$withdrawer\"]]" >/dev/null
rpc test_transact "[\"StakingRegistry\",\"addAttestersToProvider\",1,[\"$late_attester\"]]" >/dev/null
for i in 1 2 3; do rpc test_sendEther "[\"$(publisher "$i")\",\"1000000000000000000\"]" >/dev/null; done
say "EVM on $evm_url (chain id $chain_id, block $((16#$(rpc eth_blockNumber '[]' | sed 's/^0x//'))))"
say "Rollup $rollup, StakingRegistry $registry"
say "staking provider 1: 3 attesters validating, 2 new ones staked (in the rollup's entry queue),"
say "1 new one, $late_attester, still in the provider's queue: no coinbase yet"

# The stand-in Aztec node the Butler asks (its rollup, its L1 chain, its validators' duties).
node_port=$(free_port)
{
    printf '{"stats": {'
    for i in 1 2 3; do
        a=$(attester "$i" 1)
        [ "$i" = 1 ] || printf ', '
        printf '"%s": {"address": "%s", "totalSlots": 40, "missedAttestations": {"count": %d, "currentStreak": 0}, "missedProposals": {"count": 0, "currentStreak": 0}}' "$a" "$a" "$((i - 1))"
    done
    printf '}}\n'
} >"$dir/butler-node-stats.json"
python3 "$fixtures/aztec-fleet/fake_node.py" --mode advancing --port "$node_port" --rollup "$rollup" --chain-id "$chain_id" \
    --validators-stats-file "$dir/butler-node-stats.json" --daemon --pidfile "$dir/aztec-node.pid"
say "stand-in Aztec node on http://127.0.0.1:$node_port (node_getNodeInfo names the Rollup above)"

# ---------------------------------------------------------------------------------------
stage "The Butler: keys files for the three servers"
metrics_port=$(free_port)
cat >"$dir/config/aztec-butler/$network-base.env" <<ENV
ETHEREUM_NODE_URL=$evm_url
ETHEREUM_ARCHIVE_NODE_URL=$evm_url
AZTEC_NODE_URL=http://127.0.0.1:$node_port
AZTEC_STAKING_PROVIDER_ID=1
METRICS_PORT=$metrics_port
ENV
export XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/xdg-data" NO_COLOR=1
butler_run() { "$butler" --network "$network" --data-dir "$data" "$@"; }
validator() { # attester coinbase-or-empty publisher-or-empty
    jq -cn --arg a "$1" --arg c "$2" --arg p "$3" --arg bls "$bls" --arg fee "$fee" \
        '{attester: {eth: $a, bls: $bls}} + (if $c == "" then {} else {coinbase: $c} end) + {feeRecipient: $fee} + (if $p == "" then {} else {publisher: $p} end)'
}
for i in 1 2 3; do
    # What server s$i runs today: one validator, with its coinbase.
    jq -n --argjson v "$(validator "$(attester "$i" 1)" "$(coinbase "$i" 1)" "$(publisher "$i")")" \
        '{schemaVersion: 1, remoteSigner: "https://signer.demo.invalid:9000", validators: [$v]}' >"$data/$network-keys-s$i-v1.json"
    # The new validator's public keys (aztec-butler process-private-keys writes this file).
    jq -n --argjson v "$(validator "$(attester "$i" 2)" "" "")" '{validators: [$v]}' >"$inputs/new-s$i.json"
    jq -n --arg s "s$i" --arg p "$(publisher "$i")" '{($s): [$p]}' >"$inputs/publishers-s$i.json"
done
say "each server's keys file in production: $network-keys-s{1,2,3}-v1.json (one validator each)"
for i in 1 2 3; do
    say "\$ aztec-butler prepare-deployment --production-keys $network-keys-s$i-v1.json --new-public-keys new-s$i.json --available-publishers publishers-s$i.json"
    show butler_run prepare-deployment --production-keys "$data/$network-keys-s$i-v1.json" \
        --new-public-keys "$inputs/new-s$i.json" --available-publishers "$inputs/publishers-s$i.json"
done
say "\$ aztec-butler scrape-coinbases --from-block 0   (StakedWithProvider events → the coinbase cache)"
show butler_run scrape-coinbases --from-block 0 --staking-registry "$registry"
newest() { find "$data" -maxdepth 1 -name "$network-keys-s$1-v*.json" -printf '%f\n' | sort -V | tail -n 1; }
fill_all() {
    local i file report
    for i in 1 2 3; do
        file=$(newest "$i")
        report=$(butler_run fill-coinbases --keys-file "$file" --increment-version --json 2>>"$logs/fill-coinbases.log") ||
            { cat "$logs/fill-coinbases.log" >&2; fail "fill-coinbases of $file"; }
        say "\$ aztec-butler fill-coinbases --keys-file $file --increment-version"
        printf '%s\n' "$report" | jq -r '(.filled[] | "filled: \(.attester) → \(.coinbase)"),
            (if .written then "written: \(.written | split("/") | last)" else "nothing to fill: no file written" end),
            (.unmapped[] | "still without a coinbase: \(.)")' | indent
    done
}
fill_all
show butler_run keys

# ---------------------------------------------------------------------------------------
stage "Three servers, installed by aztec-fleet with the keystore layout"
bash scripts/sandbox-hosts.sh up "$hosts" 3 >/dev/null
login=${SANDBOX_USER:-fleettest}
home=$(getent passwd "$login" | cut -d: -f6)
ssh_options=(-i "$hosts/id_ed25519" -o BatchMode=yes -o LogLevel=ERROR -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$dir/known_hosts_demo")
addresses=()
while IFS=, read -r _ address _ _; do addresses+=("$address"); done < <(tail -n +2 "$hosts/inventory.csv")
mkdir -p "$dir/installers"
cp "$fixtures/aztec-fleet/aztec-install.sh" "$fixtures/aztec-fleet/get-docker.sh" "$dir/installers/"
chmod 0755 "$dir/installers"
inventory="$dir/servers.csv"
echo "name,ip,user,port,server_id" >"$inventory"
for i in 1 2 3; do
    install -m 0755 "$fixtures"/aztec-fleet/shims/* "$hosts/h$i/bin/"
    state="$hosts/h$i/state"
    mkdir -p "$state"
    cp "$fixtures/aztec-fleet/fake_node.py" "$state/"
    echo "$home/systemd" >"$state/unit-dir"
    # The node container as `docker inspect` and `docker logs` show it (for sanity).
    echo "running|0|0|false|$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$state/container.state"
    cp "$fixtures/sanity/healthy-validator.jsonl" "$state/container.log"
    chown -R "$login": "$state"
    # The node: its chain advances, and its sentinel follows the attesters of its keystore.
    printf '{"stats": {"%s": {"address": "%s", "totalSlots": 3}, "%s": {"address": "%s", "totalSlots": 3}}}\n' \
        "$(attester "$i" 1)" "$(attester "$i" 1)" "$(attester "$i" 2)" "$(attester "$i" 2)" >"$hosts/h$i/validators-stats.json"
    bash scripts/sandbox-hosts.sh exec "$hosts" "$i" python3 "$fixtures/aztec-fleet/fake_node.py" --mode advancing --port 8080 \
        --validators-stats-file "$hosts/h$i/validators-stats.json" --daemon --pidfile "$hosts/h$i/node.pid"
    echo "node$i,${addresses[$((i - 1))]},$login,22,s$i" >>"$inventory"
done
connection=(--identity "$hosts/id_ed25519" --known-hosts "$dir/known_hosts_tool" --log-dir "$logs" --persist 0)
say "servers.csv (each server's Butler id in server_id):"
indent <"$inventory"
say "\$ aztec-fleet install servers.csv --keystore --keys-dir $data"
show "$fleet" install "$inventory" --keystore --keys-dir "$data" --network "$network" \
    --installer-url "file://$dir/installers/aztec-install.sh" --docker-installer-url "file://$dir/installers/get-docker.sh" \
    --l1-rpc http://l1.demo.invalid:8545 --consensus http://beacon.demo.invalid:5052 --node-wait 10 --retries 0 "${connection[@]}"
say "\$ aztec-fleet status servers.csv"
show "$fleet" status "$inventory" "${connection[@]}"

# ---------------------------------------------------------------------------------------
stage "The Butler's daemon: aztec-butler serve"
# Started directly (not through butler_run) so that $! is the daemon itself, which the exit trap stops.
"$butler" --network "$network" --data-dir "$data" serve --keys-interval 1 --attester-views-interval 1 --provider-queue-interval 1 --entry-queue-interval 1 \
    --publisher-balances-interval 5 --validator-stats-interval 5 --staking-registry "$registry" --multicall3 "$multicall" \
    >"$logs/serve.log" 2>&1 &
pids+=($!)
metrics_url="http://127.0.0.1:$metrics_port/metrics"
metrics() { curl -fsS -m 5 "$metrics_url" 2>/dev/null; }
in_state() { metrics | sed -n "s/^aztec_butler_nbrof_attesters_in_state{.*attester_state=\"$1\".*} \\([0-9]*\\)\$/\\1/p"; }
# The number of attesters_missing_coinbase series; "unknown" when the page cannot be read.
missing() {
    local page
    page=$(metrics) || { echo unknown; return; }
    printf '%s\n' "$page" | grep -c '^aztec_butler_attesters_missing_coinbase{' || true
}
# Waits until the daemon's page shows `check` (a shell line) true.
await() {
    local what=$1 check=$2
    for _ in $(seq 1 360); do eval "$check" && return 0; sleep 0.5; done
    tail -n 20 "$logs/serve.log" >&2
    fail "the Butler's daemon never showed $what"
}
# shellcheck disable=SC2016 # evaluated by await
await "the attesters' states" '[ "$(in_state ACTIVE)" = 3 ] && [ "$(in_state IN_STAKING_PROVIDER_QUEUE)" = 1 ] && [ "$(in_state ROLLUP_ENTRY_QUEUE)" = 2 ]'
show_states() {
    metrics | sed -n 's/^aztec_butler_nbrof_attesters_in_state{.*attester_state="\([A-Z_]*\)".*} \([0-9]*\)$/\1 \2/p' |
        awk '$2 > 0 { printf "%s%s %s", sep, $1, $2; sep = ", " } END { print "" }' | indent
    metrics | grep '^aztec_butler_attesters_missing_coinbase' | indent || say "| (no series: every attester has a coinbase)"
}
missing_before=$(missing)
say "$metrics_url: attester states, and attesters_missing_coinbase ($missing_before):"
show_states
if ! [[ "$missing_before" =~ ^[0-9]+$ ]] || [ "$missing_before" = 0 ]; then fail "attesters_missing_coinbase should be above 0 before the loop"; fi

# ---------------------------------------------------------------------------------------
stage "A delegation arrives on chain"
rpc test_transact "[\"StakingRegistry\",\"dripQueue\",1,1]" >/dev/null
rpc test_transact "[\"Rollup\",\"enqueue\",[\"$late_attester\"],[\"$withdrawer\"]]" >/dev/null
block=$((16#$(rpc test_transact "[\"StakingRegistry\",\"stake\",1,\"$rollup\",\"$late_attester\",\"$late_coinbase\",\"$staker\"]" | sed 's/^0x//')))
say "block $block: StakedWithProvider(provider 1, attester $late_attester,"
say "          coinbase split contract $late_coinbase)"
say "the attester left the provider's queue for the rollup's entry queue; its node (node2) does not know the coinbase yet"

# ---------------------------------------------------------------------------------------
stage "The coinbase loop: scrape-coinbases → fill-coinbases → aztec-fleet keystores"
say "\$ aztec-butler scrape-coinbases"
show butler_run scrape-coinbases --staking-registry "$registry"
fill_all
restarts() {
    local count
    count=$(grep -c '^docker compose restart' "$hosts/h$1/state/calls.log" 2>/dev/null) || true
    echo "${count:-0}"
}
before=()
for i in 1 2 3; do before+=("$(restarts "$i")"); done
keystores=("$fleet" keystores "$inventory" --keys-dir "$data" --network "$network" "${connection[@]}")
say "\$ aztec-fleet keystores servers.csv --keys-dir $data --check"
show "${keystores[@]}" --check
say "\$ aztec-fleet keystores servers.csv --keys-dir $data   (one server at a time, each behind the health gate)"
show "${keystores[@]}" --settle 0 --gate-timeout 120
after=()
for i in 1 2 3; do after+=("$(restarts "$i")"); done
say "docker compose restarts per node (the docker stand-in's record): node1 ${before[0]}→${after[0]}, node2 ${before[1]}→${after[1]}, node3 ${before[2]}→${after[2]}"
if [ "${after[0]}" != "${before[0]}" ] || [ "$((after[1] - before[1]))" != 1 ] || [ "${after[2]}" != "${before[2]}" ]; then
    fail "exactly one docker compose restart, on node2, was expected"
fi
keystore_coinbase=$(ssh "${ssh_options[@]}" "$login@${addresses[1]}" cat aztec/keystore/keystore.json |
    jq -r --arg a "$late_attester" '.validators[] | select((.attester.eth | ascii_downcase) == $a) | .coinbase // "" | ascii_downcase')
say "node2's keystore: attester $late_attester → coinbase ${keystore_coinbase:-(none)}"
[ "$keystore_coinbase" = "$late_coinbase" ] || fail "node2's keystore should give $late_attester the coinbase $late_coinbase"
show "$fleet" status "$inventory" "${connection[@]}"

# ---------------------------------------------------------------------------------------
stage "aztec-fleet proof: each node's archive sibling path at its proven block"
show "$fleet" proof "$inventory" --output "$dir/proof_results.csv" "${connection[@]}"
indent <"$dir/proof_results.csv"

# ---------------------------------------------------------------------------------------
stage "aztec-fleet sanity: the runbook's post-deployment checks"
show "$fleet" sanity "$inventory" --window 5s --report "$dir/sanity.json" "${connection[@]}"

# ---------------------------------------------------------------------------------------
stage "The Butler's daemon again"
# shellcheck disable=SC2016 # evaluated by await
await "attesters_missing_coinbase 0" '[ "$(missing)" = 0 ] && [ "$(in_state ROLLUP_ENTRY_QUEUE)" = 3 ]'
missing_after=$(missing)
say "$metrics_url: attester states, and attesters_missing_coinbase ($missing_after):"
show_states
say "the daemon's log of the attester's move:"
grep -iF "attester $late_attester " "$logs/serve.log" | grep -F ' → ' | sed 's/^aztec-butler\[[a-z]*\]: //' | indent || true

# ---------------------------------------------------------------------------------------
printf '\n== Summary\n'
say "the chain named a new coinbase for $late_attester (block $block);"
say "the Butler wrote $(newest 2), aztec-fleet pushed it to node2 only and restarted node2 alone"
say "behind the health gate; attesters_missing_coinbase went from $missing_before to $missing_after."
say "proof and sanity ran on all three nodes. No file was edited by hand. ($(($(date +%s) - started)) s)"
if [ "$once" = 1 ]; then exit 0; fi
cat <<TEXT

Everything is still running, to look around:
  the Butler's metrics   curl -s $metrics_url | grep -v '^#'
  a node's keystore      ssh ${ssh_options[*]} $login@${addresses[1]} cat aztec/keystore/keystore.json
  the keys files         ls $data
  the tools' logs        ls $logs

Press Enter or Ctrl-C to stop everything and remove $dir.
TEXT
read -r _ || true
