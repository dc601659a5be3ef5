/// The alert rules about Gonka nodes, written beside the Aztec rules by the monitoring files.
/// They read the gauges `gonka-deploy status --prometheus FILE` writes for node_exporter's
/// textfile collector (`gonka_node_*`, labelled `node=<KEY_NAME>`), scraped by the job
/// ``job`` only, so the same gauges seen through another job never alert twice. The
/// thresholds are those `status` itself reports against: 20 blocks behind, 25 missed blocks
/// of the last 100 (jailed below 50 signed), 10 % free on the data volume.
public enum GonkaNodeAlertRules {
    /// The job that scrapes the node_exporter serving the status gauges.
    public static let job = "gonka-status"
    /// Alert names that page under ``PagingPolicy/standard``: the node down, the validator jailed.
    public static let pagingAlerts = ["GonkaNodeDown", "GonkaNodeJailed"]

    /// Every Gonka rule.
    public static func rules() -> [NodeAlertRule] {
        let selector = "{job=\"\(job)\"}"
        return [
            NodeAlertRule(
                name: "GonkaNodeDown", expression: "gonka_node_up\(selector) == 0", holdSeconds: 600,
                summary: "Gonka node {{ $labels.node }} is down",
                description: "gonka-deploy status has found the Gonka node {{ $labels.node }} down for 10 minutes: its server does not answer over SSH, a service of its compose files is not running, or the node gives no block height. Run gonka-deploy status on its node file for the reason."),
            NodeAlertRule(
                name: "GonkaNodeJailed", expression: "gonka_node_jailed\(selector) == 1", holdSeconds: 0,
                summary: "Gonka validator {{ $labels.node }} is jailed",
                description: "The validator of the Gonka node {{ $labels.node }} is jailed: it signed fewer than 50 of the last 100 blocks and earns nothing until unjailed. Bring the node back in sync (gonka-deploy status, fix-sync), then unjail it."),
            NodeAlertRule(
                name: "GonkaNodeMissingBlocks",
                expression: "gonka_node_missed_blocks\(selector) >= 25 unless on(job, instance, node) gonka_node_jailed\(selector) == 1", holdSeconds: 600,
                summary: "Gonka validator {{ $labels.node }} missed {{ $value }} blocks",
                description: "The validator of the Gonka node {{ $labels.node }} missed {{ $value }} of the last 100 blocks; below 50 signed it is jailed. Check the node's sync and its tmkms signer."),
            NodeAlertRule(
                name: "GonkaNodeLagging", expression: "gonka_node_blocks_behind\(selector) > 20", holdSeconds: 900,
                summary: "Gonka node {{ $labels.node }} is {{ $value }} blocks behind",
                description: "The Gonka node {{ $labels.node }} has been more than 20 blocks behind the network for 15 minutes: it is not catching up. Check its peers and log; a state sync stuck at one chunk is fixed by gonka-deploy fix-sync."),
            NodeAlertRule(
                name: "GonkaNodeStillCatchingUp", expression: "gonka_node_catching_up\(selector) == 1", holdSeconds: 3600,
                summary: "Gonka node {{ $labels.node }} has been catching up for an hour",
                description: "The Gonka node {{ $labels.node }} has said it is catching up for an hour. Follow the state-sync chunk in gonka-deploy status; if it stays at one chunk, run gonka-deploy fix-sync."),
            NodeAlertRule(
                name: "GonkaMLNodeUnhealthy", expression: "gonka_ml_node_healthy\(selector) == 0", holdSeconds: 600,
                summary: "ML node of {{ $labels.node }} is unhealthy",
                description: "The ML node of the Gonka node {{ $labels.node }} has not answered its health check for 10 minutes: inferences and proof of work fail. Read its container's log and check the GPUs (nvidia-smi)."),
            NodeAlertRule(
                name: "GonkaMLNodeNoGPU", expression: "gonka_node_gpus\(selector) == 0", holdSeconds: 600,
                summary: "ML node of {{ $labels.node }} sees no GPU",
                description: "The ML node of the Gonka node {{ $labels.node }} lists no GPU: the driver or the container runtime lost them. Check nvidia-smi on the server and restart the ML node."),
            NodeAlertRule(
                name: "GonkaNodeDiskLow", expression: "gonka_node_data_free_ratio\(selector) < 0.1", holdSeconds: 600,
                summary: "Data volume of {{ $labels.node }} has {{ $value | humanizePercentage }} free",
                description: "The data volume of the Gonka node {{ $labels.node }} has less than 10 % free. Free space (pruning) or grow the volume before the node stops."),
            NodeAlertRule(
                name: "GonkaStatusStale",
                expression: "time() - gonka_status_last_run_timestamp_seconds\(selector) > 900 or up\(selector) == 0", holdSeconds: 300,
                summary: "Gonka status gauges on {{ $labels.instance }} are stale",
                description: "The gonka_node_* gauges served by {{ $labels.instance }} are more than 15 minutes old, or node_exporter there cannot be scraped: the Gonka alerts cannot see the nodes. Check the timer (systemctl status gonka-status.timer) and its last run (journalctl -u gonka-status)."),
        ]
    }

    /// The rules file (`groups:` with one group), each rule's `severity` from `policy`.
    public static func yaml(policy: PagingPolicy) -> String {
        NodeAlertRules.yaml(rules(), policy: policy, group: "gonka-nodes",
                            about: "Alerts about the Gonka nodes, from the gauges of gonka-deploy status --prometheus (gonka_*).")
    }
}
