import FleetKit
import Foundation

/// Puts each server's newest Butler keys file into its node's keystore (`aztec-fleet
/// keystores`): everything is checked first and nothing is touched when anything is
/// refused; then, batch by batch, each file that differs is uploaded (0600, atomically, the
/// previous one kept as a backup), only those nodes are restarted, and each must pass the
/// health gate before the next batch starts.
public struct KeystorePush: FleetJob {
    /// The Butler's data folder and network.
    public var source: ButlerKeysFolder
    /// Where the nodes keep their files, and the RPC port.
    public var layouts: NodeLayouts
    /// Refuse when a server has no keys file.
    public var requiresEveryServer: Bool
    /// Batches, gate time and failures allowed.
    public var rollout: RolloutPolicy
    /// Pause after a restart before the container must be running.
    public var settle: Duration

    /// Creates the push.
    public init(source: ButlerKeysFolder, layouts: NodeLayouts = NodeLayouts(), requiresEveryServer: Bool = false,
                rollout: RolloutPolicy = RolloutPolicy(), settle: Duration = .seconds(5)) {
        self.source = source
        self.layouts = layouts
        self.requiresEveryServer = requiresEveryServer
        self.rollout = rollout
        self.settle = settle
    }

    /// Checks, then (outside check mode) pushes and restarts.
    ///
    /// - Throws: ``KeystoreRefusal`` with every reason, before any server is changed;
    ///   ``PreflightFailure`` when this machine lacks something.
    public func run(in session: FleetSession) async throws -> KeystorePushReport {
        let hosts = session.inventory.hosts
        let catalog = try KeystoreCatalog.load(source, servers: hosts.map(KeystoreServerID.of), requiresEveryServer: requiresEveryServer)
        for warning in catalog.warnings { session.runLog.warn(warning) }
        let preflight = try await session.preflight()
        let statuses = await NodeInspector(transport: session.transport, layouts: layouts).inspect(preflight.reachable, forks: session.options.forks)
        var reasons: [String] = []
        var changes: [KeystoreChange] = []
        for (host, status) in zip(preflight.reachable, statuses) {
            let serverId = KeystoreServerID.of(host)
            if let error = status.error { reasons.append("\(host.name): cannot inspect the node: \(error)"); continue }
            guard status.layout == .compose, status.keyForm == .keystore else {
                if catalog.files[serverId] != nil {
                    reasons.append("\(host.name): the node does not use a keystore (\(status.layout?.rawValue ?? "unknown") layout\(status.keyForm.map { ", keys in the \($0.rawValue)" } ?? "")); install it in the keystore form first (with the migration for a node that has keys)")
                }
                continue
            }
            let keystore = status.keystore
            for other in keystore?.otherFiles ?? [] {
                reasons.append("\(host.name): \(layouts.compose.keystoreDirectory)/\(other) is in the keystore folder; the node loads every .json there and a file that is not a keystore (such as a *_staker_output.json) stops it: move it out")
            }
            if keystore?.isNotAnObject == true { reasons.append("\(host.name): \(layouts.compose.keystoreFile) is not a keystore object; the node cannot start with it") }
            guard let file = catalog.files[serverId], let keys = catalog.keysFiles[serverId] else {
                changes.append(KeystoreChange(host: host.name, serverId: serverId, file: nil, nodeVersion: keystore?.version, differs: false,
                                              attestersAdded: [], attestersRemoved: [], coinbases: [], publishers: []))
                continue
            }
            changes.append(KeystoreChange.compare(host: host.name, serverId: serverId, fileName: file.name, file: keys, node: keystore,
                                                  differs: keystore?.digest != file.digest))
        }
        guard reasons.isEmpty else { throw KeystoreRefusal(reasons: reasons) }
        let highAvailability = HighAvailabilitySigningCheck.findings(
            attesters: catalog.highAvailability,
            nodes: zip(preflight.reachable, statuses).map { .init(host: $0.name, serverId: KeystoreServerID.of($0), keystore: $1.keystore) })
        for finding in highAvailability { session.runLog.warn(finding) }
        let toPush = preflight.reachable.filter { host in changes.contains { $0.host == host.name && $0.differs } }
        let rolloutRun = Rollout(policy: rollout, gate: NodeHealthWatch.gate(transport: session.transport, rpcPort: layouts.rpcPort) { host in
            Set(catalog.keysFiles[KeystoreServerID.of(host)]?.validators.map(\.attester.eth.lowercased) ?? [])
        }, forks: session.options.forks, clock: session.clock)
        let unreachable = preflight.unreachable.map(\.host)
        if session.options.checkMode {
            return KeystorePushReport(checkMode: true, changes: changes, batches: rolloutRun.plan(toPush), rollout: nil, unreachable: unreachable,
                                      highAvailabilityFindings: highAvailability)
        }
        let compose = layouts.compose
        let transport = session.transport
        let settleSeconds = max(0, Int(settle.seconds.rounded(.up)))
        let report = await rolloutRun.run(toPush, runLog: session.runLog) { host in
            guard let file = catalog.files[KeystoreServerID.of(host)] else { return .unchanged("no keys file") }
            let q = RemoteShell.q
            let upload = "sh -c \(q(KeystoreUpload.script(compose))) sh \(q(TerminalText.escaped(file.name)))"
            let restart = "cd \(q(compose.nodeDirectory)) && \(Privilege.asRoot) docker compose restart && sleep \(settleSeconds) && \(Privilege.asRoot) docker compose ps --status running --quiet | grep -q ."
            do {
                let uploaded = try await transport.run(RemoteCommand(upload, standardInput: file.contents), on: host)
                guard uploaded.succeeded else { return .failed("cannot write \(compose.keystoreFile): \(uploaded.tail(lines: 2))") }
                let restarted = try await transport.run(RemoteCommand(restart), on: host)
                guard restarted.succeeded else { return .failed("\(file.name) written, but the node did not restart: \(restarted.tail(lines: 2))") }
                return .done("\(file.name) written, node restarted", restarted: true)
            } catch {
                return .failed(String(describing: error))
            }
        }
        return KeystorePushReport(checkMode: false, changes: changes, batches: report.batches, rollout: report, unreachable: unreachable,
                                  highAvailabilityFindings: highAvailability)
    }
}

/// What a keystore push found and did.
public struct KeystorePushReport: Sendable, Codable, Equatable {
    /// Whether nothing was changed (check mode).
    public var checkMode: Bool
    /// Per server, what the push changes (or would change).
    public var changes: [KeystoreChange]
    /// The batches of servers whose keystore changes.
    public var batches: [[String]]
    /// What the rollout did; `nil` in check mode.
    public var rollout: RolloutReport?
    /// Servers the preflight could not reach, left out.
    public var unreachable: [String]
    /// Gaps in the high-availability signing setup of nodes that share an attester (Aztec's
    /// guide: one shared slashing-protection database, a node id each), one sentence each;
    /// warnings, since the push itself does not change them.
    public var highAvailabilityFindings: [String]

    /// Whether every changed server was pushed and passed its gate, and every server was reached.
    public var succeeded: Bool { unreachable.isEmpty && (rollout?.succeeded ?? true) }

    /// The servers whose node was restarted.
    public var restarted: [String] { rollout?.hosts.filter { $0.outcome == .done }.map(\.host) ?? [] }

    /// The report for people: the changes, the batches, then the rollout's recap.
    public var lines: [String] {
        var lines = changes.flatMap(\.lines)
        if batches.isEmpty {
            lines.append("no keystore to change")
        } else {
            lines.append(checkMode ? "batches (check mode: nothing was changed):" : "batches:")
            lines += (rollout ?? RolloutReport(batchSize: "", batches: batches, hosts: [])).planLines.map { "  " + $0 }
        }
        if let rollout { lines += rollout.recapLines }
        lines += unreachable.map { TerminalText.escaped("\($0): unreachable, left out") }
        lines += highAvailabilityFindings.map { "warning: " + $0 }
        return lines
    }
}
