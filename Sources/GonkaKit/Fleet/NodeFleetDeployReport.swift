import FleetKit
import Foundation

/// What a run of several nodes (``NodeFleetDeployRun``) did: one entry per node file, in the
/// order given, and whether the operator declined.
public struct NodeFleetDeployReport: Sendable {
    /// How one node's run went.
    public enum Outcome: Sendable {
        /// Not run yet (the operator declined, or the run ended first).
        case pending
        /// The node's run could not start (its log or connection could not be set up); why.
        case notStarted(String)
        /// The node's run, as a run of one node reports it.
        case ran(DeployRunReport)
    }

    /// One node of the run.
    public struct Node: Sendable {
        /// The node file as the operator named it.
        public var nodeFile: String
        /// The node's `KEY_NAME`.
        public var keyName: String
        /// `SSH_USER@SERVER_IP`.
        public var server: String
        /// How its run went.
        public var outcome: Outcome = .pending

        init(settings: NodeRunSettings, config: NodeConfig) {
            nodeFile = settings.nodeFileName
            keyName = config.keyName
            server = "\(config.sshUser)@\(config.serverAddress.urlHost)"
        }

        mutating func apply(_ outcome: Outcome) { self.outcome = outcome }

        /// Whether this node's run failed or could not start.
        public var failed: Bool {
            switch outcome {
            case .pending: false
            case .notStarted: true
            case .ran(let report): report.failed
            }
        }

        /// How it ended, in a few words: `finished`, `failed in phase 5: …`, `refused: …` (the GPU check), `not started: …`.
        public var ending: String {
            switch outcome {
            case .pending: return "not run"
            case .notStarted(let why): return "not started: \(why)"
            case .ran(let report):
                switch report.outcome {
                case .finished: return "finished"
                case .declined: return "declined"
                case .interrupted: return "interrupted"
                case .failed:
                    if report.phases == nil, report.gpu?.stopsDeployment == true { return "refused: the server's GPUs cannot run its configuration" }
                    return "failed" + (report.phases?.failure.map { " in \($0.description)" } ?? ": the connection failed")
                }
            }
        }
    }

    /// The nodes, in the order of the node files.
    public var nodes: [Node]
    /// The operator did not confirm; no node was touched.
    public var declined = false

    /// Whether any node failed (a declined run did not).
    public var failed: Bool { nodes.contains(where: \.failed) }

    /// The recap: a rule, one row per node (name, server, how it ended, steps changed,
    /// warnings, log file), and the count of nodes that failed.
    public var recapLines: [String] {
        let rule = String(repeating: "=", count: 40)
        let rows = nodes.map { node -> [String] in
            let ending = TerminalText.escaped(node.ending)
            guard case .ran(let report) = node.outcome else { return [node.keyName, node.server, ending, "", "", ""] }
            return [node.keyName, node.server, ending, "\(report.phases?.changedSteps ?? 0)",
                    "\(report.phases?.warnings.count ?? 0)", report.logFile.path]
        }
        let table = TextTable.render(headers: ["NODE", "SERVER", "OUTCOME", "CHANGED", "WARNINGS", "LOG"], rows: rows)
        let failures = nodes.filter(\.failed).count
        let picks = nodes.compactMap { node -> String? in
            guard case .ran(let report) = node.outcome, let gpu = report.gpu, gpu.profileWasOpen else { return nil }
            return "\(node.keyName): NODE_CONFIG_PROFILE=auto: \(gpu.shownProfile)"
        }
        return ["", rule, "     RECAP: \(Plural.count(nodes.count, "node"))", rule]
            + table.split(separator: "\n").map(String.init) + picks
            + [failures == 0 ? "All \(Plural.count(nodes.count, "node")) finished." : "\(failures) of \(Plural.count(nodes.count, "node")) failed; see their logs."]
    }
}

/// The one parameter table of a run of several nodes, shown before its one question.
enum NodeFleetTable {
    /// The table's text: one row per node, the password only as its length.
    static func text(_ configs: [NodeConfig], nodes: [NodeRunSettings]) -> String {
        let rule = String(repeating: "=", count: 40)
        let rows = zip(nodes, configs).map { node, config in
            [node.nodeFileName, config.keyName, "\(config.sshUser)@\(config.serverAddress.urlHost)" + (config.sshPort == 22 ? "" : ":\(config.sshPort)"),
             config.profileIsOpen ? NodeProfileChoice.openValue : config.profile.rawValue, config.modelName, "\(config.keyringPassword.revealed.count) chars", config.volumeDevice,
             config.gonkaPath, config.seedAPIURL]
        }
        let table = TextTable.render(headers: ["NODE FILE", "KEY NAME", "SERVER", "PROFILE", "MODEL", "PASSWORD", "VOLUME", "GONKA PATH", "SEED API"],
                                     rows: rows)
        return [rule, "     GONKA NODE DEPLOYMENT: \(Plural.count(nodes.count, "node"))", rule, ""].joined(separator: "\n") + "\n" + table + "\n"
    }
}
