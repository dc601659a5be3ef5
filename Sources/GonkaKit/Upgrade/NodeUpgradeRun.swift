import FleetKit
import Foundation

/// Upgrades one or many nodes to a release tag of gonka-ai/gonka. Every node file is
/// checked first (all problems at once); then every node is read without changing anything
/// (``NodeUpgradePlan``): where its checkout stands, whether the tag exists on the
/// checkout's origin, config.env and .env against the ones rendered from the node file,
/// the images to pull and the ML node settings the admin API holds against the rendered
/// node-config.json. Any node that cannot be upgraded refuses the whole run before a single
/// change (``NodeUpgradeRefusal``). In check mode the plans and the batches are the report.
///
/// Otherwise FleetKit's ``Rollout`` takes the nodes batch by batch (one at a time unless the
/// policy says otherwise): fetch and check out the tag, write the files, pull, recreate the
/// containers, send the ML node changes through the admin API (node-config.json is read on
/// a first launch only), then the health gate: the node catches up, its height advances
/// and its validator keeps signing. A node that fails its gate stops the rollout; later
/// nodes are left untouched and the report says which.
///
/// ```swift
/// let run = NodeUpgradeRun(nodes: [first, second, third], tag: ReleaseTag("v0.2.6")!, console: console)
/// let report = try await run.run()
/// ```
public struct NodeUpgradeRun: Sendable {
    /// Each node's settings (node file, folders, connection, clock); the first node's log
    /// folder holds the run's log.
    public var nodes: [NodeRunSettings]
    /// The release tag to check out.
    public var tag: ReleaseTag
    /// Read and report only; nothing is changed and no log is written.
    public var checkMode: Bool
    /// Batch size, the gate's time and interval, failures tolerated.
    public var rollout: RolloutPolicy
    /// Where progress lines go.
    public var console: OperatorConsole
    /// How many nodes are read at the same time before the rollout.
    public var parallelism: Int

    /// One node at a time with a gate of 15 minutes looked at every 10 s, no failure tolerated.
    public static let defaultPolicy = RolloutPolicy(batchSize: .hosts(1), gateTimeout: .seconds(900), gateInterval: .seconds(10), maxFailures: 0)

    /// Creates the run.
    public init(nodes: [NodeRunSettings], tag: ReleaseTag, checkMode: Bool = false, rollout: RolloutPolicy = NodeUpgradeRun.defaultPolicy,
                console: OperatorConsole = .silent, parallelism: Int = 8) {
        self.nodes = nodes
        self.tag = tag
        self.checkMode = checkMode
        self.rollout = rollout
        self.console = console
        self.parallelism = max(1, parallelism)
    }

    /// Reads every node, then (outside check mode) rolls the upgrade out.
    ///
    /// - Throws: before any change: ``NodeFleetError`` for node files that cannot be used,
    ///   ``NodeUpgradeRefusal`` with every node that cannot be upgraded (unreachable, no
    ///   checkout, an unknown tag, local changes git would replace), or the error of a log
    ///   file that cannot be created. Once the rollout starts, failures are in the report.
    public func run() async throws -> NodeUpgradeReport {
        let configs = try NodeFleetDeployRun.load(nodes)
        let clock = nodes.first?.clock ?? SystemClock()
        var sinks = console.sinks(verbose: nodes.contains(where: \.verbose), format: .timestampLevelHost)
        if !checkMode, let first = nodes.first {
            let file = try DeployLogFile.create(in: first.logFolder, keyName: "upgrade", date: clock.now())
            sinks.append(try FileLogSink(url: file, levels: LogLevel.fileLevels(verbose: first.verbose), format: .timestampLevelHost))
        }
        let runLog = RunLog(sinks: sinks, clock: clock)
        var problems: [NodeUpgradeProblem] = []
        var prepared: [(settings: NodeRunSettings, config: NodeConfig, deployment: NodeDeployment)] = []
        for (settings, config) in zip(nodes, configs) {
            do {
                let transport = try settings.makeTransport(config)
                prepared.append((settings, config, NodeDeployment(config: config, transport: transport, runLog: runLog, localFolder: settings.workingDirectory,
                                                                 clock: clock, httpClient: settings.httpClient)))
            } catch {
                problems.append(NodeUpgradeProblem(node: config.keyName, String(describing: error)))
            }
        }
        let tag = tag
        let planned = await Concurrently.map(prepared, limit: parallelism) { node -> Result<NodeUpgradeTarget, NodeUpgradeProblem> in
            let context = HostContext(host: node.deployment.host, transport: node.deployment.transport, runLog: runLog,
                                      defaultTimeout: node.settings.commandTimeout, clock: clock)
            return await NodeUpgradeProbe.plan(node.config, tag: tag, context: context).map { plan in
                NodeUpgradeTarget(settings: node.settings, config: node.config, context: context, seedAPI: node.deployment.seedAPI, plan: plan)
            }
        }
        var targets: [NodeUpgradeTarget] = []
        for result in planned {
            switch result {
            case .success(let target): targets.append(target)
            case .failure(let problem): problems.append(problem)
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.config.keyName, $0) })
        let rolloutRun = Rollout(policy: rollout, gate: HealthGate { host in UpgradeHealthWatch(target: byName[host.name], clock: clock) }, clock: clock)
        let hosts = targets.filter { !$0.plan.isUnchanged }.map(\.context.host)
        var report = NodeUpgradeReport(tag: tag.name, checkMode: checkMode, nodes: targets.map(\.plan), batches: rolloutRun.plan(hosts),
                                       batchSize: rollout.batchSize.description, gateTimeoutSeconds: Int(rollout.gateTimeout.seconds.rounded()))
        guard problems.isEmpty, !checkMode else {
            for node in prepared { await node.deployment.transport.close() }
            if !problems.isEmpty { throw NodeUpgradeRefusal(problems: problems) }
            return report
        }
        let applied = Locked<[String: NodeUpgradeSteps.Applied]>([:])
        let policy = rollout
        runLog.info("Upgrading \(Plural.count(hosts.count, "node")) to \(tag), \(rollout.batchSize.description) at a time")
        let outcome = await rolloutRun.run(hosts, runLog: runLog) { host in
            guard let target = byName[host.name] else { return .failed("not read before the rollout") }
            return await NodeUpgradeSteps.apply(target, policy: policy, clock: clock) { done in applied.withLock { $0[host.name] = done } }
        }
        for node in prepared { await node.deployment.transport.close() }
        let done = applied.withLock { $0 }
        for index in report.nodes.indices {
            guard let node = done[report.nodes[index].keyName] else { continue }
            report.nodes[index].pulledImages = node.pulled
            report.nodes[index].mlNodesSent = node.sent
        }
        report.batches = outcome.batches
        report.rollout = outcome
        return report
    }
}
