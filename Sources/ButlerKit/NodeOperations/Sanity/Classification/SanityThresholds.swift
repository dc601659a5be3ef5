/// The limits that turn numbers into findings.
public struct SanityThresholds: Sendable, Codable, Equatable {
    /// Blocks a node may trail the fleet's best node (or the reference) before it has a
    /// sync problem; samples are taken a moment apart, so small gaps are normal.
    public var maxLag: UInt64
    /// Blocks the proven chain may trail the newest block before proof generation counts as
    /// failing (proofs land an epoch or two after their blocks).
    public var maxProvenLag: UInt64
    /// Restarts, or crash and fatal lines, from which a node's crashes are persistent.
    public var crashLimit: Int
    /// Missed duties in a row from which a validator's misses are Major rather than Minor.
    public var missedStreakLimit: UInt64
    /// Reorgs one node saw (prunes in its log plus a block replaced between the samples)
    /// from which reorgs are persistent: a network-wide instability condition. One prune
    /// happens when an epoch misses its proof; two in the scanned period is a pattern.
    public var reorgLimit: Int
    /// The fleet's transactions per second below which throughput is a network-wide
    /// problem; `nil` reports throughput without judging it.
    public var minimumTPS: Double?
    /// Pending transactions, at both samples, from which a window whose blocks include none
    /// is a transaction inclusion issue.
    public var minimumPending: UInt64

    /// Creates limits; the defaults suit Aztec's testnet (36 s slots, 32-slot epochs).
    public init(maxLag: UInt64 = 3, maxProvenLag: UInt64 = 96, crashLimit: Int = 3, missedStreakLimit: UInt64 = 3,
                reorgLimit: Int = 2, minimumTPS: Double? = nil, minimumPending: UInt64 = 1) {
        self.maxLag = maxLag
        self.maxProvenLag = maxProvenLag
        self.crashLimit = crashLimit
        self.missedStreakLimit = missedStreakLimit
        self.reorgLimit = max(1, reorgLimit)
        self.minimumTPS = minimumTPS
        self.minimumPending = max(1, minimumPending)
    }
}
