import FleetKit
import Foundation

/// The health gate of an Aztec node after a restart, looked at over SSH on the server's
/// loopback: the node answers `node_isReady` true, its block number has advanced since the
/// first look that saw one, and every expected attester appears in `node_getValidatorsStats`.
public struct NodeHealthWatch: HealthWatch {
    /// How the node is reached.
    public let transport: any Transport
    /// The server.
    public let host: RemoteHost
    /// The node's RPC port on the server's loopback.
    public let rpcPort: Int
    /// Attesters (lowercase addresses) that must appear in the validator stats; empty checks none.
    public let expectedAttesters: Set<String>
    /// The first block number seen.
    private var firstBlock: UInt64?

    /// Creates the watch of `host`.
    public init(transport: any Transport, host: RemoteHost, rpcPort: Int, expectedAttesters: Set<String>) {
        self.transport = transport
        self.host = host
        self.rpcPort = rpcPort
        self.expectedAttesters = expectedAttesters
    }

    /// A gate over every host: `attesters` gives the attesters each host must show.
    public static func gate(transport: any Transport, rpcPort: Int,
                            attesters: @escaping @Sendable (RemoteHost) -> Set<String> = { _ in [] }) -> HealthGate {
        HealthGate { host in NodeHealthWatch(transport: transport, host: host, rpcPort: rpcPort, expectedAttesters: attesters(host)) }
    }

    static func request(_ method: String) -> String { #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":[]}"# }

    /// The script: three lines, `ready=`, `block=` and `stats=`, each a JSON-RPC answer or empty.
    var script: String {
        let q = RemoteShell.q
        return ["ready": "node_isReady", "block": "node_getBlockNumber", "stats": "node_getValidatorsStats"]
            .sorted { $0.key < $1.key }
            .map { "printf '\($0.key)='; \(RemoteShell.nodeRPC(port: rpcPort, body: q(Self.request($0.value)), maxSeconds: 5)) 2>/dev/null | tr -d '\\n'; echo" }
            .joined(separator: "\n")
    }

    /// One look: runs the script and judges its answers.
    public mutating func look() async -> HealthVerdict {
        let output: String
        do {
            let result = try await transport.run(RemoteCommand(script, timeout: .seconds(30)), on: host)
            output = result.standardOutput
        } catch {
            return .waiting("cannot reach the server: \(error.message)")
        }
        var answers: [String: JSONValue] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let body = Data(line[line.index(after: equals)...].utf8)
            if let answer = try? JSONDecoder().decode(JSONValue.self, from: body), case .object(let fields) = answer, let result = fields["result"] {
                answers[String(line[..<equals])] = result
            }
        }
        return judge(answers)
    }

    /// Judges one look's results (`ready`, `block`, `stats`).
    mutating func judge(_ answers: [String: JSONValue]) -> HealthVerdict {
        guard case .bool(true)? = answers["ready"] else { return .waiting("the node is not ready (node_isReady)") }
        guard let block = Self.number(answers["block"]) else { return .waiting("the node gave no block number") }
        guard let first = firstBlock else {
            firstBlock = block
            return .waiting("at block \(block); waiting for it to advance")
        }
        guard block > first else { return .waiting("the block number stays at \(block)") }
        if !expectedAttesters.isEmpty {
            var seen = Set<String>()
            if case .object(let result)? = answers["stats"], case .object(let stats)? = result["stats"] {
                seen = Set(stats.keys.map { $0.lowercased() })
            }
            let missing = expectedAttesters.subtracting(seen).sorted()
            guard missing.isEmpty else {
                return .waiting("block advanced \(first) → \(block), but \(Plural.count(missing.count, "attester")) not in the validator stats: \(missing.joined(separator: ", "))")
            }
        }
        return .healthy("ready, block \(first) → \(block)" + (expectedAttesters.isEmpty ? "" : ", \(Plural.count(expectedAttesters.count, "attester")) in the validator stats"))
    }

    static func number(_ value: JSONValue?) -> UInt64? {
        switch value {
        case .integer(let number)?: number >= 0 ? UInt64(number) : nil
        case .string(let text)?: UInt64(text) ?? (text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : nil)
        default: nil
        }
    }
}
