import FleetKit
import Foundation

/// The nodes' status as Prometheus gauges, for node_exporter's textfile collector on the
/// monitoring machine: `status` run from a timer writes them, node_exporter serves them and
/// the Gonka alert rules of the monitoring bundle read them. Every sample is labelled
/// `node=<KEY_NAME>`; a reading that is unknown (the service did not answer) is left out,
/// except `gonka_node_up`, which is 0 then.
///
/// ```swift
/// let report = try await NodeStatusRun(nodes: nodes).run()
/// try NodeStatusMetrics.write(report, to: URL(fileURLWithPath: "/var/lib/prometheus/node-exporter/gonka.prom"), now: Date())
/// ```
public enum NodeStatusMetrics {
    /// The gauge families of `report`, in a fixed order, the time of the reading last.
    public static func families(_ report: NodeStatusReport, now: Date) -> [MetricFamily] {
        func gauge(_ name: String, _ help: String, _ value: (NodeStatus) -> Double?) -> MetricFamily {
            MetricFamily(name: name, help: help, samples: report.nodes.compactMap { status in
                value(status).map { MetricSample([("node", status.keyName)], value: $0) }
            })
        }
        func flag(_ value: Bool?) -> Double? { value.map { $0 ? 1 : 0 } }
        func number(_ value: Int?) -> Double? { value.map(Double.init) }
        return [
            gauge("gonka_node_up", "1 when the server answers, every service of both compose files runs and the node gives its block height", { status in
                status.reachable && status.servicesDown == [] && status.height != nil ? 1 : 0
            }),
            gauge("gonka_node_reachable", "1 when the server answered over SSH", { $0.reachable ? 1 : 0 }),
            gauge("gonka_node_services_down", "Services of both compose files that are not running", { $0.servicesDown.map { Double($0.count) } }),
            gauge("gonka_node_height", "The node's latest block height", { number($0.height) }),
            gauge("gonka_node_network_height", "The network's latest block height, from the seed node", { number($0.networkHeight) }),
            gauge("gonka_node_blocks_behind", "Blocks the node is behind the network", { status in
                guard let height = status.height, let network = status.networkHeight else { return nil }
                return Double(max(0, network - height))
            }),
            gauge("gonka_node_catching_up", "1 while the node says it is catching up", { flag($0.catchingUp) }),
            gauge("gonka_node_participant_registered", "1 when the cold account is a registered participant", { flag($0.participantRegistered) }),
            gauge("gonka_node_in_current_epoch", "1 when the participant is in the current epoch", { flag($0.inCurrentEpoch) }),
            gauge("gonka_node_jailed", "1 while the validator is jailed", { flag($0.jailed) }),
            gauge("gonka_node_missed_blocks", "Blocks the validator missed in the signing window (jailed below 50 signed of 100)", { number($0.missedBlocks) }),
            gauge("gonka_ml_node_healthy", "1 when the ML node answers its health check", { $0.reachable ? flag($0.mlNodeHealthy) : nil }),
            gauge("gonka_node_gpus", "GPUs the ML node lists", { number($0.gpusSeen) }),
            gauge("gonka_node_data_free_ratio", "Free share of the data volume (0 to 1)", { status in
                guard let free = status.diskFreeMiB, let total = status.diskTotalMiB, total > 0 else { return nil }
                return Double(free) / Double(total)
            }),
            MetricFamily(name: "gonka_status_last_run_timestamp_seconds", help: "When the status was read (Unix time)",
                         samples: [MetricSample(value: now.timeIntervalSince1970.rounded(.down))]),
        ]
    }

    /// The Prometheus text of `report`.
    public static func text(_ report: NodeStatusReport, now: Date) -> String {
        PrometheusText.render(families(report, now: now))
    }

    /// Writes the text to `file` atomically (mode 0644), so the textfile collector never
    /// reads half a file.
    ///
    /// - Throws: ``AtomicFileError`` when the file cannot be written.
    public static func write(_ report: NodeStatusReport, to file: URL, now: Date) throws {
        try AtomicFile.write(text(report, now: now), to: file, mode: 0o644)
    }
}
