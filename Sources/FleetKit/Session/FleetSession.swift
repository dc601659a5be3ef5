import Foundation

/// Everything a job over a fleet needs, set up once: the hosts (read with a kit's column
/// schema), the run log with every secret of the inventory registered for masking, the
/// transport, and the run settings. A session owns its transport: ``with(_:_:)`` closes it
/// when the body ends, by returning, by throwing or by being cancelled.
///
/// ```swift
/// let settings = FleetSession.Configuration(inventory: .file(URL(fileURLWithPath: "servers.csv")),
///                                           log: .file(name: "ping", in: URL(fileURLWithPath: "logs")))
/// let results = try await FleetSession.with(settings) { session in try await session.run(ConnectivityCheck.Job()) }
/// ```
public final class FleetSession: Sendable {
    /// What a session is made of.
    public struct Configuration: Sendable {
        /// Where the hosts come from.
        public var inventory: InventorySource
        /// OpenSSH settings of the transport the session creates.
        public var ssh: OpenSSHConfiguration
        /// Parallelism, check mode, force and the default command limit.
        public var run: RunOptions
        /// Where the run log goes.
        public var log: RunLogDestination
        /// A transport to use instead of creating an ``OpenSSHTransport`` (tests pass a
        /// ``ScriptedTransport``-like fake); the session closes it all the same.
        public var transport: (any Transport)?
        /// The clock of the log, the waits and the retries.
        public var clock: any FleetClock

        /// Creates a configuration; `ssh` defaults to OpenSSH's settings with the tool's own
        /// known_hosts and control folder, `run` to 20 hosts at once.
        public init(inventory: InventorySource, ssh: OpenSSHConfiguration = OpenSSHConfiguration(), run: RunOptions = RunOptions(),
                    log: RunLogDestination = .log(.discarding), transport: (any Transport)? = nil, clock: any FleetClock = SystemClock()) {
            self.inventory = inventory
            self.ssh = ssh
            self.run = run
            self.log = log
            self.transport = transport
            self.clock = clock
        }
    }

    /// The hosts, after the limit.
    public let inventory: Inventory
    /// The inventory file's name without folders ("servers.csv").
    public let inventoryName: String
    /// The log every part of the job writes to; it masks every secret of the inventory.
    public let runLog: RunLog
    /// The log file, when the session writes one.
    public let logFile: URL?
    /// The levels the log file records, for jobs that write further log files beside it.
    public let logFileLevels: Set<LogLevel>
    /// Commands reach the hosts through this transport.
    public let transport: any Transport
    /// Parallelism, check mode, force and the default command limit.
    public let options: RunOptions
    /// The OpenSSH settings (user, port and key for rows without them, the ssh program).
    public let ssh: OpenSSHConfiguration
    /// The clock of the log, the waits and the retries.
    public let clock: any FleetClock

    private init(configuration: Configuration) throws {
        inventory = try configuration.inventory.load()
        inventoryName = configuration.inventory.fileName
        (runLog, logFile) = try configuration.log.open(clock: configuration.clock)
        logFileLevels = configuration.log.fileLevels
        runLog.addSecrets(inventory.secretValues)
        transport = try configuration.transport ?? OpenSSHTransport(configuration: configuration.ssh, clock: configuration.clock, log: runLog)
        options = configuration.run
        ssh = configuration.ssh
        clock = configuration.clock
    }

    /// Opens a session, runs `body` with it and closes it, whatever way `body` ends.
    ///
    /// Closing ends the SSH master connections unless the configuration keeps them
    /// (``OpenSSHConfiguration/controlPersist`` above zero: the next run then reuses them).
    ///
    /// - Throws: ``InventoryError`` for a bad inventory (every bad row at once), a
    ///   ``TransportError`` when the transport cannot be created, an error when the log
    ///   file cannot be opened, and whatever `body` throws.
    public static func with<Result: Sendable>(_ configuration: Configuration,
                                              _ body: (FleetSession) async throws -> Result) async throws -> Result {
        let session = try FleetSession(configuration: configuration)
        do {
            let result = try await body(session)
            await session.close()
            return result
        } catch {
            await session.close()
            throw error
        }
    }

    /// Runs `job` over this session's hosts.
    ///
    /// When the calling task is cancelled during the job, the log gets one `interrupted:`
    /// line saying what was done, stopped in flight and not started (for reports that are
    /// ``ProgressReporting``).
    public func run<Job: FleetJob>(_ job: Job) async throws -> Job.Report {
        do {
            let report = try await job.run(in: self)
            if Task.isCancelled {
                let progress = (report as? any ProgressReporting)?.progressLines() ?? ["the job was cancelled"]
                runLog.error("interrupted: " + progress.joined(separator: "; "))
            }
            return report
        } catch {
            if Task.isCancelled { runLog.error("interrupted: the job was cancelled: \(error)") }
            throw error
        }
    }

    /// Checks this machine (the ssh program, `requiredTools`, the hosts' key files), then
    /// reaches every host (the inventory's, or `hosts` when a job regrouped them), `forks`
    /// at a time, logging each unreachable one.
    ///
    /// - Throws: ``PreflightFailure`` when something on this machine is wrong: no server
    ///   has been changed then.
    public func preflight(of hosts: [RemoteHost]? = nil, requiredTools: [String] = [],
                          timeout: Duration = .seconds(30)) async throws(PreflightFailure) -> Preflight.Outcome {
        let outcome = await Preflight(sshPath: ssh.sshPath, requiredTools: requiredTools, timeout: timeout)
            .run(hosts ?? inventory.hosts, transport: transport, defaultIdentityFile: ssh.defaultIdentityFile, forks: options.forks, runLog: runLog)
        guard outcome.localProblems.isEmpty else { throw PreflightFailure(problems: outcome.localProblems) }
        return outcome
    }

    /// Problems with this machine that stop a job before it starts (no host contacted):
    /// the ssh program and the hosts' key files.
    ///
    /// - Throws: ``PreflightFailure`` listing them.
    public func checkLocalPrerequisites() throws(PreflightFailure) {
        let problems = Preflight(sshPath: ssh.sshPath).localProblems(hosts: inventory.hosts, defaultIdentityFile: ssh.defaultIdentityFile)
        guard problems.isEmpty else { throw PreflightFailure(problems: problems) }
    }

    /// `text` with every secret the session knows masked, for output the caller prints.
    public func redact(_ text: String) -> String { runLog.redactor.redact(text) }

    /// Ends the transport's connections unless they are meant to persist.
    func close() async {
        if ssh.controlPersist == .zero { await transport.close() }
    }
}

/// A job over a fleet: a value configured up front, run once in a session, returning a
/// report value (never printing, never exiting).
public protocol FleetJob: Sendable {
    /// What the job returns: a value the caller renders as text or JSON.
    associatedtype Report: Sendable
    /// Runs the job over the session's hosts.
    func run(in session: FleetSession) async throws -> Report
}

/// Something on this machine keeps a job from starting; no server was changed.
public struct PreflightFailure: Error, Sendable, CustomStringConvertible {
    /// One sentence per problem.
    public var problems: [String]

    /// Creates the failure.
    public init(problems: [String]) { self.problems = problems }

    /// The problems, one per line, and that no server was changed.
    public var description: String {
        "the preflight found \(Plural.count(problems.count, "problem")) on this machine; no server was changed:\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }

    /// One line for a console whose run log already showed each problem.
    public var summaryAfterLoggedProblems: String {
        "the preflight found \(Plural.count(problems.count, "problem")) on this machine (listed above); no server was changed"
    }
}
