/// How a run treats its hosts: parallelism, batches, failure limits and modes.
public struct RunOptions: Sendable {
    /// Hosts worked on at the same time.
    public var forks: Int
    /// Hosts per batch; each batch finishes before the next starts. `nil` is one batch.
    public var serial: Int?
    /// Stop starting new batches once more than this percentage of a batch failed.
    public var maxFailPercentage: Double?
    /// Stop every host (after its current step) as soon as one host fails.
    public var anyErrorsFatal: Bool
    /// Run checks only and report what would change; change nothing.
    public var checkMode: Bool
    /// Run actions even where the check says it is already so.
    public var force: Bool
    /// Limit of each command when the step gives none.
    public var defaultTimeout: Duration
    /// Evaluate a host's shell checks together in one round trip before acting. Off,
    /// every check is its own command (kept for comparison in benchmarks).
    public var batchesChecks: Bool

    /// Creates options: 20 forks, one batch, no failure limit, 10 minute commands.
    public init(
        forks: Int = 20,
        serial: Int? = nil,
        maxFailPercentage: Double? = nil,
        anyErrorsFatal: Bool = false,
        checkMode: Bool = false,
        force: Bool = false,
        defaultTimeout: Duration = .seconds(600),
        batchesChecks: Bool = true
    ) {
        self.forks = max(1, forks)
        self.serial = serial.map { max(1, $0) }
        self.maxFailPercentage = maxFailPercentage
        self.anyErrorsFatal = anyErrorsFatal
        self.checkMode = checkMode
        self.force = force
        self.defaultTimeout = defaultTimeout
        self.batchesChecks = batchesChecks
    }
}
