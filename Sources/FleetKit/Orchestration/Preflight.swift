import Foundation

/// What runs before any job touches a server: local tools and key files, then a
/// connectivity test that splits the fleet into hosts to work on and hosts to report
/// unreachable. Every problem is found and reported in one go.
public struct Preflight: Sendable {
    /// The `ssh` program the transport will run.
    public var sshPath: String
    /// Other local programs the job needs (absolute paths or names looked up in `searchPath`).
    public var requiredTools: [String]
    /// Folders searched for tools given by name.
    public var searchPath: [String]
    /// Limit of the connectivity test's command on each host.
    public var timeout: Duration

    /// Creates a preflight; `searchPath` is usually the executable's `PATH`, split on `:`.
    public init(sshPath: String, requiredTools: [String] = [], searchPath: [String] = ["/usr/local/bin", "/usr/bin", "/bin"],
                timeout: Duration = .seconds(30)) {
        self.sshPath = sshPath
        self.requiredTools = requiredTools
        self.searchPath = searchPath
        self.timeout = timeout
    }

    /// Problems with local tools and with the key files `hosts` name (or `defaultIdentityFile`
    /// for hosts without one), one sentence each; empty when all is well.
    public func localProblems(hosts: [RemoteHost], defaultIdentityFile: String?) -> [String] {
        var problems: [String] = []
        if !FileManager.default.isExecutableFile(atPath: sshPath) {
            problems.append("the ssh client \(sshPath) is missing or not executable; install openssh-client")
        }
        for tool in requiredTools where resolve(tool) == nil {
            problems.append("the program '\(tool)' is not installed or not executable (looked in \(searchPath.joined(separator: ":")))")
        }
        var usersByKey: [String: [String]] = [:]
        for host in hosts {
            if let key = host.identityFile ?? defaultIdentityFile { usersByKey[key, default: []].append(host.name) }
        }
        for (file, names) in usersByKey.sorted(by: { $0.key < $1.key }) where !FileManager.default.isReadableFile(atPath: file) {
            let who = names.count == 1 ? "host \(names[0])" : "\(names.count) hosts"
            problems.append("the SSH key file \(file) (for \(who)) cannot be read; check the path and its permissions")
        }
        return problems
    }

    private func resolve(_ tool: String) -> String? { ProgramSearch.locate(tool, in: searchPath) }

    /// The outcome of a preflight.
    public struct Outcome: Sendable {
        /// Local problems; when the ssh client itself is missing, no host was contacted.
        public var localProblems: [String]
        /// Hosts that answered, in inventory order.
        public var reachable: [RemoteHost]
        /// Hosts that did not, with the reason, in inventory order.
        public var unreachable: [UnreachableHost]

        /// Whether the job can go ahead on every host.
        public var isClean: Bool { localProblems.isEmpty && unreachable.isEmpty }
    }

    /// Checks local tools and key files, then (unless the ssh client is missing) reaches
    /// every host, `forks` at a time. Unreachable hosts are logged as WARN and listed.
    public func run(_ hosts: [RemoteHost], transport: any Transport, defaultIdentityFile: String?, forks: Int,
                    runLog: RunLog) async -> Outcome {
        let local = localProblems(hosts: hosts, defaultIdentityFile: defaultIdentityFile)
        for problem in local { runLog.error("preflight: \(problem)") }
        guard FileManager.default.isExecutableFile(atPath: sshPath) else {
            return Outcome(localProblems: local, reachable: [], unreachable: [])
        }
        let reachability = await Self.connectivity(hosts, transport: transport, forks: forks, runLog: runLog, timeout: timeout)
        return Outcome(localProblems: local, reachable: reachability.reachable, unreachable: reachability.unreachable)
    }

    /// Reaches every host with ``ConnectivityCheck`` and logs each unreachable one as skipped.
    public static func connectivity(_ hosts: [RemoteHost], transport: any Transport, forks: Int, runLog: RunLog,
                                    timeout: Duration = .seconds(30)) async -> (reachable: [RemoteHost], unreachable: [UnreachableHost]) {
        runLog.info("connectivity test of \(Plural.count(hosts.count, "host"))")
        let results = await ConnectivityCheck.run(hosts, transport: transport, forks: forks, runLog: runLog, timeout: timeout)
        var reachable: [RemoteHost] = []
        var unreachable: [UnreachableHost] = []
        for (host, result) in zip(hosts, results) {
            if result.reachable {
                reachable.append(host)
            } else {
                let reason = result.error ?? "no answer"
                unreachable.append(UnreachableHost(host: host.name, address: host.address, reason: reason))
                runLog.warn("unreachable, skipped: \(reason)", host: host.name)
            }
        }
        return (reachable, unreachable)
    }
}

/// A host a job could not reach, with why.
public struct UnreachableHost: Sendable, Codable, Equatable {
    /// The host's name.
    public var host: String
    /// The host's address.
    public var address: String
    /// Why it could not be reached.
    public var reason: String

    /// Creates the record.
    public init(host: String, address: String, reason: String) {
        self.host = host
        self.address = address
        self.reason = reason
    }
}
