import Foundation
import FleetKit
import FleetKitTesting

/// An ``HTTPTransport`` that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(Int, String)
        case respondWith(@Sendable (JSONValue) -> String)
        case stall
        case fail(URLError.Code)
    }

    private struct State {
        var steps: [Step]
        var bodies: [JSONValue] = []
        var inFlight = 0
        var maxInFlight = 0
    }

    private let state: Locked<State>
    private let repeatLast: Bool

    init(_ steps: [Step], repeatLast: Bool = true) {
        state = Locked(State(steps: steps))
        self.repeatLast = repeatLast
    }

    var requestCount: Int { state.withLock { $0.bodies.count } }

    var sentBodies: [JSONValue] { state.withLock { $0.bodies } }

    var peakConcurrency: Int { state.withLock { $0.maxInFlight } }

    /// A GET answers from the script as a POST with no body does (its request is recorded as `null`).
    func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
        try await post(Data(), to: url, timeout: timeout)
    }

    func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        let request = (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null
        let step: Step? = state.withLock { state in
            state.bodies.append(request)
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            if state.steps.count > 1 || !repeatLast { return state.steps.isEmpty ? nil : state.steps.removeFirst() }
            return state.steps.first
        }
        defer { state.withLock { $0.inFlight -= 1 } }
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
