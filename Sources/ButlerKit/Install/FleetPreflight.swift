import FleetKit
import Foundation

/// What runs before any stage or collection: local dependencies, then a connectivity test
/// that splits the fleet into hosts to work on and hosts to report unreachable.
public enum FleetPreflight {
    /// Problems with the local tools and key files, one sentence each; empty when all is well.
    public static func localProblems(sshPath: String, identityFiles: [String]) -> [String] {
        var problems: [String] = []
        if !FileManager.default.isExecutableFile(atPath: sshPath) {
            problems.append("the ssh client \(sshPath) is missing or not executable; install openssh-client")
        }
        for file in Set(identityFiles).sorted() where !FileManager.default.isReadableFile(atPath: file) {
            problems.append("the SSH key file \(file) cannot be read; check the path and its permissions")
        }
        return problems
    }

    /// The outcome of the connectivity test.
    public struct Reachability: Sendable {
        /// Hosts that answered, in inventory order.
        public var reachable: [RemoteHost]
        /// Hosts that did not, with the reason.
        public var unreachable: [(host: RemoteHost, reason: String)]
    }

    /// Tests every host (FleetKit's ``ConnectivityCheck``) and logs each unreachable host as skipped.
    public static func connectivity(_ hosts: [RemoteHost], transport: any Transport, forks: Int, runLog: RunLog,
                                    timeout: Duration = .seconds(30)) async -> Reachability {
        runLog.info("connectivity test of \(hosts.count) hosts")
        let results = await ConnectivityCheck.run(hosts, transport: transport, forks: forks, runLog: runLog, timeout: timeout)
        var outcome = Reachability(reachable: [], unreachable: [])
        for (host, result) in zip(hosts, results) {
            if result.reachable {
                outcome.reachable.append(host)
            } else {
                let reason = result.error ?? "no answer"
                outcome.unreachable.append((host, reason))
                runLog.warn("unreachable, skipped: \(reason)", host: host.name)
            }
        }
        return outcome
    }
}
