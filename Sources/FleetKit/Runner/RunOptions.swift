/// How a run treats its hosts: parallelism, batches, failure limits and modes.
///
/// Values that cannot work are refused when the options are made: `forks` and `serial`
/// below 1, a failure percentage outside 0–100 and a command limit that is not positive
/// throw ``RunOptionsError``. They cannot be changed afterwards; the modes can.
public struct RunOptions: Sendable {
    /// Hosts worked on at the same time (at least 1).
    public private(set) var forks: Int
    /// Hosts per batch (at least 1); each batch finishes before the next starts. `nil` is one batch.
    public private(set) var serial: Int?
    /// Stop starting new batches once more than this percentage (0–100) of a batch failed.
    public private(set) var maxFailPercentage: Double?
    /// Stop every host (after its current step) as soon as one host fails.
    public var anyErrorsFatal: Bool
    /// Run checks only and report what would change; change nothing.
    public var checkMode: Bool
    /// Run actions even where the check says it is already so.
    public var force: Bool
    /// Limit of each command when the step gives none (positive).
    public private(set) var defaultTimeout: Duration
    /// Evaluate a host's shell checks together in one round trip before acting. Off,
    /// every check is its own command (kept for comparison in benchmarks).
    public var batchesChecks: Bool
    /// Send the actions of consecutive shell steps of a host together in one round trip,
    /// with the later steps' checks run on the host right after the earlier actions (see
    /// the rule in docs/fleetkit.md, "Action batches"): the results are those of one step
    /// at a time. Off, every action is its own command (kept for comparison).
    public var batchesActions: Bool

    /// The defaults: 20 forks, one batch, no failure limit, 10 minute commands.
    public init() {
        forks = 20
        serial = nil
        maxFailPercentage = nil
        anyErrorsFatal = false
        checkMode = false
        force = false
        defaultTimeout = .seconds(600)
        batchesChecks = true
        batchesActions = true
    }

    /// Creates options, refusing values that cannot work.
    ///
    /// - Throws: ``RunOptionsError`` naming the option and what it accepts.
    public init(
        forks: Int = 20,
        serial: Int? = nil,
        maxFailPercentage: Double? = nil,
        anyErrorsFatal: Bool = false,
        checkMode: Bool = false,
        force: Bool = false,
        defaultTimeout: Duration = .seconds(600),
        batchesChecks: Bool = true,
        batchesActions: Bool = true
    ) throws(RunOptionsError) {
        guard forks >= 1 else { throw RunOptionsError(option: "forks", message: "is \(forks); expected 1 or more hosts at a time") }
        if let serial, serial < 1 {
            throw RunOptionsError(option: "serial", message: "is \(serial); expected batches of 1 or more hosts, or none")
        }
        if let maxFailPercentage, !(0...100).contains(maxFailPercentage) {
            throw RunOptionsError(option: "maxFailPercentage", message: "is \(maxFailPercentage); expected 0 to 100")
        }
        guard defaultTimeout > .zero else {
            throw RunOptionsError(option: "defaultTimeout", message: "is \(defaultTimeout); expected a positive duration")
        }
        self.forks = forks
        self.serial = serial
        self.maxFailPercentage = maxFailPercentage
        self.anyErrorsFatal = anyErrorsFatal
        self.checkMode = checkMode
        self.force = force
        self.defaultTimeout = defaultTimeout
        self.batchesChecks = batchesChecks
        self.batchesActions = batchesActions
    }
}

/// A run option with a value that cannot work, such as `forks` 0.
public struct RunOptionsError: Error, Sendable, CustomStringConvertible {
    /// The option's name.
    public var option: String
    /// Its value and what was expected.
    public var message: String

    /// "RunOptions.forks is 0; expected 1 or more hosts at a time".
    public var description: String { "RunOptions.\(option) \(message)" }
}
