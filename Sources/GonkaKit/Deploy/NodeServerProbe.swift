import FleetKit
import Foundation

/// What the deployment reads on the server itself, through the run's SSH connection: the
/// node's chain height, the state-sync chunk in its log, the GPU memory and the local HTTP
/// services (admin API 9200, ML node 8080, vLLM 5050). The original asks the chain RPC from
/// the operator's machine, which needs port 26657 open to it; asking on the server does not.
public enum NodeServerProbe {
    /// The node's CometBFT RPC as seen on the server.
    public static let chainStatusURL = "http://localhost:26657/status"

    /// The body of a GET of `url` on the server (`curl -s`, 10 s limit), or `nil` when nothing answered.
    public static func get(_ url: String, _ context: HostContext) async throws -> String? {
        let result = try await context.run(RemoteCommand("curl -s --max-time 10 \(ShellQuote.quote(url))", timeout: .seconds(30)))
        guard result.succeeded, !result.standardOutput.isEmpty else { return nil }
        return result.standardOutput
    }

    /// The node's latest block height, or `nil` when it gives none: its RPC on the server's
    /// port 26657 first; when the compose file does not publish that port, `inferenced
    /// status` inside the node container, which asks the same RPC from within.
    public static func chainHeight(_ context: HostContext) async throws -> Int? {
        if let body = try await get(chainStatusURL, context), let height = latestHeight(inStatus: Data(body.utf8)) { return height }
        let inside = try await context.run(RemoteCommand("\(Privilege.asRoot) docker exec node inferenced status 2>&1", timeout: .seconds(60)))
        guard inside.succeeded else { return nil }
        return latestHeight(inStatus: Data(inside.standardOutput.utf8))
    }

    /// `latest_block_height` of a CometBFT `/status` answer (`result.sync_info`) or of
    /// `inferenced status` (`sync_info` or `SyncInfo`), as text or number.
    public static func latestHeight(inStatus data: Data) -> Int? {
        JSONValue(parsing: data)?.firstValue(forKey: "latest_block_height")?.integerFromNumberOrText
    }

    /// The last `chunk=<n>` in the node container's last 20 log lines, as the original reads progress.
    public static func syncChunk(_ context: HostContext) async throws -> Int? {
        let result = try await context.run(RemoteCommand("\(Privilege.asRoot) docker logs node --tail 20 2>&1", timeout: .seconds(60)))
        return lastChunk(inLog: result.standardOutput)
    }

    /// The number after the last `chunk=` in `log`.
    public static func lastChunk(inLog log: String) -> Int? {
        var found: Int?
        var rest = Substring(log)
        while let range = rest.range(of: "chunk=") {
            rest = rest[range.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if let value = Int(digits) { found = value }
        }
        return found
    }

    /// The first GPU's memory in MiB as `nvidia-smi` reports it (used, total), or `nil` without a GPU reading.
    public static func gpuMemory(_ context: HostContext) async throws -> GPUMemory? {
        let result = try await context.run(RemoteCommand("nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits",
                                                         timeout: .seconds(60)))
        guard result.succeeded else { return nil }
        return GPUMemory(nvidiaSMILine: result.standardOutput.split(separator: "\n").first.map(String.init) ?? "")
    }

    /// The first `current_status` the admin API lists in `/admin/v1/nodes`, or `nil`.
    public static func adminNodeStatus(_ context: HostContext) async throws -> String? {
        guard let body = try await get("http://localhost:9200/admin/v1/nodes", context) else { return nil }
        return AdminNodes(json: body).firstCurrentStatus
    }
}

/// One GPU's memory figures in MiB.
public struct GPUMemory: Sendable, Equatable {
    /// Memory in use.
    public var usedMiB: Int
    /// Memory on the card.
    public var totalMiB: Int

    /// Creates the figures.
    public init(usedMiB: Int, totalMiB: Int) {
        self.usedMiB = usedMiB
        self.totalMiB = totalMiB
    }

    /// Reads `used, total` (nvidia-smi's `csv,noheader,nounits`); `nil` for anything else.
    public init?(nvidiaSMILine line: String) {
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count >= 2, let used = Int(fields[0]), let total = Int(fields[1]) else { return nil }
        self.init(usedMiB: used, totalMiB: total)
    }

    /// The model counts as loaded above this much used memory, as in the original.
    public static let loadedThresholdMiB = 30_000

    /// Whether the used memory says a model is loaded.
    public var modelLoaded: Bool { usedMiB > Self.loadedThresholdMiB }
}

/// The admin API's `/admin/v1/nodes` answer: a JSON array of the ML nodes it manages,
/// each with its `state` (`current_status`, `intended_status`).
public struct AdminNodes: Sendable, Equatable {
    /// How many nodes the answer lists; 0 when it is empty or not an array.
    public let count: Int
    /// The first node's `state.current_status` (or a top-level `current_status`).
    public let firstCurrentStatus: String?
    /// The first node's `state.intended_status` (or a top-level `intended_status`).
    public let firstIntendedStatus: String?

    /// Parses `json`; anything but an array reads as no nodes.
    public init(json: String) {
        let nodes = (JSONValue(parsing: Data(json.utf8))?.arrayValue ?? []).filter { $0.objectValue != nil }
        count = nodes.count
        firstCurrentStatus = nodes.lazy.compactMap { Self.status($0, "current_status") }.first
        firstIntendedStatus = nodes.lazy.compactMap { Self.status($0, "intended_status") }.first
    }

    private static func status(_ node: JSONValue, _ key: String) -> String? {
        node["state"]?[key]?.stringValue ?? node[key]?.stringValue
    }
}
