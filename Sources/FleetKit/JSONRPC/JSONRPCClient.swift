import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One JSON-RPC method call: a method name and positional parameters.
public struct JSONRPCCall: Sendable, Hashable {
    /// The method, e.g. `eth_call`.
    public let method: String
    /// Positional parameters.
    public let params: [JSONValue]

    /// Creates a call.
    public init(_ method: String, _ params: [JSONValue] = []) {
        self.method = method
        self.params = params
    }
}

/// Settings of a ``JSONRPCClient``.
///
/// Values that cannot work (a batch of no calls, no request in flight, a timeout that has
/// passed before the request is sent) are rejected when the options are made, by the
/// throwing initializer; the limits are read-only afterwards, so a client never sees them.
public struct JSONRPCClientOptions: Sendable, Equatable {
    /// How long one HTTP attempt may take; more than zero.
    public private(set) var timeout: Duration
    /// Retries on 429, 5xx, connection failures and timeouts.
    public var retry: JSONRPCRetryPolicy
    /// How many HTTP requests may be in flight at once; at least 1.
    public private(set) var maxConcurrentRequests: Int
    /// How many calls go into one JSON-RPC batch request at most; at least 1.
    public private(set) var maxBatchSize: Int

    /// Creates options; the defaults suit a public or self-hosted Ethereum node.
    ///
    /// - Throws: ``JSONRPCOptionsError`` when `timeout` is not more than zero or
    ///   `maxConcurrentRequests` or `maxBatchSize` is less than 1.
    public init(
        timeout: Duration = .seconds(30), retry: JSONRPCRetryPolicy = JSONRPCRetryPolicy(), maxConcurrentRequests: Int = 4,
        maxBatchSize: Int = 100
    ) throws(JSONRPCOptionsError) {
        guard timeout > .zero else {
            throw JSONRPCOptionsError(option: "timeout", value: "\(timeout.seconds) seconds", requirement: "more than zero")
        }
        guard maxConcurrentRequests >= 1 else {
            throw JSONRPCOptionsError(option: "maxConcurrentRequests", value: String(maxConcurrentRequests), requirement: "at least 1")
        }
        guard maxBatchSize >= 1 else {
            throw JSONRPCOptionsError(option: "maxBatchSize", value: String(maxBatchSize), requirement: "at least 1")
        }
        self.init(checkedTimeout: timeout, retry: retry, maxConcurrentRequests: maxConcurrentRequests, maxBatchSize: maxBatchSize)
    }

    private init(checkedTimeout timeout: Duration, retry: JSONRPCRetryPolicy, maxConcurrentRequests: Int, maxBatchSize: Int) {
        self.timeout = timeout
        self.retry = retry
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxBatchSize = maxBatchSize
    }

    /// The defaults: 30-second timeout, the default retry policy, 4 requests in flight,
    /// batches of up to 100 calls.
    public static let standard = JSONRPCClientOptions(checkedTimeout: .seconds(30), retry: JSONRPCRetryPolicy(),
                                                      maxConcurrentRequests: 4, maxBatchSize: 100)
}

/// A ``JSONRPCClientOptions`` value that cannot work, named with what it must be.
public struct JSONRPCOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option's name, e.g. `maxBatchSize`.
    public let option: String
    /// The rejected value as text.
    public let value: String
    /// What the value must be, e.g. `at least 1`.
    public let requirement: String

    /// "JSON-RPC option maxBatchSize must be at least 1, not 0."
    public var description: String { "JSON-RPC option \(option) must be \(requirement), not \(value)." }
}

/// A JSON-RPC 2.0 client over HTTP POST with batching, timeouts, retries and a concurrency limit.
///
/// Knows nothing about Ethereum; kits build typed clients on top of ``call(_:_:)`` and ``batch(_:)``.
/// Every failure is thrown as a ``JSONRPCError`` naming the method, the endpoint and the cause.
public struct JSONRPCClient: Sendable {
    /// The URL requests are posted to.
    public let endpoint: URL
    /// The endpoint as errors show it: scheme, host and port only, since RPC providers put
    /// API keys in the path, the query or the user part.
    private var shownEndpoint: String { URLCredentials.masked(endpoint.absoluteString) }
    /// The settings in force.
    public let options: JSONRPCClientOptions
    private let transport: any HTTPTransport
    private let limiter: AsyncSemaphore

    /// Creates a client for `endpoint`, sending through `transport` (URLSession by default).
    public init(
        endpoint: URL, options: JSONRPCClientOptions = .standard,
        transport: any HTTPTransport = URLSessionHTTPTransport()
    ) {
        self.endpoint = endpoint
        self.options = options
        self.transport = transport
        limiter = AsyncSemaphore(limit: options.maxConcurrentRequests)
    }

    /// Calls one method and returns its `result`.
    ///
    /// - Throws: ``JSONRPCError``.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        let body = try encode([RequestEnvelope(id: 1, method: method, params: params)], asBatch: false, label: method)
        let responseBody = try await send(body, label: method)
        let envelope = try decodeEnvelopes(responseBody, label: method, expectBatch: false)
        guard let first = envelope.first else {
            throw failure(method, .malformedResponse("the answer holds no response object"))
        }
        return try first.result(method: method, endpoint: shownEndpoint).get()
    }

    /// Sends many calls as JSON-RPC batch requests of at most `maxBatchSize` calls each, several
    /// batches in flight at once, and returns one result per call in the order given.
    ///
    /// A call the node rejected is a `.failure` in its slot; only a failure of a whole HTTP
    /// request (timeout, connection, HTTP status, unreadable answer) throws.
    ///
    /// - Throws: ``JSONRPCError``.
    public func batch(_ calls: [JSONRPCCall]) async throws -> [Result<JSONValue, JSONRPCError>] {
        if calls.isEmpty { return [] }
        let chunks = stride(from: 0, to: calls.count, by: options.maxBatchSize).map {
            Array(calls[$0..<min($0 + options.maxBatchSize, calls.count)])
        }
        return try await withThrowingTaskGroup(of: (Int, [Result<JSONValue, JSONRPCError>]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { (index, try await sendBatch(chunk)) }
            }
            var byChunk = [[Result<JSONValue, JSONRPCError>]](repeating: [], count: chunks.count)
            for try await (index, results) in group { byChunk[index] = results }
            return byChunk.flatMap { $0 }
        }
    }

    private func sendBatch(_ calls: [JSONRPCCall]) async throws -> [Result<JSONValue, JSONRPCError>] {
        let label = Self.batchLabel(calls)
        let requests = calls.enumerated().map { RequestEnvelope(id: $0.offset, method: $0.element.method, params: $0.element.params) }
        let body = try encode(requests, asBatch: true, label: label)
        let responseBody = try await send(body, label: label)
        let envelopes = try decodeEnvelopes(responseBody, label: label, expectBatch: true)
        var byID: [Int: ResponseEnvelope] = [:]
        for envelope in envelopes {
            if let id = envelope.id { byID[id] = envelope }
        }
        return calls.enumerated().map { index, call in
            guard let envelope = byID[index] else {
                return .failure(failure(call.method, .malformedResponse("the batch answer has no response with id \(index)")))
            }
            return envelope.result(method: call.method, endpoint: shownEndpoint)
        }
    }

    private static func batchLabel(_ calls: [JSONRPCCall]) -> String {
        let methods = Array(Set(calls.map(\.method))).sorted().prefix(3).joined(separator: ", ")
        return "batch of \(calls.count) calls (\(methods))"
    }

    private func failure(_ method: String, _ kind: JSONRPCError.Kind, attempts: Int = 1) -> JSONRPCError {
        JSONRPCError(method: method, endpoint: shownEndpoint, kind: kind, attempts: attempts)
    }

    private func encode(_ requests: [RequestEnvelope], asBatch: Bool, label: String) throws -> Data {
        do {
            let encoder = JSONEncoder()
            if asBatch { return try encoder.encode(requests) }
            guard let single = requests.first else { return Data("[]".utf8) }
            return try encoder.encode(single)
        } catch {
            throw failure(label, .malformedResponse("the request could not be encoded: \(error)"))
        }
    }

    /// Posts with timeout, retries and the concurrency limit; returns the body of an answer
    /// that is either a success or readable as JSON-RPC.
    private func send(_ body: Data, label: String) async throws -> Data {
        var attempt = 0
        while true {
            attempt += 1
            var lastKind: JSONRPCError.Kind
            var retryable = true
            var retryAfter: Double?
            do {
                let response = try await limiter.withPermit { try await postWithTimeout(body) }
                if (200..<300).contains(response.status) { return response.body }
                let looksLikeJSONRPC = (try? JSONDecoder().decode(JSONValue.self, from: response.body)).map {
                    $0.objectValue?["jsonrpc"] != nil || $0.arrayValue != nil
                } ?? false
                retryable = response.status == 429 || (500..<600).contains(response.status)
                if !retryable || attempt >= options.retry.maxAttempts, looksLikeJSONRPC { return response.body }
                lastKind = .httpStatus(response.status, body: Self.excerpt(response.body))
                retryAfter = response.retryAfterSeconds
            } catch is TimeoutMarker {
                lastKind = .timedOut(seconds: options.timeout.seconds)
                retryable = options.retry.retriesTimeouts
            } catch let error as URLError where error.code == .timedOut {
                lastKind = .timedOut(seconds: options.timeout.seconds)
                retryable = options.retry.retriesTimeouts
            } catch is CancellationError {
                throw failure(label, .cancelled, attempts: attempt)
            } catch {
                if Task.isCancelled { throw failure(label, .cancelled, attempts: attempt) }
                lastKind = .transport(error.localizedDescription)
            }
            guard retryable, attempt < options.retry.maxAttempts else {
                throw failure(label, lastKind, attempts: attempt)
            }
            do {
                try await Task.sleep(for: options.retry.delay(afterAttempt: attempt, retryAfterSeconds: retryAfter))
            } catch {
                throw failure(label, .cancelled, attempts: attempt)
            }
        }
    }

    private struct TimeoutMarker: Error {}

    private func postWithTimeout(_ body: Data) async throws -> HTTPResponse {
        let timeout = options.timeout
        let transport = transport
        let endpoint = endpoint
        return try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
            group.addTask { try await transport.post(body, to: endpoint, timeout: timeout) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimeoutMarker()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TimeoutMarker() }
            return first
        }
    }

    private static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return body.count > 300 ? text + "…" : text
    }

    private func decodeEnvelopes(_ body: Data, label: String, expectBatch: Bool) throws -> [ResponseEnvelope] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw failure(label, .malformedResponse("the body is not JSON: \(Self.excerpt(body))"))
        }
        let objects: [JSONValue]
        if let array = value.arrayValue {
            objects = array
        } else if value.objectValue != nil {
            // A batch answered with one error object means the node rejected the whole batch.
            if expectBatch, let envelope = ResponseEnvelope(value), envelope.id == nil, case .failure(let error) = envelope.result(method: label, endpoint: shownEndpoint) {
                throw error
            }
            objects = [value]
        } else {
            throw failure(label, .malformedResponse("expected a JSON object or array but got \(Self.excerpt(body))"))
        }
        return try objects.map { object in
            guard let envelope = ResponseEnvelope(object) else {
                throw failure(label, .malformedResponse("a response has neither result nor error: \(object)"))
            }
            return envelope
        }
    }
}

/// The JSON of one request.
private struct RequestEnvelope: Encodable {
    let jsonrpc = "2.0"
    let id: Int
    let method: String
    let params: [JSONValue]

    init(id: Int, method: String, params: [JSONValue]) {
        self.id = id
        self.method = method
        self.params = params
    }
}

/// One response object: an id and either a result or an error.
private struct ResponseEnvelope {
    let id: Int?
    let outcome: Result<JSONValue, ServerError>

    struct ServerError: Error {
        let code: Int
        let message: String
        let data: JSONValue?
    }

    init?(_ value: JSONValue) {
        guard let object = value.objectValue else { return nil }
        switch object["id"] {
        case .integer(let number): id = Int(exactly: number)
        case .string(let text): id = Int(text)
        default: id = nil
        }
        if let error = object["error"], error != .null {
            let code = error["code"]?.integerValue.flatMap { Int(exactly: $0) } ?? 0
            let message = error["message"]?.stringValue ?? error.description
            outcome = .failure(ServerError(code: code, message: message, data: error["data"]))
        } else if let result = object["result"] {
            outcome = .success(result)
        } else {
            return nil
        }
    }

    func result(method: String, endpoint: String) -> Result<JSONValue, JSONRPCError> {
        outcome.mapError {
            JSONRPCError(method: method, endpoint: endpoint, kind: .server(code: $0.code, message: $0.message, data: $0.data))
        }
    }
}
