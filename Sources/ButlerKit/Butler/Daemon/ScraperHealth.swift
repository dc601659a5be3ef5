import Foundation

/// How one scraper is doing: the staleness its metrics carry.
public struct ScraperHealth: Sendable, Equatable {
    /// How often it runs.
    public var interval: Duration
    /// Failed runs since the daemon started.
    public var errors: Int = 0
    /// When it last succeeded; `nil` before the first success.
    public var lastSuccess: Date?
    /// The last failure's message, until the next success.
    public var lastError: String?
    /// Whether it runs at all (the provider queue needs a provider id and a StakingRegistry).
    public var enabled: Bool = true

    /// A scraper that has not run yet.
    public init(interval: Duration, enabled: Bool = true) {
        self.interval = interval
        self.enabled = enabled
    }

    /// Records a success at `now`.
    public mutating func succeeded(at now: Date) {
        lastSuccess = now
        lastError = nil
    }

    /// Records a failure.
    public mutating func failed(_ message: String) {
        errors += 1
        lastError = message
    }
}
