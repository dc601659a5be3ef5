import Foundation
import FleetKit
import FleetKitTesting

/// An ``HTTPTransport`` that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is touched under `lock`.
    enum Step: Sendable {
        case respond(Int, String)
        case respondWith(@Sendable (JSONValue) -> String)
        case stall
        case fail(URLError.Code)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private let repeatLast: Bool
    private(set) var bodies: [JSONValue] = []
    private var inFlight = 0
    private(set) var maxInFlight = 0

    init(_ steps: [Step], repeatLast: Bool = true) {
        self.steps = steps
        self.repeatLast = repeatLast
    }

    var requestCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return bodies.count
    }

    var sentBodies: [JSONValue] {
        lock.lock()
        defer { lock.unlock() }
        return bodies
    }

    var peakConcurrency: Int {
        lock.lock()
        defer { lock.unlock() }
        return maxInFlight
    }

    func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        let request = (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null
        let step: Step? = lock.withLock {
            bodies.append(request)
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            return steps.count > 1 || !repeatLast ? (steps.isEmpty ? nil : steps.removeFirst()) : steps.first
        }
        defer { lock.withLock { inFlight -= 1 } }
        try await Task.sleep(for: .milliseconds(5))
        switch step {
        case .respond(let status, let text)?:
            return HTTPResponse(status: status, body: Data(text.utf8))
        case .respondWith(let make)?:
            return HTTPResponse(status: 200, body: Data(make(request).utf8))
        case .stall?:
            try await Task.sleep(for: .seconds(3600))
            return HTTPResponse(status: 200, body: Data())
        case .fail(let code)?:
            throw URLError(code)
        case nil:
            return HTTPResponse(status: 500, body: Data("script exhausted".utf8))
        }
    }
}

/// A JSON-RPC success answer for the request `request` (single or batch), computing each result.
func answerEach(_ request: JSONValue, _ result: (String, [JSONValue]) -> String) -> String {
    func one(_ call: JSONValue) -> String {
        let id = call["id"]?.integerValue ?? 0
        let method = call["method"]?.stringValue ?? ""
        let params = call["params"]?.arrayValue ?? []
        return "{\"jsonrpc\":\"2.0\",\"id\":\(id),\(result(method, params))}"
    }
    if let calls = request.arrayValue {
        return "[" + calls.map(one).joined(separator: ",") + "]"
    }
    return one(request)
}
