import FleetKit

/// What an install does with servers the original toolkit installed: they already run a
/// node on the RPC port, so a second one is never started next to it.
public enum OriginalLayoutPolicy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Leave them out and count them as failed, saying that the choice is adopt or migrate.
    case refuse
    /// Leave them out as they are; the daily operations manage them in their own layout.
    case adopt
    /// Stop their service, move their data into the compose layout and install.
    case migrate
}

extension StagedInstall {
    /// Looks at every host: one the original toolkit installed is handled by `policy`, and
    /// one that cannot be inspected is refused (it might run a node that cannot be seen).
    /// Returns the hosts to install on and those left out, with why.
    func sortExistingNodes(_ hosts: [RemoteHost], policy: OriginalLayoutPolicy) async -> (remaining: [RemoteHost], excluded: [ExcludedHost]) {
        let layouts = settings.layouts
        var remaining = hosts
        var excluded: [ExcludedHost] = []
        let statuses = await NodeInspector(transport: transport, layouts: layouts).inspect(hosts, forks: options.forks)
        for status in statuses {
            guard let error = status.error else { continue }
            excluded.append(ExcludedHost(host: status.host, address: status.address,
                                         reason: "cannot tell whether a node is already installed: \(error)", isFailure: true))
            runLog.error("refused: cannot tell whether a node is already installed: \(error)", host: status.host)
        }
        let original = Set(statuses.filter { $0.layout == .original }.map(\.host))
        remaining.removeAll { host in statuses.contains { $0.host == host.name && $0.error != nil } }
        let found = "installed by the original toolkit (\(layouts.original.unitFile) runs \(layouts.original.startScript))"
        var migrated: Set<String> = []
        if policy == .migrate && !original.isEmpty {
            let migration = await PlaybookRunner(transport: transport, runLog: runLog, options: options, clock: clock)
                .run(LayoutMigration.playbook(layouts), on: remaining.filter { original.contains($0.name) })
            for report in migration.hosts {
                if report.status == .succeeded {
                    migrated.insert(report.host)
                } else {
                    excluded.append(ExcludedHost(host: report.host, address: report.address,
                                                 reason: "moving from the original layout failed: \(report.message ?? report.status.rawValue)",
                                                 isFailure: true))
                }
            }
        }
        for host in remaining where original.contains(host.name) && policy != .migrate {
            if policy == .adopt {
                excluded.append(ExcludedHost(host: host.name, address: host.address,
                                             reason: "\(found); adopted: kept as it is, managed by status, update, restart, set-l1, update-keys",
                                             isFailure: false))
                runLog.info("adopted: \(found); left out of the install", host: host.name)
            } else {
                excluded.append(ExcludedHost(host: host.name, address: host.address,
                                             reason: "\(found); refusing to install a second node on port \(settings.rpcPort): choose adopt to keep and manage it, or migrate to move it to compose",
                                             isFailure: true))
                runLog.error("refused: \(found); choose adopt to keep and manage it, or migrate to move it to compose", host: host.name)
            }
        }
        remaining.removeAll { original.contains($0.name) && !migrated.contains($0.name) }
        return (remaining, excluded)
    }
}
