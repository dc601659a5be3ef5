import FleetKit

/// How long a deployment lets things happen before it looks, and how long it waits for
/// them: the original's fixed sleeps and polling loops, as values a run can shorten
/// (tests, a fast server) or lengthen (a slow link). Out-of-range values are refused here,
/// so no loop can spin without pause or wait forever.
public struct DeployWaits: Sendable, Equatable {
    /// Pause after containers are started before they are inspected (the original's 15 s and 20 s).
    public var settle: Duration
    /// How often the node's height is read while state sync runs (the original's 30 s).
    public var syncCheckInterval: Duration
    /// How many height readings phase 5 waits for before going on (the original's 50, about 25 minutes); 0 does not wait.
    public var syncChecks: Int
    /// Readings with the same snapshot chunk after which state sync counts as stuck (the original's 3).
    public var stuckAfter: Int
    /// How often phase 6 looks whether the model is loaded (the original's 15 s).
    public var modelCheckInterval: Duration
    /// How long phase 6 waits for the model before going on (the original's 180 s); 0 does not wait.
    public var modelWait: Duration

    /// The longest any one wait may last: a phase must end within ``NodeDeployment/phaseTimeout``'s default of 6 hours.
    public static let longestWait = Duration.seconds(5 * 3600)

    /// The original's timings.
    public static let original = DeployWaits(uncheckedSettle: .seconds(15), syncCheckInterval: .seconds(30), syncChecks: 50, stuckAfter: 3,
                                             modelCheckInterval: .seconds(15), modelWait: .seconds(180))

    /// Creates the timings; throws ``DeployWaitsError`` for a value no run can use.
    public init(settle: Duration, syncCheckInterval: Duration, syncChecks: Int, stuckAfter: Int = 3,
                modelCheckInterval: Duration, modelWait: Duration) throws(DeployWaitsError) {
        try Self.require(settle >= .zero && settle <= .seconds(600), "settle", "0 to 600 seconds")
        try Self.require(syncCheckInterval > .zero && syncCheckInterval <= .seconds(3600), "syncCheckInterval", "more than 0 and at most 3600 seconds")
        try Self.require((0...10_000).contains(syncChecks), "syncChecks", "0 to 10000")
        try Self.require((1...1000).contains(stuckAfter), "stuckAfter", "1 to 1000")
        try Self.require(modelCheckInterval > .zero && modelCheckInterval <= .seconds(3600), "modelCheckInterval", "more than 0 and at most 3600 seconds")
        try Self.require(modelWait >= .zero && modelWait <= Self.longestWait, "modelWait", "0 to \(Self.longestWait.components.seconds) seconds")
        try Self.require(syncCheckInterval * syncChecks <= Self.longestWait, "syncChecks × syncCheckInterval",
                         "at most \(Self.longestWait.components.seconds) seconds, within a phase's time limit")
        self.init(uncheckedSettle: settle, syncCheckInterval: syncCheckInterval, syncChecks: syncChecks, stuckAfter: stuckAfter,
                  modelCheckInterval: modelCheckInterval, modelWait: modelWait)
    }

    /// The original's timings with the given ones in their place. The model is looked at
    /// every 15 seconds as in the original, or once at the end of a shorter wait.
    ///
    /// - Throws: ``DeployWaitsError`` for a value no run can use.
    public static func original(settle: Duration? = nil, syncCheckInterval: Duration? = nil, syncChecks: Int? = nil,
                                modelWait: Duration? = nil) throws(DeployWaitsError) -> DeployWaits {
        let modelWait = modelWait ?? original.modelWait
        return try DeployWaits(settle: settle ?? original.settle, syncCheckInterval: syncCheckInterval ?? original.syncCheckInterval,
                               syncChecks: syncChecks ?? original.syncChecks,
                               modelCheckInterval: min(original.modelCheckInterval, max(modelWait, .seconds(1))), modelWait: modelWait)
    }

    private init(uncheckedSettle settle: Duration, syncCheckInterval: Duration, syncChecks: Int, stuckAfter: Int,
                 modelCheckInterval: Duration, modelWait: Duration) {
        self.settle = settle
        self.syncCheckInterval = syncCheckInterval
        self.syncChecks = syncChecks
        self.stuckAfter = stuckAfter
        self.modelCheckInterval = modelCheckInterval
        self.modelWait = modelWait
    }

    private static func require(_ condition: Bool, _ name: String, _ expected: String) throws(DeployWaitsError) {
        if !condition { throw DeployWaitsError(setting: name, expected: expected) }
    }

    /// The longest a state-sync wait can take: every reading, its pause and its commands.
    public var syncWaitLimit: Duration { (syncCheckInterval + .seconds(120)) * syncChecks + .seconds(120) }

    /// The longest a model wait can take, commands included.
    public var modelWaitLimit: Duration { modelWait + modelCheckInterval + .seconds(240) }
}

/// A wait setting no run can use.
public struct DeployWaitsError: SettingProblem, Sendable, InputError {
    /// The setting, e.g. `syncChecks`.
    public let setting: String
    /// What it must be.
    public let expected: String

    /// `syncChecks must be 0 to 10000`.
    public var description: String { "\(setting) must be \(expected)" }
    /// The setting, for a tool to name its option.
    public var settingKey: String { setting }
    /// `must be 0 to 10000`.
    public var problem: String { "must be \(expected)" }
}
