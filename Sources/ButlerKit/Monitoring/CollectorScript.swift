import FleetKit

/// The collector: a POSIX shell script a systemd timer runs on each node. It finds the
/// node's layout as `aztec-fleet status` does, reads the node's state and writes the
/// `aztec_node_*` gauges into node_exporter's textfile folder atomically (a temporary file
/// in the same folder, then `mv`). It prints nothing and never reads a key's value: it only
/// counts keys.
public enum CollectorScript {
    /// The gauges it writes, with their help text.
    public static let gauges: [(name: String, help: String)] = [
        ("aztec_node_collector_last_run_timestamp_seconds", "When the collector last wrote these gauges (Unix seconds)."),
        ("aztec_node_layout_info", "How the node is installed (label layout: compose, original or none)."),
        ("aztec_node_service_up", "1 when the node's container or systemd service runs."),
        ("aztec_node_service_uptime_seconds", "Seconds since the node's container or service started."),
        ("aztec_node_service_restarts_total", "Restarts of the node's container or service."),
        ("aztec_node_memory_bytes", "Resident memory of the node's main process."),
        ("aztec_node_rpc_up", "1 when the node answers node_getL2Tips on its loopback RPC."),
        ("aztec_node_latest_block", "The node's newest L2 block."),
        ("aztec_node_proven_block", "The node's proven L2 block."),
        ("aztec_node_ready", "1 when the node answers node_isReady true (synced)."),
        ("aztec_node_peers", "Established TCP connections on the node's P2P port."),
        ("aztec_node_attesters", "Validator keys configured for the node (keystore, .env or start script)."),
        ("aztec_node_data_disk_used_ratio", "Share of the data folder's filesystem in use (0-1)."),
    ]

    /// The script's text for `settings`. Relative compose paths are under the working
    /// directory the service unit gives (the SSH user's home).
    public static func text(_ settings: NodeMonitoringSettings) -> String {
        let q = ShellQuote.quote
        let original = settings.layouts.original
        let compose = settings.layouts.compose
        let help = gauges.map { "# HELP \($0.name) \($0.help)\n# TYPE \($0.name) \($0.name.hasSuffix("_total") ? "counter" : "gauge")" }
        return """
            #!/bin/sh
            # Written by aztec-fleet monitoring; changes are overwritten by the next run.
            # Writes the Aztec node's gauges for node_exporter's textfile collector, atomically.
            set -u
            OUT=\(q(settings.textfileDirectory))
            RPC_PORT=\(settings.layouts.rpcPort)
            P2P_PORT=\(settings.p2pPort)
            START_SCRIPT=\(q(original.startScript))
            UNIT_FILE=\(q(original.unitFile))
            SERVICE=\(q(original.service))
            ORIGINAL_DATA=\(q(original.dataDirectory))
            COMPOSE_DIR=\(q(compose.nodeDirectory))
            KEYSTORE_DIR=\(q(compose.keystoreDirectory))
            CONTAINER=\(ComposeFile.serviceName)

            now=$(date +%s)
            layout=none up=0 uptime=0 restarts=0 pid=0 started='' data='' keys=0
            if [ -e "$START_SCRIPT" ] || [ -e "$UNIT_FILE" ]; then
              layout=original data=$ORIGINAL_DATA
              [ "$(systemctl is-active "$SERVICE" 2>/dev/null)" = active ] && up=1
              props=$(systemctl show "$SERVICE" -p NRestarts -p MainPID -p ActiveEnterTimestamp 2>/dev/null)
              restarts=$(printf '%s\\n' "$props" | sed -n 's/^NRestarts=//p')
              pid=$(printf '%s\\n' "$props" | sed -n 's/^MainPID=//p')
              started=$(printf '%s\\n' "$props" | sed -n 's/^ActiveEnterTimestamp=//p')
              keys=$(sed -n 's/.*--sequencer\\.validatorPrivateKeys*[ =]"\\{0,1\\}\\([^" \\\\]*\\).*/\\1/p' "$START_SCRIPT" 2>/dev/null | tr ',' '\\n' | grep -c .)
            elif [ -f "$COMPOSE_DIR/docker-compose.yml" ]; then
              layout=compose data=$COMPOSE_DIR/data
              state=$(docker inspect -f '{{.Name}}|{{.State.Status}}|{{.RestartCount}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.State.StartedAt}}|{{.State.Pid}}' "$CONTAINER" 2>/dev/null)
              [ "$(printf '%s' "$state" | cut -d'|' -f2)" = running ] && up=1
              restarts=$(printf '%s' "$state" | cut -d'|' -f3)
              started=$(printf '%s' "$state" | cut -d'|' -f6)
              pid=$(printf '%s' "$state" | cut -d'|' -f7)
              keys=$(sed -n 's/^VALIDATOR_PRIVATE_KEYS\\{0,1\\}=//p' "$COMPOSE_DIR/.env" 2>/dev/null | tr ',' '\\n' | grep -c .)
              for f in "$KEYSTORE_DIR"/*.json; do
                [ -f "$f" ] && keys=$((keys + $(grep -o '"attester"' "$f" | wc -l)))
              done
            fi
            case "$restarts" in ''|*[!0-9]*) restarts=0 ;; esac
            case "$pid" in ''|*[!0-9]*) pid=0 ;; esac
            case "$keys" in ''|*[!0-9]*) keys=0 ;; esac
            memory=0
            [ "$pid" -gt 0 ] && memory=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$pid/status" 2>/dev/null)
            if [ "$up" = 1 ] && [ -n "$started" ] && s=$(date -d "$started" +%s 2>/dev/null); then uptime=$((now - s)); fi

            rpc() { curl -sS -m 5 -X POST -H 'Content-Type: application/json' --data-binary "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"$1\\",\\"params\\":[]}" "http://127.0.0.1:$RPC_PORT/" 2>/dev/null; }
            rpc_up=0 latest='' proven='' ready=''
            tips=$(rpc node_getL2Tips)
            if latest=$(printf '%s' "$tips" | jq -er '.result.latest.number' 2>/dev/null) && proven=$(printf '%s' "$tips" | jq -er '.result.proven.number' 2>/dev/null); then
              rpc_up=1
              if [ "$(rpc node_isReady | jq -r '.result' 2>/dev/null)" = true ]; then ready=1; else ready=0; fi
            fi
            peers=$(ss -Htn state established "( sport = :$P2P_PORT or dport = :$P2P_PORT )" 2>/dev/null | wc -l)
            ratio=''
            if [ -n "$data" ] && [ -d "$data" ]; then
              ratio=$(df -P "$data" 2>/dev/null | awk 'NR == 2 && $2 > 0 {printf "%.4f", $3 / $2}')
            fi

            tmp=$(mktemp "$OUT/.\(NodeMonitoringSettings.gaugesFile).XXXXXX") || exit 1
            trap 'rm -f "$tmp"' EXIT
            {
            cat <<'HELP'
            \(help.joined(separator: "\n"))
            HELP
              echo "aztec_node_collector_last_run_timestamp_seconds $now"
              echo "aztec_node_layout_info{layout=\\"$layout\\"} 1"
              echo "aztec_node_service_up $up"
              echo "aztec_node_service_uptime_seconds $uptime"
              echo "aztec_node_service_restarts_total $restarts"
              echo "aztec_node_memory_bytes ${memory:-0}"
              echo "aztec_node_rpc_up $rpc_up"
              if [ "$rpc_up" = 1 ]; then
                echo "aztec_node_latest_block $latest"
                echo "aztec_node_proven_block $proven"
                echo "aztec_node_ready $ready"
              fi
              echo "aztec_node_peers $peers"
              echo "aztec_node_attesters $keys"
              [ -z "$ratio" ] || echo "aztec_node_data_disk_used_ratio $ratio"
            } >"$tmp" || exit 1
            chmod 0644 "$tmp"
            mv -f "$tmp" "$OUT/\(NodeMonitoringSettings.gaugesFile)"
            trap - EXIT

            """
    }
}
