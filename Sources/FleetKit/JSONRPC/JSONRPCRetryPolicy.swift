/// When and how long to wait before retrying a JSON-RPC HTTP request.
///
/// Retries happen on HTTP 429, HTTP 5xx, connection failures and (optionally) timeouts;
/// delays double from `initialDelay` up to `maxDelay` (the backoff of ``RetryPolicy``), and a server's `Retry-After` is honoured
/// up to `maxDelay`.
public struct JSONRPCRetryPolicy: Sendable, Equatable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// Delay before the second attempt.
    public var initialDelay: Duration
    /// Upper bound of any delay.
    public var maxDelay: Duration
    /// Whether a timed-out attempt is retried.
    public var retriesTimeouts: Bool

    /// Creates a policy.
    public init(
        maxAttempts: Int = 4, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
        retriesTimeouts: Bool = true
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.retriesTimeouts = retriesTimeouts
    }

    /// No retries.
    public static let none = JSONRPCRetryPolicy(maxAttempts: 1)

    /// The delay after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int, retryAfterSeconds: Double? = nil) -> Duration {
        if let retryAfterSeconds, retryAfterSeconds >= 0 {
            return min(.milliseconds(Int64(min(retryAfterSeconds, 86_400) * 1000)), maxDelay)
        }
        return RetryPolicy(maxAttempts: maxAttempts, initialDelay: initialDelay, maxDelay: maxDelay)
            .delay(afterAttempt: attempt)
    }
}
