import FleetKit

extension NodeOperationRun {
    /// Runs `operation` on `hosts` (each with its layout) as a rollout: `policy`'s batches,
    /// each restarted node behind the Aztec health gate (ready, block advancing, and the
    /// attesters of its keystore, when it has one, in the validator stats). Returns one
    /// report per host that was given and why the rollout stopped, if it did.
    func runRolling(_ operation: NodeOperation, on hosts: [(host: RemoteHost, status: NodeStatus)],
                    policy: RolloutPolicy) async -> (reports: [String: HostReport], stopReason: String?) {
        let runner = PlaybookRunner(transport: transport, runLog: runLog, options: options, clock: clock)
        let settings = settings
        let statuses = Dictionary(hosts.map { ($0.host.name, $0.status) }, uniquingKeysWith: { first, _ in first })
        let gate = NodeHealthWatch.gate(transport: transport, rpcPort: settings.layouts.rpcPort) { host in
            Set(statuses[host.name]?.keystore?.attesters ?? [])
        }
        let reports = Locked<[String: HostReport]>([:])
        let rollout = Rollout(policy: policy, gate: options.checkMode ? nil : gate, forks: options.forks, clock: clock)
        let result = await rollout.run(hosts.map(\.host), runLog: runLog) { host in
            guard let layout = statuses[host.name]?.layout, let playbook = operation.playbook(for: layout, settings) else {
                return .failed("no Aztec node is installed here")
            }
            let report = await runner.run(playbook, on: [host])
            guard let hostReport = report.hosts.first else { return .failed("not run") }
            reports.withLock { $0[host.name] = hostReport }
            guard hostReport.status == .succeeded else { return .failed(hostReport.message ?? hostReport.status.rawValue) }
            return hostReport.counts.changed > 0 ? .done("\(operation.logStem) done", restarted: true) : .unchanged("already as asked")
        }
        var final = reports.withLock { $0 }
        var failure = StepCounts()
        failure.failed = 1
        for entry in result.hosts {
            switch entry.outcome {
            case .gateFailed:
                if var report = final[entry.host] {
                    report.status = .failed
                    report.counts.failed += 1
                    report.message = "health gate: \(entry.detail)"
                    final[entry.host] = report
                }
            case .notRun:
                let address = hosts.first { $0.host.name == entry.host }?.host.address ?? ""
                final[entry.host] = HostReport(host: entry.host, address: address, status: .stopped, message: entry.detail)
            case .failed where final[entry.host] == nil:
                let address = hosts.first { $0.host.name == entry.host }?.host.address ?? ""
                final[entry.host] = HostReport(host: entry.host, address: address, status: .failed, counts: failure, message: entry.detail)
            default:
                continue
            }
        }
        return (final, result.stopReason)
    }
}
