import Foundation

/// An ``HTTPTransport`` that forwards to another and counts the requests it sent, so tools and
/// tests can report how many HTTP round trips a piece of work cost.
///
/// Two counts are kept: every request sent (``requestCount``, retries included) and the
/// requests the server answered with an HTTP response (``answeredRequestCount``). Their
/// difference is the attempts lost to connection errors and timeouts, so a check of how a
/// piece of work was batched reads the answered count and stays true when the network
/// forced a retry.
public final class CountingHTTPTransport: HTTPTransport {
    private let count = Locked(0)
    private let answered = Locked(0)
    private let base: any HTTPTransport

    /// Wraps `base`.
    public init(wrapping base: any HTTPTransport = URLSessionHTTPTransport()) {
        self.base = base
    }

    /// The number of requests sent so far, including attempts that got no answer.
    public var requestCount: Int { count.withLock { $0 } }

    /// The number of requests that came back with an HTTP response of any status; attempts
    /// that failed to connect, lost their connection or were cancelled are not counted.
    public var answeredRequestCount: Int { answered.withLock { $0 } }

    /// Sets both counts back to zero.
    public func reset() {
        count.withLock { $0 = 0 }
        answered.withLock { $0 = 0 }
    }

    /// Counts the request, forwards it, and counts the answer when one arrives.
    public func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        count.withLock { $0 += 1 }
        let response = try await base.post(body, to: url, timeout: timeout)
        answered.withLock { $0 += 1 }
        return response
    }

    /// Counts the request, forwards it, and counts the answer when one arrives.
    public func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
        count.withLock { $0 += 1 }
        let response = try await base.get(url, timeout: timeout)
        answered.withLock { $0 += 1 }
        return response
    }
}
