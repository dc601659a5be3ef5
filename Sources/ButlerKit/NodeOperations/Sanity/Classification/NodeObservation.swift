import Foundation

/// Everything a sanity check learnt about one node: its log, its container and its chain,
/// or why some of it could not be learnt. The classifier turns it into findings.
public struct NodeObservation: Sendable, Codable, Equatable {
    /// The host's name (or the log file's, for a local scan).
    public var name: String
    /// The host's address, when there is one.
    public var address: String?
    /// The role the operator declared; `nil` lets the log tell.
    public var role: NodeRole?
    /// The log's summary, when the log could be read.
    public var logs: LogScanSummary?
    /// Why the log could not be read (no container, `docker logs` failed …).
    public var logProblem: String?
    /// The node's container, when the node runs in one.
    public var container: ContainerState?
    /// The node's chain over the window, when it was probed.
    public var chain: ChainProgress?
    /// Why the host could not be reached at all.
    public var unreachable: String?

    /// Creates an observation.
    public init(name: String, address: String? = nil, role: NodeRole? = nil, logs: LogScanSummary? = nil, logProblem: String? = nil,
                container: ContainerState? = nil, chain: ChainProgress? = nil, unreachable: String? = nil) {
        self.name = name
        self.address = address
        self.role = role
        self.logs = logs
        self.logProblem = logProblem
        self.container = container
        self.chain = chain
        self.unreachable = unreachable
    }
}

/// A node container as `docker inspect` describes it.
public struct ContainerState: Sendable, Codable, Equatable {
    /// The container's name.
    public var name: String
    /// `running`, `restarting`, `exited`, `paused`, `created` or `dead`.
    public var status: String
    /// How many times Docker restarted it.
    public var restartCount: Int
    /// The exit code of its last run.
    public var exitCode: Int
    /// Whether the kernel stopped its last run for lack of memory.
    public var oomKilled: Bool
    /// When its current run started, as Docker writes it.
    public var startedAt: String

    /// Creates a state.
    public init(name: String, status: String, restartCount: Int, exitCode: Int = 0, oomKilled: Bool = false, startedAt: String = "") {
        self.name = name
        self.status = status
        self.restartCount = restartCount
        self.exitCode = exitCode
        self.oomKilled = oomKilled
        self.startedAt = startedAt
    }
}
