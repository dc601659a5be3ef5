#!/usr/bin/env bash
# Node health end to end on this machine, in one command: builds aztec-fleet if needed,
# starts sandbox hosts (scripts/sandbox-hosts.sh: sshd in network namespaces) with the
# test shims and a fake Aztec node each (odd nodes in the original toolkit's layout, even
# nodes in the compose one), runs `aztec-fleet monitoring` on them (real
# node_exporter and the collector timer), writes the monitoring server's files with
# `aztec-fleet monitoring-config`, and starts a real Prometheus and Alertmanager on those
# files, with a stand-in Telegram Bot API on loopback. Prints where to look, waits for
# Enter or Ctrl-C, then removes everything it started.
#
#   monitoring-demo.sh [--nodes N] [--dir DIR] [--once] [--bin DIR] [--no-install]
#     --nodes N      sandbox nodes (default 2)
#     --dir DIR      a new or empty work folder (default /tmp/aztec-monitoring-demo.XXXXXX); removed on exit
#     --once         check that Prometheus has every node's gauges, exit 0 or 1 without waiting
#     --bin DIR      use the aztec-fleet already built in DIR (no build)
#     --no-install   do not install missing Debian packages (scripts/setup.sh monitoring)
#
# Needs root. Traffic stays on loopback and the sandbox bridge.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

nodes=2 dir="" once=0 bin="" install=1
die() { echo "monitoring-demo: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) [ $# -ge 2 ] || die "--nodes needs a number"; nodes=$2; shift 2 ;;
        --dir) [ $# -ge 2 ] || die "--dir needs a folder"; dir=$2; shift 2 ;;
        --once) once=1; shift ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a folder"; bin=$2; shift 2 ;;
        --no-install) install=0; shift ;;
        -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
if ! [[ "$nodes" =~ ^[0-9]+$ ]] || [ "$nodes" -lt 1 ] || [ "$nodes" -gt 20 ]; then die "--nodes must be 1-20"; fi
[ "$(id -u)" = 0 ] || die "run as root: the sandbox hosts are network namespaces running sshd"

[ "$install" = 0 ] || bash scripts/setup.sh monitoring
for program in /usr/bin/prometheus /usr/bin/prometheus-alertmanager /usr/bin/prometheus-node-exporter promtool amtool curl jq python3 ssh; do
    command -v "$program" >/dev/null || die "$program is missing (bash scripts/setup.sh monitoring installs it)"
done
if [ -z "$bin" ]; then
    echo "monitoring-demo: building aztec-fleet (the first build takes a few minutes)"
    swift build --product aztec-fleet
    bin=.build/debug
fi
tool=$(cd "$bin" && pwd)/aztec-fleet
[ -x "$tool" ] || die "no aztec-fleet in $bin"

if [ -z "$dir" ]; then
    dir=$(mktemp -d /tmp/aztec-monitoring-demo.XXXXXX)
else
    # The folder is removed on exit, so it must be the demo's own.
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then die "$dir is not empty; name a new folder"; fi
    mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd)
chmod 0755 "$dir"
hosts="$dir/hosts" etc="$dir/etc" logs="$dir/logs"
mkdir -p "$logs"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    # Stops every sshd and whatever runs in the hosts' namespaces (node_exporter, the fake nodes).
    bash "$repo/scripts/sandbox-hosts.sh" down "$hosts" 2>/dev/null || true
    rm -rf -- "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "monitoring-demo: $*"; }

# 1. Sandbox hosts, each with the aztec-fleet test shims (systemctl runs units for real,
#    apt-get and ufw keep state) and a fake Aztec node on 8080 whose chain advances.
step "starting $nodes sandbox hosts"
bash scripts/sandbox-hosts.sh up "$hosts" "$nodes" >/dev/null
fixtures="$repo/Tests/ButlerKitTests/Fixtures"
login=${SANDBOX_USER:-fleettest}
home=$(getent passwd "$login" | cut -d: -f6)
ssh_options=(-i "$hosts/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=$dir/known_hosts_demo")
addresses=()
while IFS=, read -r _ address _ _; do addresses+=("$address"); done < <(tail -n +2 "$hosts/inventory.csv")
for i in $(seq 1 "$nodes"); do
    install -m 0755 "$fixtures"/aztec-fleet/shims/* "$hosts/h$i/bin/"
    state="$hosts/h$i/state"
    mkdir -p "$state"
    echo "$home/systemd" >"$state/unit-dir"
    touch "$state/ufw.enabled"
    address=${addresses[$((i - 1))]}
    if [ $((i % 2)) = 1 ]; then
        # Odd nodes: the original toolkit's layout, a start script with one key and its unit.
        touch "$state/systemd.aztec-node.service.active"
        # shellcheck disable=SC2016 # expanded on the host
        ssh "${ssh_options[@]}" "$login@$address" sh -s "$address" <<'HOST'
set -e
rm -rf original aztec systemd textfile lib
mkdir -p original/.aztec/testnet/data
printf '#!/bin/bash\naztec start --node --archiver --sequencer \\\n  --sequencer.validatorPrivateKeys 0x%s \\\n  --p2p.p2pIp %s\n' \
    "$(printf '4b%.0s' $(seq 1 32))" "$1" >original/start_aztec_node.sh
chmod 755 original/start_aztec_node.sh
printf '[Service]\nExecStart=/root/start_aztec_node.sh\n' >original/aztec-node.service
HOST
    else
        # Even nodes: aztec-fleet's compose layout, two keys, a running container (docker shim).
        touch "$state/docker.installed" "$state/systemd.docker.active" "$state/compose.running"
        echo "running|2|0|false|$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$state/container.state"
        # shellcheck disable=SC2016 # expanded on the host
        ssh "${ssh_options[@]}" "$login@$address" sh -s <<'HOST'
set -e
rm -rf original aztec systemd textfile lib
mkdir -p aztec/data
printf 'services:\n  aztec-node:\n    image: aztecprotocol/aztec:latest\n' >aztec/docker-compose.yml
key=0x$(printf '4c%.0s' $(seq 1 32))
(umask 077 && echo "VALIDATOR_PRIVATE_KEYS=$key,$key" >aztec/.env)
HOST
    fi
    chown -R "$login": "$state"
    bash scripts/sandbox-hosts.sh exec "$hosts" "$i" python3 "$fixtures/aztec-fleet/fake_node.py" \
        --mode advancing --port 8080 --daemon --pidfile "$hosts/h$i/fake_node.pid"
done
inventory="$dir/servers.csv"
{
    echo "name,ip,user"
    for i in $(seq 1 "$nodes"); do echo "node$i,${addresses[$((i - 1))]},$login"; done
} >"$inventory"
# The bridge's own address: where Prometheus, on this machine, reaches the nodes from.
monitoring_server="${addresses[0]%.*}.1"
connection=(--identity "$hosts/id_ed25519" --known-hosts "$dir/known_hosts_tool" --log-dir "$logs" --persist 0)

# 2. Node health on every node: node_exporter on the node's address, the collector timer.
step "aztec-fleet monitoring $inventory (node_exporter and the collector on every node)"
NO_COLOR=1 "$tool" monitoring "$inventory" --monitoring-server "$monitoring_server" \
    --original-home original --original-unit original/aztec-node.service --textfile-dir "$home/textfile" \
    --collector-path "$home/lib/aztec-node-metrics.sh" --unit-dir "$home/systemd" --interval 5 "${connection[@]}"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# 3. The stand-in Telegram Bot API, the monitoring server's files, Alertmanager, Prometheus.
python3 "$fixtures/monitoring/telegram_standin.py" --record "$dir/telegram.jsonl" --port-file "$dir/telegram.port" \
    >"$logs/telegram.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$dir/telegram.port" ] && break; sleep 0.1; done
[ -s "$dir/telegram.port" ] || die "the Telegram stand-in did not start; see $logs/telegram.log"
(umask 077 && echo "4242:AAF-demo_token_$RANDOM" >"$dir/telegram.token")
alertmanager_port=$(free_port) prometheus_port=$(free_port)
step "aztec-fleet monitoring-config $inventory --out $etc"
NO_COLOR=1 "$tool" monitoring-config "$inventory" --out "$etc" --telegram-token-file "$dir/telegram.token" \
    --telegram-chat -100777 --telegram-api-url "http://127.0.0.1:$(cat "$dir/telegram.port")" --butler "" \
    --alertmanager "127.0.0.1:$alertmanager_port" --scrape-interval 5 --evaluation-interval 5 --hold 10 \
    --group-wait 5 --group-interval 5
# The checks docs/monitoring.md tells an operator to run on these files.
for check in "promtool check config $etc/prometheus.yml" "amtool check-config $etc/alertmanager.yml"; do
    # shellcheck disable=SC2086 # the command line is split into words on purpose
    $check >>"$logs/checks.log" 2>&1 || { cat "$logs/checks.log" >&2; die "$check failed"; }
done
step "promtool and amtool accept the files"
/usr/bin/prometheus-alertmanager --config.file="$etc/alertmanager.yml" --storage.path="$dir/alertmanager-data" \
    --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= >"$logs/alertmanager.log" 2>&1 &
pids+=($!)
/usr/bin/prometheus --config.file="$etc/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$logs/prometheus.log" 2>&1 &
pids+=($!)
prometheus="http://127.0.0.1:$prometheus_port"

# Every node's collector gauges, as Prometheus sees them: the names of nodes whose service is up.
nodes_seen() {
    curl -fsS "$prometheus/api/v1/query" --data-urlencode 'query=aztec_node_service_up == 1' 2>/dev/null |
        jq -r '.data.result[].metric.node' 2>/dev/null | sort
}
expected=$(for i in $(seq 1 "$nodes"); do echo "node$i"; done | sort)
step "waiting for Prometheus to scrape every node's gauges"
seen=""
for _ in $(seq 1 120); do
    seen=$(nodes_seen || true)
    [ "$seen" = "$expected" ] && break
    sleep 1
done
if [ "$seen" != "$expected" ]; then
    echo "monitoring-demo: Prometheus does not see aztec_node_service_up == 1 for every node; expected: $(echo "$expected" | tr '\n' ' ')seen: $(echo "$seen" | tr '\n' ' ')" >&2
    for query in 'up{job="aztec-node"}' aztec_node_service_up; do
        echo "  $query:" >&2
        curl -fsS "$prometheus/api/v1/query" --data-urlencode "query=$query" 2>/dev/null |
            jq -r '.data.result[] | "    \(.metric.node) \(.value[1])"' >&2 || true
    done
    exit 1
fi
step "Prometheus sees aztec_node_service_up == 1 for every node: $(echo "$seen" | tr '\n' ' ')"
if [ "$once" = 1 ]; then exit 0; fi

cat <<TEXT

Node health for $nodes sandbox nodes is running:

  Prometheus     $prometheus  (targets: $prometheus/targets, alerts: $prometheus/alerts)
  a query        $prometheus/graph?g0.expr=aztec_node_latest_block&g0.tab=1
                 curl -s $prometheus/api/v1/query --data-urlencode 'query=aztec_node_service_up'
  Alertmanager   http://127.0.0.1:$alertmanager_port
  a node's raw   curl -s http://${addresses[0]}:9100/metrics | grep ^aztec_
  the files      $inventory, $etc (prometheus.yml, targets/, rules/, alertmanager.yml)
  Telegram       what the stand-in received: jq -r '.body | fromjson | .text' $dir/telegram.jsonl
                 (AztecNodeFewPeers warns at once: the fake nodes have no P2P peers)

To see a page: stop node1's service, and within a minute AztecNodeDown reaches the stand-in:
  ssh ${ssh_options[*]} $login@${addresses[0]} systemctl stop aztec-node.service
  (systemctl start aztec-node.service brings the RESOLVED message)

Press Enter or Ctrl-C to stop everything and remove $dir.
TEXT
read -r _ || true
