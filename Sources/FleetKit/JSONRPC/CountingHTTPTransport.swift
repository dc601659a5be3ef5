import Foundation

/// An ``HTTPTransport`` that forwards to another and counts the requests it sent, so tools and
/// tests can report how many HTTP round trips a piece of work cost.
public final class CountingHTTPTransport: HTTPTransport {
    private let count = Locked(0)
    private let base: any HTTPTransport

    /// Wraps `base`.
    public init(wrapping base: any HTTPTransport = URLSessionHTTPTransport()) {
        self.base = base
    }

    /// The number of requests sent so far.
    public var requestCount: Int { count.withLock { $0 } }

    /// Sets the count back to zero.
    public func reset() { count.withLock { $0 = 0 } }

    /// Counts the request and forwards it.
    public func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        count.withLock { $0 += 1 }
        return try await base.post(body, to: url, timeout: timeout)
    }
}
