/// The numbers the node alert rules compare with, and how long each condition must hold.
public struct AlertThresholds: Sendable, Equatable, Codable {
    /// Share of the data folder's filesystem in use from which the disk pages (0.9 = 90 %).
    public var diskUsedRatio: Double
    /// How long the newest block may stay the same before blocks count as stalled, in seconds.
    public var stallSeconds: Int
    /// Proven blocks a node may trail the fleet's best node.
    public var blocksBehind: Int
    /// Connected peers below which a running node warns (the original template: 3).
    public var minimumPeers: Int
    /// Restarts within an hour from which a node warns.
    public var restartsPerHour: Int
    /// Age of the collector's last run from which its gauges count as stale, in seconds.
    public var collectorStaleSeconds: Int
    /// When set, every rule's `for:` is this many seconds instead of its own (short holds for tests).
    public var holdOverrideSeconds: Int?

    /// The defaults: 90 % disk, 10 minutes without a new block, 10 blocks behind, 3 peers,
    /// 3 restarts an hour, a collector silent for 5 minutes.
    public init(diskUsedRatio: Double = 0.9, stallSeconds: Int = 600, blocksBehind: Int = 10, minimumPeers: Int = 3,
                restartsPerHour: Int = 3, collectorStaleSeconds: Int = 300, holdOverrideSeconds: Int? = nil) {
        self.diskUsedRatio = diskUsedRatio
        self.stallSeconds = stallSeconds
        self.blocksBehind = blocksBehind
        self.minimumPeers = minimumPeers
        self.restartsPerHour = restartsPerHour
        self.collectorStaleSeconds = collectorStaleSeconds
        self.holdOverrideSeconds = holdOverrideSeconds
    }

    /// The thresholds after checking each is in a range that can work.
    ///
    /// - Throws: ``MonitoringSettingError`` for ``MonitoringSetting/timing``.
    public func checked() throws(MonitoringSettingError) -> AlertThresholds {
        guard diskUsedRatio > 0, diskUsedRatio < 1 else {
            throw MonitoringSettingError(.timing, "the disk threshold must be a share between 0 and 1 (0.9 = 90 %), not \(diskUsedRatio)")
        }
        for (value, what) in [(stallSeconds, "the stall window"), (collectorStaleSeconds, "the collector staleness")] where value < 1 {
            throw MonitoringSettingError(.timing, "\(what) must be at least one second, not \(value)")
        }
        for (value, what) in [(blocksBehind, "the blocks a node may trail"), (minimumPeers, "the minimum peers"), (restartsPerHour, "the restarts an hour")] where value < 0 {
            throw MonitoringSettingError(.timing, "\(what) cannot be negative (\(value))")
        }
        if let hold = holdOverrideSeconds, hold < 0 { throw MonitoringSettingError(.timing, "a rule's hold cannot be negative (\(hold) s)") }
        return self
    }
}
