import FleetKit
import Foundation

/// What phase 7 found, one field per check of the original's `verification.txt`; `nil`
/// means the check got no answer. Gathered by ``VerificationPhase``, written by ``VerificationReport``.
public struct VerificationFindings: Sendable, Equatable {
    /// 7.1a: the participant page looked up (the cold account's) and whether it lists a `pubkey`.
    public var participantURL = ""
    /// 7.1a: whether the participant is registered.
    public var participantRegistered = false
    /// 7.1b: the node's public RPC URL and whether it answered with a `result`.
    public var nodeRPCURL = ""
    /// 7.1b: whether the RPC answered.
    public var nodeRPCAnswers = false
    /// 7.1c: the dashboard URL and whether it answered with a body.
    public var dashboardURL = ""
    /// 7.1c: whether the dashboard answered.
    public var dashboardAnswers = false
    /// 7.2: the ML node container's name; `nil` skips 7.2a–d.
    public var mlNodeContainer: String?
    /// 7.2a: `nvidia-smi` inside the container worked.
    public var containerSeesGPU = false
    /// 7.2b: the container's PyTorch line, `CUDA:<bool>,GPUs:<n>,Version:<v>`.
    public var pyTorchLine = ""
    /// 7.2c: the ML node's `/health` answered.
    public var mlNodeHealthy = false
    /// 7.2d: the ML node's `/api/v1/gpu/devices` body, `nil` without an answer.
    public var gpuDevices: String?
    /// 7.3: the admin API's node list, `nil` without an answer.
    public var adminNodes: AdminNodes?
    /// 7.3b: `merged_node_config` in `.dapi/config-dump.json`.
    public var mergedNodeConfig = false
    /// 7.3c: the first GPU's memory.
    public var gpuMemory: GPUMemory?
    /// 7.5: lines matching error or fatal in the last 10 minutes of each container's log, by container.
    public var containerErrors: [ContainerErrorCount] = []
    /// 7.6: the ML node's service `state`, `nil` without an answer.
    public var serviceState: String?
    /// 7.7: vLLM's models answer: answered at all, first model id and its `max_model_len`.
    public var vLLMAnswers = false
    /// 7.7: the first model vLLM serves.
    public var vLLMModel: String?
    /// 7.7: that model's `max_model_len`.
    public var vLLMMaxModelLength: Int?
    /// 7.8: the admin API's setup report, `nil` without an answer.
    public var setupReport: SetupReport?

    /// Creates empty findings: every check failed.
    public init() {}
}

/// 7.5: how many lines of a container's recent log mention an error, or that the
/// container does not exist.
public struct ContainerErrorCount: Sendable, Equatable {
    /// The container, `node` or `api`.
    public var container: String
    /// Lines matching `error` or `fatal`, any case (0 when the container is missing).
    public var count: Int
    /// Whether the container exists; a missing one has no log, which is not "no errors".
    public var exists: Bool

    /// Creates the count.
    public init(container: String, count: Int, exists: Bool = true) {
        self.container = container
        self.count = count
        self.exists = exists
    }

    /// What the shell probe printed that ``probeMissingMarker`` stands for.
    static let probeMissingMarker = "missing"

    /// The shell command printing ``probeMissingMarker`` when `container` does not exist,
    /// else the number of its last 10 minutes' log lines mentioning `error` or `fatal`.
    static func probe(_ container: String, asRoot: String) -> String {
        let name = ShellQuote.quote(container)
        return "if \(asRoot) docker inspect \(name) >/dev/null 2>&1; then \(asRoot) docker logs \(name) --since 10m 2>&1 | grep -ciE 'error|fatal'; "
            + "else echo \(probeMissingMarker); fi"
    }

    /// Reads the probe's output: the marker, or a count (anything else counts 0).
    init(container: String, probeOutput: String) {
        let text = probeOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        if text == Self.probeMissingMarker {
            self.init(container: container, count: 0, exists: false)
        } else {
            self.init(container: container, count: Int(text) ?? 0)
        }
    }
}

/// The admin API's `/admin/v1/setup/report` answer, read by key wherever it sits (first
/// occurrence wins, as the original's `grep`): `overall_status`, `passed`, `total`,
/// `issues`, and the `status` of the checks `permissions_granted`, `block_sync`, `mlnode_node1`.
public struct SetupReport: Sendable, Equatable {
    /// `overall_status`, e.g. `PASS`.
    public var overallStatus: String?
    /// How many checks passed.
    public var passed: Int?
    /// How many checks there are.
    public var total: Int?
    /// The `issues` listed, as text.
    public var issues: [String]
    /// The `status` of each check by its `id`.
    public var checkStatus: [String: String]

    /// Parses the answer; `nil` when it is not JSON.
    public init?(json: String) {
        guard let value = JSONValue(parsing: Data(json.utf8)) else { return nil }
        overallStatus = value.firstValue(forKey: "overall_status")?.stringValue
        passed = value.firstValue(forKey: "passed")?.integerFromNumberOrText
        total = value.firstValue(forKey: "total")?.integerFromNumberOrText
        issues = (value.firstValue(forKey: "issues")?.arrayValue ?? []).map { item in
            if let text = item.stringValue { return text }
            if let message = item["message"]?.stringValue ?? item["id"]?.stringValue { return message }
            return item.description
        }
        var statuses: [String: String] = [:]
        value.forEachObject { object in
            if let id = object["id"]?.stringValue, let status = object["status"]?.stringValue, statuses[id] == nil { statuses[id] = status }
        }
        checkStatus = statuses
    }
}
