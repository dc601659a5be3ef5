import FleetKit
import Foundation

/// Several nodes deployed in one run: every node file checked first (all problems of all
/// files at once, and names two files share), one table of the nodes' parameters, one
/// go-ahead, then each node's ``DeployRun`` in parallel (at most ``parallelism`` at a
/// time), each with its own connection, log and `nodes/<KEY_NAME>/` folder as a run of
/// one node has. A node that fails does not stop the others; the report (and the recap
/// shown at the end) says how each one ended. Console lines of a node start with its
/// `KEY_NAME`, so lines of nodes running side by side can be told apart.
///
/// ```swift
/// let run = NodeFleetDeployRun(nodes: [first, second, third], console: console, checkMode: true)
/// let report = try await run.run()
/// ```
public struct NodeFleetDeployRun: Sendable {
    /// The question asked once for every node.
    public static func prompt(nodes: Int) -> String { "Do you want to proceed with deployment of these \(nodes) nodes? (yes/no): " }

    /// Each node's settings (its node file, folders, connection); their consoles are
    /// replaced by ``console`` with the node's name in front of each line.
    public var nodes: [NodeRunSettings]
    /// Where the table, the question, the nodes' lines and the recap go.
    public var console: OperatorConsole
    /// The phases to carry out on every node.
    public var selection: DeployPhaseSelection
    /// Run the checks only; nothing needs confirming.
    public var checkMode: Bool
    /// The caller has confirmed the deployment (and a chain-data reset) in advance.
    public var confirmedInAdvance: Bool
    /// Phase 5 deletes each node's chain data and syncs anew; confirmed once for all nodes.
    public var resetChainData: Bool
    /// How the caller names its choices in the lines the runs show.
    public var labels: DeployChoiceLabels
    /// How many nodes are deployed at the same time.
    public var parallelism: Int
    /// Deploy every node even when its server's GPUs cannot run its configuration (``DeployRun/ignoreGPUCheck``).
    public var ignoreGPUCheck: Bool

    /// Creates the run; every phase, confirmed on the console, four nodes at a time, GPUs
    /// that cannot run a node's configuration stopping that node.
    public init(nodes: [NodeRunSettings], console: OperatorConsole, selection: DeployPhaseSelection = .all, checkMode: Bool = false,
                confirmedInAdvance: Bool = false, resetChainData: Bool = false, labels: DeployChoiceLabels = DeployChoiceLabels(),
                parallelism: Int = 4, ignoreGPUCheck: Bool = false) {
        self.ignoreGPUCheck = ignoreGPUCheck
        self.nodes = nodes
        self.console = console
        self.selection = selection
        self.checkMode = checkMode
        self.confirmedInAdvance = confirmedInAdvance
        self.resetChainData = resetChainData
        self.labels = labels
        self.parallelism = max(1, parallelism)
    }

    /// Checks every node file, shows the table, gets the go-ahead once and deploys.
    ///
    /// - Throws: before anything starts: ``NodeFleetError`` (every problem of every node
    ///   file) or ``DeployConfirmationError`` (nothing to confirm on). Once the nodes run,
    ///   each one's failure is in the report.
    public func run() async throws -> NodeFleetDeployReport {
        let configs = try Self.load(nodes)
        let advance = confirmedInAdvance ? labels.advanceConfirmation : nil
        let confirmation = try DeployConfirmation.decide(checkMode: checkMode, autoConfirm: configs.allSatisfy(\.autoConfirm),
                                                         advanceConfirmation: advance, inputIsTerminal: console.canAsk)
        let reset = try DeployConfirmation.decideReset(resetChainData: resetChainData, checkMode: checkMode, advanceConfirmation: advance,
                                                       inputIsTerminal: console.canAsk)
        console.writeOutput(NodeFleetTable.text(configs, nodes: nodes))
        var report = NodeFleetDeployReport(nodes: zip(nodes, configs).map { NodeFleetDeployReport.Node(settings: $0, config: $1) })
        switch confirmation {
        case .notNeeded: break
        case .automatic(let reason): console.writeOutput("Please verify all parameters above.\n\(reason), skipping confirmation prompt\n")
        case .ask:
            guard console.confirms("Please verify all parameters above.\n" + Self.prompt(nodes: nodes.count)) else {
                report.declined = true
                return report
            }
        }
        if reset == .ask, !console.confirms("\(labels.chainDataReset) deletes the chain data of all \(nodes.count) nodes. Delete it? (yes/no): ") {
            report.declined = true
            return report
        }
        let go = "confirmed for all \(nodes.count) nodes"
        let fleetConfirmation = DeployRun.FleetConfirmation(deployment: confirmation == .notNeeded ? .notNeeded : .automatic(reason: go),
                                                            reset: reset == nil ? nil : .automatic(reason: go))
        let outcomes = await deployAll(fleetConfirmation)
        for (index, outcome) in outcomes { report.nodes[index].apply(outcome) }
        console.writeOutput(report.recapLines.joined(separator: "\n") + "\n")
        return report
    }

    /// Every node file read and checked; the problems of all files and the names two files share at once.
    static func load(_ nodes: [NodeRunSettings]) throws(NodeFleetError) -> [NodeConfig] {
        var configs: [NodeConfig] = [], problems: [String] = []
        for node in nodes {
            do {
                configs.append(try node.loadNodeConfig())
            } catch {
                problems.append(error.description)
            }
        }
        guard problems.isEmpty else { throw NodeFleetError(problems: problems) }
        var keyNames: [String: String] = [:], servers: [String: String] = [:], folders: [String: String] = [:]
        for (node, config) in zip(nodes, configs) {
            let folder = (node.localFolder ?? NodeFiles.defaultFolder(nodeFile: node.nodeFile, keyName: config.keyName)).standardizedFileURL.path
            let server = "\(config.serverAddress.text) port \(config.sshPort)"
            if let other = keyNames[config.keyName] {
                problems.append("\(node.nodeFileName): KEY_NAME \(config.keyName) is also the KEY_NAME of \(other); each node needs its own log and folder")
            } else if let other = folders[folder] {
                problems.append("\(node.nodeFileName): its folder \(folder) is also the folder of \(other)")
            }
            if let other = servers[server] {
                problems.append("\(node.nodeFileName): server \(server) is also the server of \(other); one server runs one node")
            }
            keyNames[config.keyName] = keyNames[config.keyName] ?? node.nodeFileName
            servers[server] = servers[server] ?? node.nodeFileName
            folders[folder] = folders[folder] ?? node.nodeFileName
        }
        guard problems.isEmpty else { throw NodeFleetError(problems: problems) }
        return configs
    }

    /// Each node's run, at most ``parallelism`` at a time; outcomes by node index.
    private func deployAll(_ confirmation: DeployRun.FleetConfirmation) async -> [(Int, NodeFleetDeployReport.Outcome)] {
        let permits = AsyncSemaphore(limit: parallelism)
        return await withTaskGroup(of: (Int, NodeFleetDeployReport.Outcome).self) { group in
            for (index, node) in nodes.enumerated() {
                var settings = node
                group.addTask {
                    guard let permit = await permits.acquire() else { return (index, .notStarted("cancelled before it started")) }
                    defer { permit.release() }
                    let name = (try? settings.loadNodeConfig().keyName) ?? settings.nodeFileName
                    settings.console = console.prefixed(name)
                    var run = DeployRun(settings: settings, selection: selection, checkMode: checkMode, confirmedInAdvance: false,
                                        resetChainData: resetChainData, grant: .printCommand, labels: labels, ignoreGPUCheck: ignoreGPUCheck)
                    run.fleetConfirmation = confirmation
                    do {
                        return (index, .ran(try await run.run()))
                    } catch {
                        console.writeError("\(name): [ERROR] \(TerminalText.escaped(String(describing: error)))\n")
                        return (index, .notStarted(String(describing: error)))
                    }
                }
            }
            var outcomes: [(Int, NodeFleetDeployReport.Outcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }
        }
    }
}

extension OperatorConsole {
    /// The same console with `name: ` in front of every line, and no way to ask.
    func prefixed(_ name: String) -> OperatorConsole {
        let output = writeOutput, error = writeError
        @Sendable func prefix(_ text: String) -> String {
            var lines = text.components(separatedBy: "\n")
            let endsInNewline = lines.last == ""
            if endsInNewline { lines.removeLast() }
            return lines.map { "\(name): \($0)" }.joined(separator: "\n") + (endsInNewline ? "\n" : "")
        }
        return OperatorConsole(writeOutput: { output(prefix($0)) }, writeError: { error(prefix($0)) }, readAnswer: nil, colored: colored)
    }
}
